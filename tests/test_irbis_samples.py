"""The committed samples are exactly what scripts/make_samples.py writes, and they are valid."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from stdnum import isbn

from libcat.marc.irbis import iter_irbis
from libcat.marc.summary import summarize

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"


def _generator():
    spec = importlib.util.spec_from_file_location("make_samples", REPO / "scripts" / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_samples_are_regenerated_identically(tmp_path: Path) -> None:
    _generator().main(tmp_path)
    for name in ("kazakh-books-and-articles.txt", "broken-records.txt", "rusmarc-sample.iso"):
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name


def test_sample_isbns_dates_and_duplicate_pair() -> None:
    items = list(iter_irbis(open(SAMPLES / "kazakh-books-and-articles.txt", "rb")))
    raw_isbns = [f["a"] for i in items for f in i.record.get_fields("010")]
    assert len(raw_isbns) == 10 and all(isbn.is_valid(x) for x in raw_isbns)
    assert {isbn.isbn_type(x) for x in raw_isbns} == {"ISBN10", "ISBN13"}
    summaries = [summarize(i.record) for i in items]
    years = {s.entry_date.year for s in summaries}
    assert years == {2019, 2020, 2021, 2022, 2023, 2024}
    assert any((s.entry_date.month, s.entry_date.day) == (12, 31) for s in summaries)
    assert any((s.entry_date.month, s.entry_date.day) == (1, 1) for s in summaries)
    by_isbn: dict[str, list[str]] = {}
    for s in summaries:
        for n in s.isbns:
            by_isbn.setdefault(n, []).append(s.control_number)
    assert [v for v in by_isbn.values() if len(v) > 1] == [["84(5Каз)-5/Н 90-000102", "84(5Каз)-5/Н 90-300017"]]
    written_off = [f for i in items for f in i.record.get_fields("910") if f["a"] == "6"]
    assert len(written_off) == 3 and all(f.get("v") for f in written_off)
    assert sum(1 for i in items if i.record.get_fields("629")) >= 5
    assert len([f for i in items for f in i.record.get_fields("951")]) == 2
    assert {s.language for s in summaries} == {"kaz", "rus"}
