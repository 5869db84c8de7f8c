"""Export for IRBIS branches in Windows code pages: KZ-1048 keeps Kazakh letters, cp1251 reports them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from libcat.cli import main

from conftest import SAMPLES


def _titles(db: str) -> list[str]:
    out = CliRunner().invoke(main, ["--db", db, "list"]).output
    return sorted(line.split("\t")[3] for line in out.splitlines())


def test_kz1048_export_reimports_with_kazakh_letters(run_cli, tmp_path: Path):
    assert run_cli("init").exit_code == 0
    assert run_cli("import", "--branch", "central", str(SAMPLES / "kazakh-books-and-articles.txt")).exit_code == 0
    out = tmp_path / "for-branch.txt"
    r = run_cli("export", "--format", "irbis", "--encoding", "kz1048", "-o", str(out))
    assert r.exit_code == 0, r.output
    text = out.read_bytes().decode("kz1048")
    assert "#200: ^AҚамшы^FН.Кәрім" in text
    with pytest.raises(UnicodeDecodeError):
        out.read_bytes().decode("utf-8")
    second = f"sqlite:///{tmp_path / 'branch.db'}"
    runner = CliRunner()
    assert runner.invoke(main, ["--db", second, "init"]).exit_code == 0
    r2 = runner.invoke(main, ["--db", second, "import", "--encoding", "kz1048", str(out)])
    assert r2.exit_code == 0, r2.output
    first_titles = sorted(line.split("\t")[3] for line in run_cli("list").output.splitlines())
    assert _titles(second) == first_titles
    assert any("ә" in t or "қ" in t.lower() for t in first_titles)


def test_cp1251_export_reports_what_it_cannot_hold(run_cli, tmp_path: Path):
    assert run_cli("init").exit_code == 0
    run_cli("import", str(SAMPLES / "kazakh-books-and-articles.txt"))
    out = tmp_path / "ru.txt"
    r = run_cli("export", "--format", "irbis", "--encoding", "cp1251", "-o", str(out))
    assert "not representable in cp1251" in r.output
    assert "Қамшы" not in out.read_bytes().decode("cp1251")
