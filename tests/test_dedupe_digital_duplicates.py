"""`dedupe --apply` and the scans registered twice (SQLite and PostgreSQL): a digital object of a merged record whose
file the survivor already has cannot move, so it is withdrawn (files kept) rather than left live on a tombstone for
the registry and the counts; undo of the dedupe batch puts it back, and leaves an object withdrawn before alone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select, update

from libcat.catalog import counts
from libcat.catalog import dedupe as dd
from libcat.catalog import records as rec
from libcat.catalog import undo as un
from libcat.catalog.models import CatalogRecord, DigitalFile, DigitalObject
from libcat.digitize import registry
from test_digitize_helpers import make_pdf
from test_import_helpers import isbn, marc

# A branch's record of «Абай жолы» and the central library's longer one (same ISBN): the longer survives.
SHORT = marc("a1", "Абай жолы", year=1997, isbn=isbn(1))
LONG = marc("b1", "Абай жолы : роман-эпопея", year=1997, isbn=isbn(1), copies=[("B-1", "ЦБ")])


def _records(catalog) -> tuple[int, int]:
    """Store both records (added outside the importer, which would skip one) with their keys: (short, long) ids."""
    with catalog.session() as s:
        short, long = (rec.create(s, r, "marc21", source="test").id for r in (SHORT, LONG))
    assert dd.refresh_keys(catalog) == 2
    return short, long


def _objects(catalog) -> dict[int, tuple[int, dt.datetime | None]]:
    """Every digital object: {id: (record id, deleted_at)}."""
    with catalog.Session() as s:
        return {o.id: (o.record_id, o.deleted_at) for o in s.scalars(select(DigitalObject))}


def _files(catalog) -> list[tuple[int, int, int, str]]:
    with catalog.Session() as s:
        q = select(DigitalFile.id, DigitalFile.object_id, DigitalFile.record_id, DigitalFile.sha256)
        return sorted(tuple(r) for r in s.execute(q))


def _seen(catalog) -> tuple[list[int], int]:
    """Live objects as the registry lists them, and documents digitized this year as the statistics count them."""
    year = dt.date.today().year
    with catalog.Session() as s:
        listed = [obj.id for obj, _, _ in registry.list_objects(s)]
        counted = counts.digitization_by_year(s, year).get(year, (0, 0))[0]
    return listed, counted


def _dedupe(catalog) -> int:
    batch, merged = dd.apply(catalog, dd.find_groups(catalog))
    assert merged == 1
    return batch


def test_the_same_scans_on_a_merged_record_are_withdrawn_and_come_back_on_undo(catalog, tmp_path: Path) -> None:
    short, long = _records(catalog)
    scan = make_pdf(tmp_path / "abai.pdf", 3)
    kept = registry.add_object(catalog, long, [scan]).id
    twice = registry.add_object(catalog, short, [scan]).id
    before, files = _objects(catalog), _files(catalog)
    assert _seen(catalog) == ([kept, twice], 2)
    batch = _dedupe(catalog)
    after = _objects(catalog)
    with catalog.Session() as s:
        merged_at = s.get(CatalogRecord, short).deleted_at
    assert merged_at is not None
    assert after == {kept: (long, None), twice: (short, merged_at)}
    assert _files(catalog) == files
    assert _seen(catalog) == ([kept], 1)
    un.undo_batch(catalog, batch)
    assert _objects(catalog) == before
    assert _seen(catalog) == ([kept, twice], 2)


def test_an_object_with_other_files_still_moves_and_goes_back(catalog, tmp_path: Path) -> None:
    short, long = _records(catalog)
    registry.add_object(catalog, long, [make_pdf(tmp_path / "abai.pdf", 3)])
    other = registry.add_object(catalog, short, [make_pdf(tmp_path / "abai-2.pdf", 4, title="another scan")]).id
    before = _objects(catalog)
    batch = _dedupe(catalog)
    assert _objects(catalog)[other] == (long, None)
    assert _seen(catalog)[1] == 2
    un.undo_batch(catalog, batch)
    assert _objects(catalog) == before


def test_an_object_withdrawn_before_the_merge_stays_withdrawn_after_undo(catalog, tmp_path: Path) -> None:
    short, long = _records(catalog)
    scan = make_pdf(tmp_path / "abai.pdf", 3)
    kept = registry.add_object(catalog, long, [scan]).id
    old = registry.add_object(catalog, short, [scan]).id
    withdrawn = dt.datetime(2024, 3, 1, 9, 30)
    with catalog.session() as s:
        s.execute(update(DigitalObject).where(DigitalObject.id == old).values(deleted_at=withdrawn))
    before = _objects(catalog)
    batch = _dedupe(catalog)
    assert _objects(catalog) == before
    un.undo_batch(catalog, batch)
    assert _objects(catalog) == before == {kept: (long, None), old: (short, withdrawn)}
