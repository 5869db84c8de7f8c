"""Migration 0008: on PostgreSQL, record_events.record_id and copies.record_id are checked by statement-level
triggers instead of foreign keys; SQLite keeps the keys. Either way an event or copy of a missing record, a
move to a missing record and the deletion of a record that still has events or copies are refused, a
statement with one bad row is refused whole, and imports, merges, dedupe and undo work as before."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from libcat.catalog import bulk
from libcat.catalog import importer as imp
from libcat.catalog.models import Copy, RecordEvent
from libcat.catalog.store import Catalog, open_catalog
from test_import_helpers import isbn, marc, write_iso
from test_schema_0006 import BRANCH_MERGED, CENTRAL, DANGLING, _batches, _foreign_keys, _import, _migrate

#: The foreign keys 0008 replaces on PostgreSQL: (table, columns, referred table, referred columns, name, ON DELETE).
REPLACED = {(t, ("record_id",), "records", ("id",), f"{t}_record_id_fkey", None) for t in ("record_events", "copies")}
TRIGGERS = {("record_events", "record_events_record_id_insert"), ("record_events", "record_events_record_id_update"),
            ("copies", "copies_record_id_insert"), ("copies", "copies_record_id_update"),
            ("records", "records_referenced_delete"), ("records", "records_referenced_id")}


def _triggers(cat: Catalog) -> set[tuple[str, str]]:
    """(table, trigger) of every trigger libcat made."""
    sql = ("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'" if cat.dialect == "sqlite" else
           "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal")
    with cat.engine.connect() as c:
        return {tuple(r) for r in c.execute(text(sql))}


def _sqlite_names(keys: set[tuple]) -> set[tuple]:
    """Foreign keys as SQLite's inspector lists them: without a name."""
    return {(*fk[:4], None, fk[5]) for fk in keys}


def _record(c: Connection, title: str = "Абай жолы") -> int:
    return c.execute(text("INSERT INTO records (source, flavour, data, title, created_at, datestamp, content_hash, "
                          "own_publication) VALUES ('', 'marc21', '{}', :t, '2020-01-01 00:00:00', "
                          "'2020-01-01 00:00:00', 'x', false) RETURNING id"), {"t": title}).scalar_one()


AT = dt.datetime(2020, 1, 1)
EVENT = "INSERT INTO record_events (record_id, kind, at) VALUES (:r, 'created', '2020-01-01 00:00:00')"
COPY = "INSERT INTO copies (record_id, inventory_number) VALUES (:r, 'ИНВ-1')"


def _refused(cat: Catalog, sql: str, params: dict, table: str, key: int) -> None:
    """``sql`` fails as a broken reference: SQLite's foreign key error, or on PostgreSQL SQLSTATE 23503 naming
    ``table``.record_id, the key's old name and the id ``key`` in its detail, as PostgreSQL's own check did."""
    with pytest.raises(IntegrityError) as err, cat.engine.begin() as c:
        c.execute(text(sql), params)
    if cat.dialect == "sqlite":
        assert "FOREIGN KEY constraint failed" in str(err.value)
        return
    diag = err.value.orig.diag
    assert err.value.orig.sqlstate == "23503"
    assert (diag.table_name, diag.column_name, diag.constraint_name) == (table, None, f"{table}_record_id_fkey")
    assert f"{table}_record_id_fkey" in diag.message_primary and f"=({key})" in diag.message_detail


def _count(cat: Catalog, table: str) -> int:
    with cat.engine.connect() as c:
        return c.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_an_event_or_copy_of_a_missing_record_is_refused(catalog: Catalog) -> None:
    with catalog.engine.begin() as c:
        rid = _record(c)
        c.execute(text(EVENT), {"r": rid})
        c.execute(text(COPY), {"r": rid})
    _refused(catalog, EVENT, {"r": rid + 1}, "record_events", rid + 1)
    _refused(catalog, COPY, {"r": rid + 1}, "copies", rid + 1)
    assert (_count(catalog, "record_events"), _count(catalog, "copies")) == (1, 1)


def test_a_statement_with_one_bad_row_is_refused_whole(catalog: Catalog) -> None:
    with catalog.engine.begin() as c:
        a, b = _record(c), _record(c, "Путь Абая")
    many = "INSERT INTO copies (record_id, inventory_number) VALUES (:a, '1'), (:b, '2'), (:x, '3'), (:a, '4')"
    _refused(catalog, many, {"a": a, "b": b, "x": b + 7}, "copies", b + 7)
    assert _count(catalog, "copies") == 0
    with catalog.engine.begin() as c:
        c.execute(text(many), {"a": a, "b": b, "x": b})
    assert _count(catalog, "copies") == 4
    # The importer's way: one driver call per table (binary COPY on PostgreSQL).
    expected = IntegrityError if catalog.dialect == "sqlite" else psycopg.errors.ForeignKeyViolation
    with pytest.raises(expected), catalog.session() as s:
        bulk.insert_rows(s, RecordEvent.__table__, ["record_id", "kind", "at"],
                         [(a, "created", AT), (b + 7, "created", AT)])
    with catalog.session() as s:
        bulk.insert_rows(s, RecordEvent.__table__, ["record_id", "kind", "at"],
                         [(a, "created", AT), (b, "created", AT)])
        bulk.insert_rows(s, Copy.__table__, ["record_id", "inventory_number"], [(b, "5"), (a, "6")])
    assert (_count(catalog, "record_events"), _count(catalog, "copies")) == (2, 6)


def test_moving_events_or_copies_to_a_missing_record_is_refused(catalog: Catalog) -> None:
    with catalog.engine.begin() as c:
        a, b = _record(c), _record(c, "Путь Абая")
        for rid in (a, b):
            c.execute(text(EVENT), {"r": rid})
            c.execute(text(COPY), {"r": rid})
    _refused(catalog, "UPDATE copies SET record_id = :x", {"x": b + 1}, "copies", b + 1)
    _refused(catalog, "UPDATE record_events SET record_id = :x WHERE record_id = :a", {"x": b + 1, "a": a},
             "record_events", b + 1)
    with catalog.engine.begin() as c:  # a merge: the survivor takes the copies
        c.execute(text("UPDATE copies SET record_id = :b WHERE record_id = :a"), {"a": a, "b": b})
        c.execute(text("UPDATE copies SET inventory_number = 'ИНВ-2'"))
    with catalog.engine.connect() as c:
        moved = c.execute(text("SELECT record_id, inventory_number FROM copies")).all()
    assert moved == [(b, "ИНВ-2"), (b, "ИНВ-2")]


def test_a_record_with_events_or_copies_is_neither_deleted_nor_renumbered(catalog: Catalog) -> None:
    with catalog.engine.begin() as c:
        logged, held, bare = _record(c), _record(c, "Путь Абая"), _record(c, "Көшпенділер")
        c.execute(text(EVENT), {"r": logged})
        c.execute(text(COPY), {"r": held})
    _refused(catalog, "DELETE FROM records WHERE id = :r", {"r": logged}, "record_events", logged)
    _refused(catalog, "DELETE FROM records WHERE id = :r", {"r": held}, "copies", held)
    _refused(catalog, "DELETE FROM records WHERE id IN (:r, :b)", {"r": held, "b": bare}, "copies", held)
    _refused(catalog, "UPDATE records SET id = :n WHERE id = :r", {"n": bare + 10, "r": logged}, "record_events",
             logged)
    with catalog.engine.begin() as c:
        c.execute(text("UPDATE records SET id = :n WHERE id = :r"), {"n": bare + 10, "r": bare})
        c.execute(text("UPDATE records SET id = id, title = 'Абай' WHERE id = :r"), {"r": logged})
        c.execute(text("DELETE FROM records WHERE id = :r"), {"r": bare + 10})
    with catalog.engine.connect() as c:
        assert c.execute(text("SELECT id, title FROM records ORDER BY id")).all() == [
            (logged, "Абай"), (held, "Путь Абая")]


# The same book entered twice without an ISBN: dedupe keeps the longer entry (three copies) and moves the
# other's copy to it, undo moves it back.
PAIR = [marc("ЦБ-7", "Ақ желкен", author="Шашкин", year=1975, copies=[("2001", "ЦБ"), ("2002", "ЦБ"),
                                                                      ("2003", "ЦБ")]),
        marc("ЦБ-8", "Ақ желкен", author="Шашкин", year=1975, copies=[("2004", "ЦБ")])]


def _holder(cat: Catalog, inventory_number: str) -> str:
    """Control number of the record holding a copy."""
    with cat.engine.connect() as c:
        return c.execute(text("SELECT r.control_number FROM copies c JOIN records r ON r.id = c.record_id "
                              "WHERE c.inventory_number = :n"), {"n": inventory_number}).scalar_one()


def test_import_merge_dedupe_and_undo_keep_every_event_and_copy_on_a_record(db_url: str, run_cli,
                                                                              tmp_path: Path) -> None:
    assert run_cli("init").exit_code == 0
    _import(run_cli, write_iso(tmp_path / "central.mrc", CENTRAL[:4] + PAIR), "--branch", "ЦБ")
    _import(run_cli, write_iso(tmp_path / "f3.mrc", BRANCH_MERGED), "--branch", "Ф3", "--on-duplicate", "merge")
    cat = open_catalog(db_url)
    assert _holder(cat, "3001") == "ЦБ-3" and _count(cat, "copies") == 11
    deduped = run_cli("dedupe", "--apply", "--include-candidates", "--format", "json")
    assert deduped.exit_code == 0 and json.loads(deduped.output)["merged"] == 1, deduped.output
    assert _holder(cat, "2004") == "ЦБ-7"
    assert run_cli("undo", str(_batches(run_cli)["dedupe"][-1])).exit_code == 0
    assert _holder(cat, "2004") == "ЦБ-8"
    assert run_cli("undo", str(_batches(run_cli)["import"][-1])).exit_code == 0
    with cat.engine.connect() as c:
        kinds = {k for (k,) in c.execute(text("SELECT DISTINCT kind FROM record_events"))}
        dangling = {name: c.execute(text(q)).scalars().all() for name, q in DANGLING.items()}
    assert kinds >= {"created", "absorbed", "merged", "undone"}
    assert dangling == {name: [] for name in DANGLING}
    assert _count(cat, "copies") == 9  # Ф3's two copies went with its import
    assert _triggers(cat) == (TRIGGERS if cat.dialect == "postgresql" else set())
    cat.engine.dispose()


def _catalogue_at_0007(url: str, tmp_path: Path) -> Catalog:
    """A catalogue at 0007 with 20 imported records, each with an event and a copy."""
    cat = open_catalog(url, must_exist=False)
    cat.upgrade("0007")
    path = write_iso(tmp_path / "old.mrc", [marc(f"ЕС-{i}", f"Ескі кітап {i}", isbn=isbn(100 + i),
                                                 copies=[(f"{i}", "ЦБ")]) for i in range(20)])
    assert imp.import_files(cat, [path], imp.ImportOptions()).added == 20
    return cat


def _holdings(cat: Catalog) -> list[tuple]:
    with cat.engine.connect() as c:
        return c.execute(text("SELECT r.control_number, c.inventory_number, e.kind FROM records r "
                              "JOIN copies c ON c.record_id = r.id JOIN record_events e ON e.record_id = r.id "
                              "ORDER BY r.id")).all()


def test_upgrade_from_0007_and_back_keeps_the_rows_and_restores_the_keys(db_url: str, second_url: str,
                                                                         tmp_path: Path) -> None:
    cat = _catalogue_at_0007(db_url, tmp_path)
    old, rows = _foreign_keys(cat.engine), _holdings(cat)
    named = REPLACED if cat.dialect == "postgresql" else _sqlite_names(REPLACED)
    assert len(rows) == 20 and named <= old and _triggers(cat) == set()
    cat.upgrade()
    assert _holdings(cat) == rows
    fresh = open_catalog(second_url, must_exist=False)
    fresh.init()
    if cat.dialect == "postgresql":
        assert _foreign_keys(cat.engine) == old - REPLACED and _triggers(cat) == TRIGGERS
    else:
        assert _foreign_keys(cat.engine) == old and _triggers(cat) == set()
    assert (_foreign_keys(fresh.engine), _triggers(fresh)) == (_foreign_keys(cat.engine), _triggers(cat))
    _migrate(cat, "downgrade", "0007")
    assert _foreign_keys(cat.engine) == old and _triggers(cat) == set() and _holdings(cat) == rows
    if cat.dialect == "postgresql":
        with cat.engine.connect() as c:
            assert c.execute(text("SELECT count(*) FROM pg_proc WHERE proname IN "
                                  "('record_id_present', 'records_unreferenced')")).scalar_one() == 0
    _migrate(cat, "stamp", "0008")  # both ways run again on a catalogue already as they leave it
    _migrate(cat, "downgrade", "0007")
    assert _foreign_keys(cat.engine) == old
    cat.upgrade()
    _migrate(cat, "stamp", "0007")
    cat.upgrade()
    assert (_foreign_keys(cat.engine), _triggers(cat)) == (_foreign_keys(fresh.engine), _triggers(fresh))
    fresh.engine.dispose()
    cat.engine.dispose()


def test_downgrade_refuses_events_or_copies_of_missing_records(catalog: Catalog) -> None:
    """Triggers take no lock on the record, so a hand-made delete racing a new copy can leave an orphan (made
    here with the triggers switched off): the downgrade names it and stops rather than delete the copy. SQLite
    checked the key all along."""
    with catalog.engine.begin() as c:
        rid = _record(c)
    if catalog.dialect == "sqlite":
        _refused(catalog, COPY, {"r": rid + 1}, "copies", rid + 1)
        return
    with catalog.engine.begin() as c:
        c.execute(text("SET LOCAL session_replication_role = replica"))
        orphan = c.execute(text(COPY + " RETURNING id"), {"r": rid + 1}).scalar_one()
    with pytest.raises(RuntimeError, match=rf"copies\.record_id -> records\.id: 1 row\(s\) .* ids {orphan} "
                                           rf"\(record {rid + 1}\)"):
        _migrate(catalog, "downgrade", "0007")
    assert _triggers(catalog) == TRIGGERS
    with catalog.engine.begin() as c:
        c.execute(text("UPDATE copies SET record_id = :r"), {"r": rid})
    _migrate(catalog, "downgrade", "0007")
    assert REPLACED <= _foreign_keys(catalog.engine)


def test_the_checks_do_not_depend_on_the_sessions_search_path(catalog: Catalog) -> None:
    """A ``pg_dump`` restore runs with an empty search path: the checks still find the tables (SQLite: same
    statements, no search path)."""
    postgresql = catalog.dialect == "postgresql"
    schema = "public." if postgresql else ""
    with catalog.engine.begin() as c:
        rid = _record(c)
    with catalog.engine.begin() as c:
        if postgresql:
            c.execute(text("SET LOCAL search_path = ''"))
        c.execute(text(f"INSERT INTO {schema}copies (record_id, inventory_number) VALUES (:r, 'ИНВ-қ')"), {"r": rid})
    for sql, params, table, key in ((f"INSERT INTO {schema}copies (record_id) VALUES (:r)", {"r": rid + 1}, "copies",
                                     rid + 1), (f"DELETE FROM {schema}records WHERE id = :r", {"r": rid}, "copies", rid)):
        with pytest.raises(IntegrityError) as err, catalog.engine.begin() as c:
            if postgresql:
                c.execute(text("SET LOCAL search_path = ''"))
            c.execute(text(sql), params)
        if postgresql:
            assert err.value.orig.sqlstate == "23503" and f"=({key})" in err.value.orig.diag.message_detail
    assert _count(catalog, "copies") == 1 and _count(catalog, "records") == 1


def test_an_update_that_keeps_the_record_is_not_checked_again(catalog: Catalog) -> None:
    """As a foreign key: only a changed record_id is checked, so a copy left pointing nowhere (here by switching
    the checks off) can still have its location corrected, while moving a copy to a missing record fails."""
    with catalog.engine.begin() as c:
        rid = _record(c)
        c.execute(text(COPY), {"r": rid})
    with catalog.engine.begin() as c:
        c.execute(text("SET LOCAL session_replication_role = replica" if catalog.dialect == "postgresql"
                       else "PRAGMA foreign_keys = OFF"))
        c.execute(text("INSERT INTO copies (record_id, inventory_number) VALUES (:r, 'жетім')"), {"r": rid + 5})
    with catalog.engine.begin() as c:
        c.execute(text("PRAGMA foreign_keys = ON") if catalog.dialect == "sqlite" else text("SELECT 1"))
        c.execute(text("UPDATE copies SET location = 'Орталық кітапхана'"))
    with catalog.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM copies WHERE location = 'Орталық кітапхана'")).scalar_one() == 2
    _refused(catalog, "UPDATE copies SET record_id = :x WHERE record_id = :r", {"x": rid + 9, "r": rid}, "copies",
             rid + 9)
