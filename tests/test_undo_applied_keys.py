"""Undo of a batch that updated or deleted a record gives back exactly the APPLIED keys the record had (which
incoming contents it took in with ``--on-duplicate update/merge``), so re-importing those contents is still
"unchanged"; events of older catalogues, which lack the keys, still undo (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from libcat.catalog import importer as imp
from libcat.catalog import undo as un
from libcat.catalog.models import CatalogRecord, RecordEvent, RecordKey
from libcat.marc.items import ReadItem
from test_import_helpers import isbn, items, marc

# The central library's record: the more complete one (two copies), which a merge keeps.
CENTRAL = marc("a1", "Абай жолы", author="Әуезов", year=2019, isbn=isbn(1), copies=[("i1", "ЦБ"), ("i2", "ЦБ")])
# A branch's record of the same book (same ISBN): the duplicate that gives the central record an APPLIED key.
BRANCH = marc("b1", "Путь Абая", author="Ауэзов", year=2019, isbn=isbn(1))


def _import(catalog, records, source: str, **kw) -> imp.ImportReport:
    return imp.import_items(catalog, items(records), imp.ImportOptions(source=source, **kw), label="t.mrc")


def _keys(catalog, rid: int) -> list[tuple[str, str]]:
    with catalog.Session() as s:
        return sorted(tuple(k) for k in s.execute(select(RecordKey.kind, RecordKey.value)
                                                  .where(RecordKey.record_id == rid)))


def _applied(catalog, rid: int) -> list[tuple[str, str]]:
    return [k for k in _keys(catalog, rid) if k[0] == imp.APPLIED]


def _record(catalog, rid: int) -> tuple:
    with catalog.Session() as s:
        row = s.get(CatalogRecord, rid)
        return row.control_number, row.content_hash, row.deleted_at


def _with_duplicate(catalog, action: str) -> int:
    """The central record, then the branch's duplicate taken in with ``action``: returns the record's id."""
    _import(catalog, [CENTRAL], "ЦБ")
    r = _import(catalog, [BRANCH], "Ф3", on_duplicate=action)
    assert (r.added, r.duplicates) == (0, 1)
    with catalog.Session() as s:
        rid = s.scalar(select(CatalogRecord.id))
    assert len(_applied(catalog, rid)) == 2
    return rid


def _corrected(catalog, rid: int) -> ReadItem:
    """The record as it stands, corrected at the central library (its own source and control number)."""
    cn = _record(catalog, rid)[0]
    return items([marc(cn, "Абай жолы: роман-эпопея", author="Әуезов", year=2019, isbn=isbn(1))])[0]


def _deleted(catalog, rid: int) -> ReadItem:
    return ReadItem(position=1, offset=None, raw=b"", deleted=True, control_number=_record(catalog, rid)[0])


CHANGES = {
    "update": lambda catalog, rid: [_corrected(catalog, rid)],
    "delete": lambda catalog, rid: [_deleted(catalog, rid)],
    "update-then-delete": lambda catalog, rid: [_corrected(catalog, rid), _deleted(catalog, rid)],
}


@pytest.mark.parametrize("change", list(CHANGES))
@pytest.mark.parametrize("action", ["update", "merge"])
def test_undo_gives_back_exactly_the_applied_keys_and_the_duplicate_stays_unchanged(
        catalog, action: str, change: str) -> None:
    rid = _with_duplicate(catalog, action)
    keys, record = _keys(catalog, rid), _record(catalog, rid)
    # One record per chunk: the update and the deletion of "update-then-delete" are two events of one batch.
    r = imp.import_items(catalog, CHANGES[change](catalog, rid), imp.ImportOptions(source="ЦБ", chunk_size=1))
    assert (r.updated, r.deleted) == (int("update" in change), int("delete" in change))
    assert un.undo_batch(catalog, r.batch) == {"removed": 0, "restored": 1, "withdrawn": 0}
    assert (_keys(catalog, rid), _record(catalog, rid)) == (keys, record)
    again = _import(catalog, [BRANCH], "Ф3", on_duplicate=action)
    assert (again.unchanged, again.added, again.updated, again.duplicates) == (1, 0, 0, 0)
    assert _keys(catalog, rid) == keys


def test_keys_a_record_gained_earlier_in_the_batch_are_not_given_back(catalog) -> None:
    _import(catalog, [CENTRAL], "ЦБ")
    with catalog.Session() as s:
        rid = s.scalar(select(CatalogRecord.id))
    keys, record = _keys(catalog, rid), _record(catalog, rid)
    # The central library's second record of the book is merged into the first, which then is deleted.
    second = items([marc("a2", "Абай жолы", isbn=isbn(1))])[0]
    r = imp.import_items(catalog, [second, _deleted(catalog, rid)],
                         imp.ImportOptions(source="ЦБ", on_duplicate="merge", chunk_size=1))
    assert (r.duplicates, r.deleted) == (1, 1)
    assert un.undo_batch(catalog, r.batch) == {"removed": 0, "restored": 1, "withdrawn": 0}
    assert (_keys(catalog, rid), _record(catalog, rid)) == (keys, record)


def _detail(catalog, rid: int, kind: str) -> str | None:
    with catalog.Session() as s:
        return s.scalar(select(RecordEvent.detail).where(RecordEvent.record_id == rid, RecordEvent.kind == kind)
                        .order_by(RecordEvent.id.desc()).limit(1))


def test_update_and_delete_events_keep_the_applied_keys_with_their_note(catalog, run_cli) -> None:
    rid = _with_duplicate(catalog, "merge")
    applied = _applied(catalog, rid)
    r = imp.import_items(catalog, [_corrected(catalog, rid)], imp.ImportOptions(source="ЦБ"), label="t.mrc")
    assert r.updated == 1
    updated = json.loads(_detail(catalog, rid, "updated"))
    assert updated["note"] == "t.mrc: record 1" and sorted(map(tuple, updated["applied_keys"])) == applied
    out = run_cli("delete", str(rid), "--reason", "списано")
    assert out.exit_code == 0, out.output
    deleted = json.loads(_detail(catalog, rid, "deleted"))
    assert deleted["note"] == "списано" and sorted(map(tuple, deleted["applied_keys"])) == applied
    assert _keys(catalog, rid) == []


def test_events_of_a_record_without_applied_keys_keep_their_plain_note(catalog) -> None:
    _import(catalog, [CENTRAL], "ЦБ")
    with catalog.Session() as s:
        rid = s.scalar(select(CatalogRecord.id))
    r = imp.import_items(catalog, [_corrected(catalog, rid), _deleted(catalog, rid)],
                         imp.ImportOptions(source="ЦБ", chunk_size=1), label="t.mrc")
    assert (r.updated, r.deleted) == (1, 1)
    assert _detail(catalog, rid, "updated") == "t.mrc: record 1"
    assert _detail(catalog, rid, "deleted") == "deleted in source ЦБ"


@pytest.mark.parametrize("change", list(CHANGES))
def test_events_written_before_the_keys_were_kept_still_undo(catalog, change: str) -> None:
    """Old-format events (plain text): the record comes back with its other keys; an updated one keeps the
    APPLIED keys the batch did not touch, so its duplicate still re-imports as unchanged (a deletion written
    then had already dropped them)."""
    rid = _with_duplicate(catalog, "merge")
    applied = _applied(catalog, rid)
    other_keys, record = [k for k in _keys(catalog, rid) if k[0] != imp.APPLIED], _record(catalog, rid)
    r = imp.import_items(catalog, CHANGES[change](catalog, rid), imp.ImportOptions(source="ЦБ", chunk_size=1))
    with catalog.session() as s:
        for ev in s.scalars(select(RecordEvent).where(RecordEvent.batch_id == r.batch)):
            ev.detail = json.loads(ev.detail)["note"]
    assert un.undo_batch(catalog, r.batch) == {"removed": 0, "restored": 1, "withdrawn": 0}
    assert _record(catalog, rid) == record
    assert [k for k in _keys(catalog, rid) if k[0] != imp.APPLIED] == other_keys
    if change == "update":
        assert _applied(catalog, rid) == applied
        again = _import(catalog, [BRANCH], "Ф3", on_duplicate="merge")
        assert (again.unchanged, again.duplicates) == (1, 0)


def test_a_record_named_by_two_deleted_items_of_one_chunk_is_deleted_once(catalog) -> None:
    """The second deleted item finds nothing live to delete ("unchanged"); undo gives the record and its
    APPLIED keys back."""
    rid = _with_duplicate(catalog, "update")
    applied = _applied(catalog, rid)
    r = imp.import_items(catalog, [_deleted(catalog, rid), _deleted(catalog, rid)], imp.ImportOptions(source="ЦБ"))
    assert (r.deleted, r.unchanged) == (1, 1)
    un.undo_batch(catalog, r.batch)
    assert _applied(catalog, rid) == applied


def test_applied_keys_of_more_records_than_the_database_binds_at_once(tmp_path) -> None:
    """Undo and dedupe ask for the keys of every record they restore or merge, which may be more than SQLite
    binds in one statement (here the limit is lowered to 999, SQLite's before 3.32): the keys still come back,
    each record's in order."""
    import sqlite3

    from libcat.catalog import records as rec
    from libcat.catalog.store import open_catalog

    catalog = open_catalog(f"sqlite:///{tmp_path / 'limit.db'}", must_exist=False)
    catalog.init()
    rid = _with_duplicate(catalog, "update")
    applied = [k for k in _keys_in_order(catalog, rid) if k[0] == imp.APPLIED]
    assert applied
    ids = [*range(rid + 1, rid + 1500), rid, *range(rid + 1500, rid + 2600)]
    with catalog.Session() as s:
        s.connection().connection.driver_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
        got = rec.applied_keys(s, ids)
    catalog.engine.dispose()
    assert got[rid] == applied
    assert len(got) == len(ids) and not any(got[i] for i in ids if i != rid)


def _keys_in_order(catalog, rid: int) -> list[tuple[str, str]]:
    with catalog.Session() as s:
        return [tuple(k) for k in s.execute(select(RecordKey.kind, RecordKey.value)
                                            .where(RecordKey.record_id == rid).order_by(RecordKey.id))]
