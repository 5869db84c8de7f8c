"""The worker path of import (ISO 2709 records read and prepared on worker processes, one field index per
record, prepared rows sent back as plain data, bulk inserts) stores exactly what the one-process path and
``records.apply_record`` store, on the real corpus files (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from libcat.catalog import importer as imp
from libcat.catalog import records as rec
from libcat.catalog.models import CatalogRecord
from libcat.catalog.store import open_catalog
from corpus_records import iso_files
from test_import_parallel import _dump, _report

#: Columns ``records.apply_record`` fills from a record.
APPLIED = ("flavour", "data", "content_hash", "control_number", "title", "author", "year", "isbns", "language",
           "mark_kazakhstan", "mark_local_lore")


def test_worker_path_stores_what_one_process_and_apply_record_store(catalog, corpus, tmp_path):
    files = iso_files(corpus)
    assert len(files) >= 10, "the corpus holds ISO 2709 files"
    serial = open_catalog(f"sqlite:///{tmp_path / 'serial.db'}", must_exist=False)
    serial.init()
    for path in files:
        reports = [_report(imp.import_files(cat, [path], imp.ImportOptions(source=path.name, jobs=jobs)))
                   for cat, jobs in ((serial, 1), (catalog, 2))]
        assert reports[0] == reports[1], path.name
    got, want = _dump(catalog), _dump(serial)
    for part in want:
        assert got[part] == want[part], part
    assert len(want["records"]) > 50
    with catalog.Session() as s:
        rows = list(s.scalars(select(CatalogRecord).order_by(CatalogRecord.id)))
        for row in rows:
            fresh = CatalogRecord()
            rec.apply_record(fresh, rec.load(row), row.flavour)
            assert {c: getattr(row, c) for c in APPLIED} == {c: getattr(fresh, c) for c in APPLIED}, row.id
    serial.engine.dispose()
