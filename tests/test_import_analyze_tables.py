"""The statistics refreshed after an import cover every table it fills, with their row counts as they are after
it (PostgreSQL analyzes ``ANALYZE_GROUPS`` at once, on connections of their own; SQLite one table after another)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import SQLAlchemyError

from libcat.catalog import importer as imp
from test_import_helpers import items, marc


def _rows(catalog, table: str) -> int:
    with catalog.engine.begin() as c:
        return c.execute(text(f"SELECT count(*) FROM {table}")).scalar()


def _planner_rows(catalog, table: str) -> int | None:
    """The rows the planner's statistics give ``table`` (None: never analyzed)."""
    with catalog.engine.begin() as c:
        if catalog.dialect == "postgresql":
            analyzed, tuples = c.execute(text(
                "SELECT s.last_analyze, c.reltuples FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
                " WHERE s.relname = :t"), {"t": table}).one()
            return None if analyzed is None else int(tuples)
        if not c.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
            return None
        stat = c.execute(text("SELECT stat FROM sqlite_stat1 WHERE tbl = :t AND idx IS NULL"), {"t": table}).scalar()
        if stat is None:  # a table with indexes keeps its row count in each index's row
            stat = c.execute(text("SELECT stat FROM sqlite_stat1 WHERE tbl = :t"), {"t": table}).scalar()
        return None if stat is None else int(stat.split()[0])


def test_the_groups_cover_the_tables_an_import_fills():
    assert sorted(t for group in imp.ANALYZE_GROUPS for t in group) == sorted(imp.ANALYZED_TABLES)


def test_every_table_an_import_fills_is_analyzed_with_its_rows_after_the_import(catalog):
    records = [marc(f"cn{i}", f"Кітап {i}", isbn=f"97860100{i:05d}", copies=[(f"inv{i}", "ab")]) for i in range(25)]
    report = imp.import_items(catalog, items(records), imp.ImportOptions(source="A", chunk_size=10), label="t.mrc")
    assert report.added == 25
    for table in imp.ANALYZED_TABLES:
        assert _rows(catalog, table) > 0
        assert _planner_rows(catalog, table) == _rows(catalog, table), table


@pytest.mark.parametrize("groups", [(("no_such_table",), ("records",)), (("records",), ("no_such_table",))])
def test_a_failing_analyze_of_one_group_is_raised(catalog, monkeypatch, groups):
    """A group's error is not lost in its thread, whichever group fails: the caller sees it, and every
    connection is back in the pool."""
    records = [marc(f"cn{i}", f"Кітап {i}") for i in range(3)]
    imp.import_items(catalog, items(records), imp.ImportOptions(source="A"), label="t.mrc")
    monkeypatch.setattr(imp, "ANALYZE_GROUPS", groups)
    monkeypatch.setattr(imp, "ANALYZED_TABLES", tuple(t for group in groups for t in group))
    with pytest.raises(SQLAlchemyError, match="no_such_table"):
        imp.refresh_statistics(catalog, 3)
    assert catalog.engine.pool.checkedout() == 0


def test_each_group_is_analyzed_on_a_connection_of_its_own_on_postgresql(catalog):
    """PostgreSQL: one backend per group (the groups run at once); SQLite: every table on one connection."""
    records = [marc(f"cn{i}", f"Кітап {i}") for i in range(3)]
    imp.import_items(catalog, items(records), imp.ImportOptions(source="A"), label="t.mrc")
    seen: dict[str, int] = {}

    def note(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.startswith("ANALYZE"):
            seen[statement] = id(conn.connection.dbapi_connection)

    event.listen(catalog.engine, "before_cursor_execute", note)
    try:
        assert imp.refresh_statistics(catalog, 3)
    finally:
        event.remove(catalog.engine, "before_cursor_execute", note)
    if catalog.dialect == "postgresql":
        assert sorted(seen) == sorted(f"ANALYZE {', '.join(group)}" for group in imp.ANALYZE_GROUPS)
        assert len(set(seen.values())) == len(imp.ANALYZE_GROUPS)
    else:
        assert sorted(seen) == sorted(f"ANALYZE {table}" for table in imp.ANALYZED_TABLES)
        assert len(set(seen.values())) == 1
