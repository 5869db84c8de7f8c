"""An import that adds many records refreshes the planner's statistics (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import text

from libcat.catalog import importer as imp
from test_import_helpers import items, marc


def _import(catalog, first: int, n: int) -> imp.ImportReport:
    records = [marc(f"cn{i}", f"Кітап {i}") for i in range(first, first + n)]
    report = imp.import_items(catalog, items(records), imp.ImportOptions(source="A"), label="t.mrc")
    assert report.added == n
    return report


def _analyzed(catalog) -> object:
    """What the database knows of the last ANALYZE of `records` (SQLite: its stat rows; PostgreSQL: the time)."""
    with catalog.engine.begin() as c:
        if catalog.dialect == "postgresql":
            return c.execute(text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'records'")).scalar()
        if not c.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
            return None
        return c.execute(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'records'")).scalar() or None


def _forget(catalog) -> None:
    if catalog.dialect == "sqlite":
        with catalog.engine.begin() as c:
            c.execute(text("DELETE FROM sqlite_stat1"))


def test_an_import_of_many_records_refreshes_the_statistics(catalog, monkeypatch):
    assert _analyzed(catalog) is None
    _import(catalog, 0, 20)  # the whole catalogue: more than a tenth of it
    first = _analyzed(catalog)
    assert first is not None
    _forget(catalog)
    untouched = first if catalog.dialect == "postgresql" else None
    _import(catalog, 20, 1)  # less than a tenth, fewer than ANALYZE_MIN_ADDED: left alone
    assert _analyzed(catalog) == untouched
    monkeypatch.setattr(imp, "ANALYZE_MIN_ADDED", 1)
    _import(catalog, 21, 1)
    assert _analyzed(catalog) not in (None, untouched)


def test_a_dry_run_or_an_import_that_adds_nothing_leaves_them(catalog):
    report = imp.import_items(catalog, items([marc("cn1", "Кітап")]), imp.ImportOptions(dry_run=True), label="t.mrc")
    assert report.added == 1
    assert _analyzed(catalog) is None
    assert imp.refresh_statistics(catalog, 0) is False


def test_a_first_import_is_matched_with_statistics_after_its_first_chunk(catalog, monkeypatch):
    """Without statistics each chunk's matching reads every live record; the importer refreshes them as soon as
    its first chunk has made them stale, so the following chunks are planned with them."""
    seen = []
    chunk = imp._Run._chunk

    def spy(run, s, outcomes):
        seen.append(_analyzed(catalog) is not None)
        return chunk(run, s, outcomes)

    monkeypatch.setattr(imp._Run, "_chunk", spy)
    records = [marc(f"cn{i}", f"Қала тарихы {i}") for i in range(30)]
    report = imp.import_items(catalog, items(records), imp.ImportOptions(chunk_size=10), label="t.mrc")
    assert report.added == 30
    assert seen == [False, True, True]


def test_statistics_are_refreshed_once_during_a_run_and_after_it_only_if_records_came_since(catalog, monkeypatch):
    calls = []
    refresh = imp.refresh_statistics
    monkeypatch.setattr(imp, "refresh_statistics", lambda cat, added: calls.append(added) or refresh(cat, added))
    records = [marc(f"бір{i}", f"Дала әуендері {i}") for i in range(5)]
    imp.import_items(catalog, items(records), imp.ImportOptions(chunk_size=10), label="one-chunk.mrc")
    assert calls == [5]  # after its only chunk; not again after the batch
    calls.clear()
    records = [marc(f"көп{i}", f"Дала әуендері {i}") for i in range(5, 35)]
    imp.import_items(catalog, items(records), imp.ImportOptions(chunk_size=10), label="three-chunks.mrc")
    assert calls == [10, 30]  # after the first chunk, and after the batch
