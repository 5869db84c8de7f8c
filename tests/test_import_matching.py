"""Import: every matching path, idempotent re-import, updates, deletions, dry run, undo (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from libcat.catalog import importer as imp
from libcat.catalog import undo as un
from libcat.catalog.models import Batch, CatalogRecord, Copy, RecordEvent, RecordKey
from libcat.catalog.store import CatalogError
from libcat.marc.items import ReadItem
from test_import_helpers import datestamps, isbn, items, live_count, marc


def _run(catalog, records, **kw):
    return imp.import_items(catalog, items(records), imp.ImportOptions(**kw), label="t.mrc")


def test_added_then_reimport_changes_nothing(catalog):
    recs = [marc(f"cn{i}", f"Кітап {i}", year=2000 + i, isbn=isbn(i), copies=[(f"inv{i}", "ЦБ")]) for i in range(5)]
    r1 = _run(catalog, recs, source="A")
    assert (r1.read, r1.added, r1.unchanged, r1.rejected) == (5, 5, 0, 0)
    before = datestamps(catalog)
    r2 = _run(catalog, recs, source="A")
    assert (r2.added, r2.updated, r2.unchanged, r2.duplicates) == (0, 0, 5, 0)
    assert datestamps(catalog) == before
    with catalog.Session() as s:
        assert s.scalar(select(func.count()).select_from(RecordEvent).where(RecordEvent.kind == "created")) == 5
        assert s.scalar(select(func.count()).select_from(Copy)) == 5
        row = s.scalar(select(CatalogRecord).where(CatalogRecord.control_number == "cn1"))
        assert row.entry_date.isoformat() == "2019-01-02" and row.source == "A" and row.batch_id == r1.batch
        assert s.get(Batch, r1.batch).status == "done"
        assert json.loads(s.get(Batch, r2.batch).counts)["unchanged"] == 5


def test_changed_record_is_updated_and_undo_restores_it(catalog):
    _run(catalog, [marc("c1", "Бірінші", copies=[("i1", "ЦБ")])], source="A")
    r = _run(catalog, [marc("c1", "Бірінші, түзетілген", copies=[("i1", "ЦБ"), ("i2", "Ф1")])], source="A")
    assert (r.updated, r.added) == (1, 0)
    with catalog.Session() as s:
        row = s.scalar(select(CatalogRecord).where(CatalogRecord.control_number == "c1"))
        assert row.title == "Бірінші, түзетілген"
        assert s.scalar(select(func.count()).select_from(Copy).where(Copy.record_id == row.id)) == 2
        ev = s.scalar(select(RecordEvent).where(RecordEvent.kind == "updated"))
        assert json.loads(ev.before)["title"] == "Бірінші"
    assert un.undo_batch(catalog, r.batch) == {"removed": 0, "restored": 1, "withdrawn": 0}
    with catalog.Session() as s:
        row = s.scalar(select(CatalogRecord).where(CatalogRecord.control_number == "c1"))
        assert row.title == "Бірінші" and row.deleted_at is None
        assert [c.inventory_number for c in s.scalars(select(Copy).where(Copy.record_id == row.id))] == ["i1"]
        assert s.get(Batch, r.batch).status == "undone"


def test_same_control_number_other_source_is_not_the_same_record(catalog):
    _run(catalog, [marc("c1", "Бір")], source="A")
    r = _run(catalog, [marc("c1", "Екі")], source="B")
    assert r.added == 1 and live_count(catalog) == 2


@pytest.mark.parametrize("action", ["skip", "update", "merge"])
def test_isbn_duplicate_follows_on_duplicate(catalog, action):
    _run(catalog, [marc("a1", "Абай жолы", isbn=isbn(7), copies=[("A-1", "ЦБ")])], source="A")
    dup = marc("b1", "Абай жолы : роман-эпопея", isbn=isbn(7)[3:], copies=[("B-1", "Ф2")])  # ISBN-10 form
    from stdnum import isbn as stdisbn

    dup["020"]["a"] = stdisbn.to_isbn10(isbn(7))
    r = _run(catalog, [dup], source="B", on_duplicate=action)
    assert (r.duplicates, r.added, r.duplicate_actions) == (1, 0, {action: 1})
    assert r.problems[0].code == "duplicate"
    with catalog.Session() as s:
        rows = list(s.scalars(select(CatalogRecord).where(CatalogRecord.deleted_at.is_(None))))
        assert len(rows) == 1
        invs = sorted(s.scalars(select(Copy.inventory_number)))
    if action == "skip":
        assert rows[0].title == "Абай жолы" and invs == ["A-1"]
    elif action == "update":
        assert rows[0].title.startswith("Абай жолы : роман") and invs == ["B-1"]
    else:
        assert invs == ["A-1", "B-1"]
    # re-importing the duplicate again changes nothing more
    again = _run(catalog, [dup], source="B", on_duplicate=action)
    with catalog.Session() as s:
        assert sorted(s.scalars(select(Copy.inventory_number))) == invs
    assert again.added == 0


def test_title_author_year_candidate_is_added_and_reported(catalog):
    _run(catalog, [marc("a1", "Қазақ әдебиеті", author="Әуезов, М.", year=1999)], source="A")
    # Latin look-alikes, Russian base letters, other punctuation and case
    r = _run(catalog, [marc("b9", "KAЗAK АДЕБИЕТИ!", author="Ауезов М", year=1999)], source="B")
    assert (r.added, r.candidates, r.duplicates) == (1, 1, 0)
    assert r.problems[0].code == "duplicate-candidate"


def test_duplicate_inside_one_input(catalog):
    r = _run(catalog, [marc("x1", "Бір", isbn=isbn(3)), marc("x2", "Бір (қайта)", isbn=isbn(3)),
                       marc("x1", "Бір", isbn=isbn(3))])
    assert (r.added, r.duplicates) == (1, 2)
    assert {p.code for p in r.problems} == {"duplicate", "repeated"}


def test_records_without_control_number_match_by_content(catalog):
    recs = [marc(None, "Атаусыз", year=2001), marc(None, "Атаусыз", year=2001)]
    r1 = _run(catalog, recs)
    r2 = _run(catalog, recs)
    assert (r1.added, r1.unchanged) == (1, 1)
    assert (r2.added, r2.unchanged) == (0, 2)


def test_deleted_items_tombstone_by_external_id_then_control_number(catalog):
    a, b = marc("m1", "Бір"), marc("m2", "Екі")
    its = items([a, b])
    its[0].external_id = "mfn:1"
    imp.import_items(catalog, its, imp.ImportOptions(source="istu"))
    gone = [ReadItem(position=1, offset=None, raw=b"", deleted=True, external_id="mfn:1"),
            ReadItem(position=2, offset=None, raw=b"", deleted=True, control_number="m2"),
            ReadItem(position=3, offset=None, raw=b"", deleted=True, control_number="nowhere")]
    r = imp.import_items(catalog, gone, imp.ImportOptions(source="istu"), kind="harvest")
    assert (r.deleted, r.unchanged) == (2, 1)
    assert live_count(catalog) == 0
    with catalog.Session() as s:
        assert s.scalar(select(func.count()).select_from(RecordKey)) == 0
        assert s.get(Batch, r.batch).kind == "harvest"
    un.undo_batch(catalog, r.batch)
    assert live_count(catalog) == 2


def test_dry_run_commits_nothing(catalog):
    r = _run(catalog, [marc("d1", "Бір", isbn=isbn(1)), marc("d2", "Екі", isbn=isbn(1))], dry_run=True)
    assert (r.added, r.duplicates, r.batch, r.dry_run) == (1, 1, None, True)
    assert live_count(catalog) == 0
    with catalog.Session() as s:
        assert s.scalar(select(func.count()).select_from(Batch)) == 0


def test_undo_removes_added_records_as_tombstones_and_reimport_works(catalog):
    r = _run(catalog, [marc(f"u{i}", f"Кітап {i}", isbn=isbn(100 + i), copies=[(f"U{i}", "ЦБ")]) for i in range(3)])
    assert un.undo_batch(catalog, r.batch) == {"removed": 3, "restored": 0, "withdrawn": 0}
    assert live_count(catalog) == 0
    with catalog.Session() as s:
        assert s.scalar(select(func.count()).select_from(CatalogRecord)) == 3
        assert s.scalar(select(func.count()).select_from(RecordEvent).where(RecordEvent.kind == "undone")) == 3
        assert s.scalar(select(func.count()).select_from(Copy)) == 0
    with pytest.raises(CatalogError, match="already undone"):
        un.undo_batch(catalog, r.batch)
    again = _run(catalog, [marc("u0", "Кітап 0", isbn=isbn(100))])
    assert again.added == 1


def test_undo_refuses_when_a_later_batch_changed_the_records(catalog):
    r1 = _run(catalog, [marc("z1", "Бір")], source="A")
    _run(catalog, [marc("z1", "Бір (2)")], source="A")
    with pytest.raises(CatalogError, match="changed later"):
        un.undo_batch(catalog, r1.batch)


def test_undo_ignores_later_changes_already_undone_but_not_those_that_stand(catalog):
    r1 = _run(catalog, [marc("z1", "Бір")], source="A")
    r2 = _run(catalog, [marc("z1", "Бір (2)")], source="A")
    r3 = _run(catalog, [marc("z1", "Бір (3)")], source="A")
    un.undo_batch(catalog, r2.batch, force=True)
    with pytest.raises(CatalogError, match="changed later"):
        un.undo_batch(catalog, r1.batch)
    un.undo_batch(catalog, r3.batch, force=True)
    assert un.undo_batch(catalog, r1.batch) == {"removed": 1, "restored": 0, "withdrawn": 0}


def test_unknown_into_and_on_duplicate_are_clear_errors(catalog):
    with pytest.raises(CatalogError, match="no sub-catalogue 'nope'"):
        _run(catalog, [marc("q", "Q")], into="nope")
    with pytest.raises(CatalogError, match="on-duplicate"):
        _run(catalog, [marc("q", "Q")], on_duplicate="replace")


def test_undo_counts_only_records_it_removed(catalog):
    from libcat.catalog import records as rec

    r = _run(catalog, [marc(f"k{i}", f"Кітап {i}") for i in range(3)])
    with catalog.session() as s:
        rec.delete(s, rec.find(s, "k1"), reason="written off", source="test")
    assert un.undo_batch(catalog, r.batch, force=True) == {"removed": 2, "restored": 0, "withdrawn": 0}
    with catalog.Session() as s:
        assert s.scalar(select(func.count()).select_from(RecordEvent).where(RecordEvent.kind == "undone")) == 2
        reason = s.scalar(select(CatalogRecord.deleted_reason).where(CatalogRecord.control_number == "k1"))
        assert reason == "written off"


def test_forced_undo_withdraws_digitized_objects_of_removed_records(catalog):
    import datetime as dt

    from libcat.catalog.models import DigitalObject

    r = _run(catalog, [marc("s1", "Сканер")])
    with catalog.session() as s:
        rid = s.scalar(select(CatalogRecord.id).where(CatalogRecord.control_number == "s1"))
        s.add(DigitalObject(record_id=rid, type="book", digitized_on=dt.date(2023, 1, 1), pages=1, bytes=1))
    with pytest.raises(CatalogError, match="withdraws the digitized objects"):
        un.undo_batch(catalog, r.batch)
    assert un.undo_batch(catalog, r.batch, force=True) == {"removed": 1, "restored": 0, "withdrawn": 1}
    with catalog.Session() as s:
        obj = s.scalar(select(DigitalObject))
        assert obj.deleted_at is not None and obj.record_id == rid
