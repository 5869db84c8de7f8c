"""The bundled sample scans register against the bundled sample records, as the demo does."""

from __future__ import annotations

from pathlib import Path

import pytest


SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_demo_import_of_sample_scans(run_cli) -> None:
    if not (SAMPLES / "kazakh-books-and-articles.txt").is_file():
        pytest.fail("samples/kazakh-books-and-articles.txt is missing")
    assert run_cli("init").exit_code == 0
    r = run_cli("import", str(SAMPLES / "kazakh-books-and-articles.txt"))
    assert r.exit_code == 0, r.output
    r = run_cli("digitize", "import", str(SAMPLES / "digitization.csv"))
    assert r.exit_code == 0, r.output
    assert "registered 7 digital object(s), 0 failed" in r.output
    rows = [ln.split("\t") for ln in run_cli("digitize", "list").output.splitlines()]
    assert [(t, lang, pages) for _id, _d, t, lang, pages, *_ in rows] == [
        ("book", "kaz", "6"), ("book", "kaz", "4"), ("book", "rus", "3"),
        ("newspaper-article", "kaz", "1"), ("newspaper-article", "rus", "2"),
        ("newspaper-article", "kaz", "1"), ("newspaper-article", "rus", "1"),
    ]
    assert rows[0][-1] == "Қамшы"
    r = run_cli("--lang", "kk", "collection", "list")
    assert "Балқаш өңірі\t2 материал, 0,01 МБ" in r.output
    assert run_cli("digitize", "verify").exit_code == 0
    r = run_cli("digitize", "import", str(SAMPLES / "digitization.csv"))
    assert r.exit_code == 1 and r.output.count("already registered") == 7
