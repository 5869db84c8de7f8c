"""Dedupe across the catalogue: blocking groups, merge into the most complete record, undo (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from libcat.catalog import dedupe as dd
from libcat.catalog import importer as imp
from libcat.catalog import undo as un
from libcat.catalog.models import CatalogRecord, Copy, RecordEvent
from test_import_helpers import isbn, items, live_count, marc


def test_dedupe_groups_merge_and_undo(catalog, run_cli):
    imp.import_items(catalog, items([marc("a1", "Абай жолы", year=1997, isbn=isbn(1), copies=[("A-1", "ЦБ")])]),
                     imp.ImportOptions(source="A"))
    # a second branch's copy of the same book, imported before duplicates were checked (a plain add):
    second = marc("b1", "Абай жолы : роман-эпопея", year=1997, isbn=isbn(1), copies=[("B-1", "Ф2"), ("B-2", "Ф2")])
    with catalog.session() as s:
        from libcat.catalog import records as rec

        row = rec.create(s, second, "marc21", source="B")
        for c in [{"inventory_number": "B-1", "location": "Ф2"}, {"inventory_number": "B-2", "location": "Ф2"}]:
            s.add(Copy(record_id=row.id, **c))
    imp.import_items(catalog, items([marc("c1", "Көшпенділер", author="Есенберлин", year=2001),
                                     marc("c2", "КӨШПЕНДIЛЕР", author="Есенберлин", year=2001)]),
                     imp.ImportOptions(source="C"))
    assert dd.refresh_keys(catalog) == 1
    groups = dd.find_groups(catalog)
    assert [(g.strong, sorted(m.control_number for m in g.members)) for g in groups] == [
        (True, ["a1", "b1"]), (False, ["c1", "c2"])]
    assert groups[0].survivor.control_number == "b1"  # longer record, more copies
    out = run_cli("dedupe", "--format", "json")
    data = json.loads(out.output)
    assert [g["kind"] for g in data["groups"]] == ["duplicate", "candidate"] and data["batch"] is None
    applied = run_cli("dedupe", "--apply")
    assert applied.exit_code == 0 and "merged 1 record(s)" in applied.output
    with catalog.Session() as s:
        survivor = s.scalar(select(CatalogRecord).where(CatalogRecord.control_number == "b1"))
        gone = s.scalar(select(CatalogRecord).where(CatalogRecord.control_number == "a1"))
        assert gone.deleted_at is not None and gone.merged_into == survivor.id
        assert sorted(s.scalars(select(Copy.inventory_number).where(Copy.record_id == survivor.id))) == ["A-1", "B-1", "B-2"]
        assert s.scalar(select(func.count()).select_from(RecordEvent).where(RecordEvent.kind == "merged")) == 1
        batch = s.scalar(select(RecordEvent.batch_id).where(RecordEvent.kind == "merged"))
    assert live_count(catalog) == 3
    assert [g.strong for g in dd.find_groups(catalog)] == [False]
    un.undo_batch(catalog, batch)
    with catalog.Session() as s:
        a1 = s.scalar(select(CatalogRecord).where(CatalogRecord.control_number == "a1"))
        assert a1.deleted_at is None
        assert list(s.scalars(select(Copy.inventory_number).where(Copy.record_id == a1.id))) == ["A-1"]
    assert live_count(catalog) == 4
    assert run_cli("dedupe", "--subcat", "nope").exit_code == 1
