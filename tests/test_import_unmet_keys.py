"""``importer._unmet`` lets a new record whose keys were met nowhere skip the duplicate and candidate loops: the
import comes out exactly as with the loops over every record (same report, same catalogue), whatever the policy."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from libcat.catalog import importer as imp
from libcat.catalog.models import CatalogRecord, Copy, RecordEvent, RecordKey
from libcat.catalog.store import open_catalog
from test_import_helpers import isbn, items, marc


def _first() -> list:
    """A catalogue to import into: ISBNs 0-3 and title keys of "Дала 0-3"."""
    return [marc(f"a{i}", f"Дала {i}", isbn=isbn(i), copies=[(f"a-inv{i}", "ЦБ")]) for i in range(4)]


def _second() -> list:
    """New records met nowhere, interleaved with duplicates and candidates of the catalogue and of each other."""
    return [
        marc("b0", "Жаңа 0", isbn=isbn(10)),
        marc("b1", "Басқа 1", isbn=isbn(1), copies=[("b-inv1", "Ф1")]),  # ISBN of the catalogue
        marc("b2", "Дала 2"),  # title, author and year of the catalogue: a candidate
        marc("b3", "Жаңа 3", isbn=isbn(13), copies=[("b-inv3", "ЦБ")]),
        marc("b4", "Тағы 4", isbn=isbn(13), copies=[("b-inv4", "Ф2")]),  # ISBN of b3, earlier in the chunk
        marc("b5", "Жаңа 3", year=2010),  # title of b3, earlier in the chunk: a candidate
        marc("b6", "Жаңа 6", isbn=isbn(16)),
        marc("b7", "Жаңа 7", isbn=isbn(17)),
        marc(None, "Нөмірсіз 8"),  # no identity: a content key
        marc(None, "Нөмірсіз 8"),  # the same content again
        marc("b9", "Жаңа 9", isbn=isbn(16)),  # ISBN of b6
        marc("b10", "Жаңа 10", isbn=isbn(10)),  # ISBN of b0, a chunk earlier (a dry run finds it in seen_keys)
    ]


def _state(catalog) -> tuple:
    with catalog.Session() as s:
        records = s.execute(select(CatalogRecord.id, CatalogRecord.control_number, CatalogRecord.title,
                                   CatalogRecord.content_hash, CatalogRecord.deleted_at.is_(None))
                            .order_by(CatalogRecord.id)).all()
        keys = s.execute(select(RecordKey.record_id, RecordKey.kind, RecordKey.value)
                         .order_by(RecordKey.record_id, RecordKey.kind, RecordKey.value)).all()
        copies = s.execute(select(Copy.record_id, Copy.inventory_number, Copy.location).order_by(Copy.id)).all()
        events = s.execute(select(RecordEvent.record_id, RecordEvent.kind, RecordEvent.detail)
                           .order_by(RecordEvent.id)).all()
    return records, keys, copies, events


def _imports(url: str, options: dict) -> tuple:
    catalog = open_catalog(url, must_exist=False)
    catalog.init()
    try:
        reports = []
        for label, records, chunk in (("first", _first(), 3), ("second", _second(), 6), ("again", _second(), 20)):
            report = imp.import_items(catalog, items(records), imp.ImportOptions(chunk_size=chunk, **options),
                                      label=label)
            reports.append({k: v for k, v in report.to_dict().items() if k != "batch"})
        return reports, _state(catalog)
    finally:
        catalog.engine.dispose()


@pytest.mark.parametrize("options", [
    {"on_duplicate": "skip"}, {"on_duplicate": "update"}, {"on_duplicate": "merge"},
    {"on_duplicate": "merge", "dry_run": True},
])
def test_records_with_unmet_keys_come_out_as_through_the_loops(db_url, second_url, monkeypatch, options):
    fast = _imports(db_url, options)
    monkeypatch.setattr(imp, "_unmet", lambda keys, known, chunk_keys: False)
    assert _imports(second_url, options) == fast
    reports, _ = fast
    codes = [p["code"] for report in reports for p in report["problems"]]
    assert {"duplicate", "duplicate-candidate"} <= set(codes)
    second = [p["position"] for p in reports[1]["problems"] if p["code"] == "duplicate"]
    assert 12 in second, "b10 is a duplicate of b0, a chunk before it"
