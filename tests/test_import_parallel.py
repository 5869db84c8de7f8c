"""The parallel import path (ISO 2709 read and prepared on worker processes) gives exactly the catalogue,
events, keys, copies, quarantine and report of the one-process path (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from libcat.catalog import importer as imp
from libcat.catalog.models import CatalogRecord, Copy, Quarantine, RecordEvent, RecordKey, Subcatalog
from libcat.catalog.store import open_catalog
from test_import_helpers import isbn, marc, write_iso


def _records(changed: bool = False) -> list:
    out = []
    for i in range(240):
        cn = None if i % 37 == 5 else f"p{i % 230}"
        title = "" if i == 77 else f"Кітап {i}{' (2-бас.)' if changed and i % 4 == 0 else ''}"
        author, year = f"Автор {i % 11}", 1950 + i % 60
        if i % 13 == 2:
            title, author, year = "Жалпы тақырып", "Автор 0", 2000
        code = isbn(9000 + (i % 40 if i % 7 == 1 else i))
        if i == 124:
            code = code[:-1] + str((int(code[-1]) + 1) % 10)
        out.append(marc(cn, title, author=author, year=year, isbn=code if i % 3 else None,
                        leader7="a" if i % 10 == 0 else "m", copies=[(f"INV{i}", "ЦБ")] * (i % 3)))
    return out


def _file(path: Path, changed: bool = False) -> Path:
    write_iso(path, _records(changed))
    data = path.read_bytes()
    cut = len(data) // 2
    cut = data.index(b"\x1d", cut) + 1
    path.write_bytes(data[:cut] + b"this is not a record\x1d" + data[cut:])
    return path


def _dump(cat) -> dict:
    with cat.Session() as s:
        codes = dict(s.execute(select(Subcatalog.id, Subcatalog.code)).all())
        cols = ("id", "control_number", "source", "external_id", "flavour", "data", "title", "author", "year",
                "isbns", "language", "content_hash", "batch_id", "merged_into")
        records = [tuple(getattr(r, c) for c in cols) + (codes.get(r.subcat_id), r.deleted_at is None)
                   for r in s.scalars(select(CatalogRecord).order_by(CatalogRecord.id))]
        events = [(e.record_id, e.batch_id, e.kind, e.source, e.detail, e.before is None)
                  for e in s.scalars(select(RecordEvent).order_by(RecordEvent.id))]
        keys = sorted((k.record_id, k.kind, k.value) for k in s.scalars(select(RecordKey)))
        copies = sorted((c.record_id, c.inventory_number or "", c.barcode or "", c.location or "", str(c.receipt_date),
                         c.status or "", c.price or "") for c in s.scalars(select(Copy)))
        quarantine = [(q.batch_id, q.position, q.byte_offset, q.format, q.control_number, q.raw, q.reasons)
                      for q in s.scalars(select(Quarantine).order_by(Quarantine.id))]
    return {"records": records, "events": events, "keys": keys, "copies": copies, "quarantine": quarantine}


def _report(r: imp.ImportReport) -> dict:
    d = r.to_dict()
    d.pop("files")
    return d


def test_parallel_import_equals_one_process(catalog, tmp_path):
    first = _file(tmp_path / "first.mrc")
    second = _file(tmp_path / "second.mrc", changed=True)
    assert imp._parallel_plan(str(first), imp.ImportOptions(jobs=2)) == (2, None)
    assert imp._parallel_plan(str(first), imp.ImportOptions()) is None, "small files stay in one process"
    serial = open_catalog(f"sqlite:///{tmp_path / 'serial.db'}", must_exist=False)
    serial.init()
    reports = {}
    for name, cat, jobs in (("serial", serial, 1), ("parallel", catalog, 2)):
        reports[name] = [
            _report(imp.import_files(cat, [first], imp.ImportOptions(source="b", chunk_size=50, jobs=jobs))),
            _report(imp.import_files(cat, [first, second], imp.ImportOptions(
                source="b", chunk_size=64, jobs=jobs, on_duplicate="merge"))),
            _report(imp.import_files(cat, [second], imp.ImportOptions(
                source="c", chunk_size=1000, jobs=jobs, on_duplicate="update", dry_run=True))),
        ]
    one, two, dry = reports["serial"]
    assert one["rejected"] == 2 and one["duplicates"] > 5 and one["added"] > 150
    assert {p["code"] for p in one["problems"]} >= {"unreadable", "missing-title", "duplicate", "repeated",
                                                    "isbn-checksum", "duplicate-candidate"}
    assert two["updated"] > 20 and two["unchanged"] > 100 and dry["dry_run"]
    assert reports["parallel"] == reports["serial"]
    if catalog.engine.dialect.name == "sqlite":
        with catalog.engine.connect() as c:  # the JSON travels from the workers as UTF-8 bytes, stored as text
            assert c.exec_driver_sql("SELECT DISTINCT typeof(data) FROM records").all() == [("text",)]
    got, want = _dump(catalog), _dump(serial)
    for part in want:
        assert got[part] == want[part], part
    serial.engine.dispose()


def test_bulk_insert_stores_dates_as_the_orm_does(catalog, tmp_path, monkeypatch):
    import datetime as dt

    when = dt.datetime(2024, 5, 6, 7, 8, 9)
    monkeypatch.setattr(imp, "utcnow", lambda: when)
    path = write_iso(tmp_path / "d.mrc", [marc(f"d{i}", f"Күн {i}", entered="240506") for i in range(3)])
    assert imp.import_files(catalog, [path], imp.ImportOptions(jobs=2)).added == 3
    with catalog.engine.connect() as c:
        raw = c.exec_driver_sql("SELECT created_at, datestamp, entry_date, own_publication FROM records").all()
        events = c.exec_driver_sql("SELECT at FROM record_events").all()
    if catalog.engine.dialect.name == "sqlite":
        assert set(raw) == {("2024-05-06 07:08:09.000000", "2024-05-06 07:08:09.000000", "2024-05-06", 0)}
        assert set(events) == {("2024-05-06 07:08:09.000000",)}
    else:
        assert set(raw) == {(when, when, dt.date(2024, 5, 6), False)}
        assert set(events) == {(when,)}
