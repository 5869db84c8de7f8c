"""Migration 0006: on PostgreSQL the foreign keys record_keys.record_id, records.batch_id, record_events.batch_id
and records.subcat_id are dropped (SQLite keeps them), and the application alone keeps those references whole:
after imports, updates, merges, a deletion, dedupe and undo no row refers to a missing record, batch or
sub-catalogue (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.engine import Engine

from libcat.catalog.store import Catalog, _alembic_config, open_catalog
from test_import_helpers import isbn, marc, write_iso

MIGRATION = ScriptDirectory.from_config(_alembic_config()).get_revision("0006").module
#: The foreign keys 0006 drops on PostgreSQL: (table, columns, referred table).
UNCHECKED = {(table, (column,), referred) for table, column, referred, _ in MIGRATION.UNCHECKED}


def _foreign_keys(engine: Engine) -> set[tuple]:
    """Every foreign key: (table, columns, referred table, referred columns, name, ON DELETE)."""
    found = inspect(engine)
    return {(t, tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]), fk["name"],
             (fk.get("options") or {}).get("ondelete"))
            for t in found.get_table_names() for fk in found.get_foreign_keys(t)}


def _references(engine: Engine) -> set[tuple[str, tuple[str, ...], str]]:
    return {fk[:3] for fk in _foreign_keys(engine)}


def _migrate(cat: Catalog, action: str, revision: str) -> None:
    """Run Alembic's ``upgrade``, ``downgrade`` or ``stamp`` to ``revision`` on the catalogue."""
    with cat.engine.begin() as conn:
        getattr(command, action)(_alembic_config(conn), revision)


def _catalogue_at_0005(url: str) -> Catalog:
    """A catalogue at 0005 with a record in a sub-catalogue and a batch, its match key, copy and event."""
    cat = open_catalog(url, must_exist=False)
    cat.upgrade("0005")
    with cat.engine.begin() as c:
        c.execute(text("INSERT INTO subcatalogs (code, name_ru, name_kk, name_en, sort_order) "
                       "VALUES ('books', 'Книги', 'Кітаптар', 'Books', 1)"))
        c.execute(text("INSERT INTO batches (kind, status, started_at) VALUES ('import', 'done', '2020-01-01 00:00:00')"))
        c.execute(text("INSERT INTO records (source, flavour, data, title, created_at, datestamp, content_hash, "
                       "own_publication, subcat_id, batch_id) VALUES ('', 'marc21', '{}', 'Ескі жазба', "
                       "'2020-01-01 00:00:00', '2020-01-01 00:00:00', 'x', false, 1, 1)"))
        c.execute(text("INSERT INTO record_keys (record_id, kind, value) VALUES (1, 'isbn', '9786010000011')"))
        c.execute(text("INSERT INTO copies (record_id, inventory_number) VALUES (1, 'ИНВ-1')"))
        c.execute(text("INSERT INTO record_events (record_id, batch_id, kind, at) "
                       "VALUES (1, 1, 'created', '2020-01-01 00:00:00')"))
    return cat


def _rows(cat: Catalog) -> list[tuple]:
    with cat.engine.connect() as c:
        return c.execute(text("SELECT r.title, r.subcat_id, r.batch_id, k.value, p.inventory_number, e.batch_id "
                              "FROM records r JOIN record_keys k ON k.record_id = r.id "
                              "JOIN copies p ON p.record_id = r.id JOIN record_events e ON e.record_id = r.id")).all()


def test_upgrade_from_0005_drops_the_four_foreign_keys_on_postgresql_only(db_url: str) -> None:
    cat = _catalogue_at_0005(db_url)
    old = _references(cat.engine)
    assert UNCHECKED <= old
    rows = _rows(cat)
    _migrate(cat, "upgrade", "0006")  # later revisions replace more keys (0008)
    assert _rows(cat) == rows == [("Ескі жазба", 1, 1, "9786010000011", "ИНВ-1", 1)]
    if cat.dialect == "postgresql":
        assert _references(cat.engine) == old - UNCHECKED
        assert {("copies", ("record_id",), "records"), ("record_events", ("record_id",), "records"),
                ("digital_files", ("record_id",), "records"), ("contract_records", ("record_id",), "records"),
                ("quarantine", ("batch_id",), "batches"), ("harvest_sources", ("last_batch_id",), "batches"),
                ("records", ("merged_into",), "records")} <= _references(cat.engine)
    else:
        assert _references(cat.engine) == old
    cat.engine.dispose()


def test_a_new_catalogue_has_the_foreign_keys_of_an_upgraded_one(db_url: str, second_url: str) -> None:
    upgraded = _catalogue_at_0005(db_url)
    upgraded.init()
    fresh = open_catalog(second_url, must_exist=False)
    fresh.init()
    assert _foreign_keys(fresh.engine) == _foreign_keys(upgraded.engine)
    fresh.engine.dispose()
    upgraded.engine.dispose()


def test_downgrade_to_0005_restores_the_foreign_keys_of_0005(catalog: Catalog, second_url: str) -> None:
    new = _foreign_keys(catalog.engine)
    old = open_catalog(second_url, must_exist=False)
    old.upgrade("0005")
    _migrate(catalog, "downgrade", "0005")
    assert _foreign_keys(catalog.engine) == _foreign_keys(old.engine)  # same names, record_keys' ON DELETE CASCADE
    assert ("record_keys", ("record_id",), "records", ("id",), None if catalog.dialect == "sqlite"
            else "record_keys_record_id_fkey", "CASCADE") in _foreign_keys(catalog.engine)
    catalog.upgrade()
    assert _foreign_keys(catalog.engine) == new
    old.engine.dispose()


def test_the_migration_runs_on_a_catalogue_whose_foreign_keys_are_already_as_it_leaves_them(catalog: Catalog) -> None:
    new = _foreign_keys(catalog.engine)
    _migrate(catalog, "stamp", "0005")
    catalog.upgrade()
    assert _foreign_keys(catalog.engine) == new
    _migrate(catalog, "downgrade", "0005")
    old = _foreign_keys(catalog.engine)
    _migrate(catalog, "stamp", "0006")
    _migrate(catalog, "downgrade", "0005")
    assert _foreign_keys(catalog.engine) == old


#: Rows that refer to a record, batch or sub-catalogue that does not exist (0006 leaves these to the application).
DANGLING = {
    "record_keys.record_id": "SELECT k.id FROM record_keys k LEFT JOIN records r ON r.id = k.record_id "
                             "WHERE r.id IS NULL",
    "record_events.record_id": "SELECT e.id FROM record_events e LEFT JOIN records r ON r.id = e.record_id "
                               "WHERE r.id IS NULL",
    "record_events.batch_id": "SELECT e.id FROM record_events e LEFT JOIN batches b ON b.id = e.batch_id "
                              "WHERE e.batch_id IS NOT NULL AND b.id IS NULL",
    "records.batch_id": "SELECT r.id FROM records r LEFT JOIN batches b ON b.id = r.batch_id "
                        "WHERE r.batch_id IS NOT NULL AND b.id IS NULL",
    "records.subcat_id": "SELECT r.id FROM records r LEFT JOIN subcatalogs s ON s.id = r.subcat_id "
                         "WHERE r.subcat_id IS NOT NULL AND s.id IS NULL",
    "records.merged_into": "SELECT r.id FROM records r LEFT JOIN records m ON m.id = r.merged_into "
                           "WHERE r.merged_into IS NOT NULL AND m.id IS NULL",
    # record_keys indexes live records only: a tombstone keeps no key (its events keep what undo needs).
    "record_keys of a tombstone": "SELECT k.id FROM record_keys k JOIN records r ON r.id = k.record_id "
                                  "WHERE r.deleted_at IS NOT NULL",
}

# The central library's books (Kazakh and Russian), with ISBNs and copies.
CENTRAL = [
    marc("ЦБ-1", "Абай жолы", author="Әуезов", year=2019, isbn=isbn(1), copies=[("1001", "ЦБ"), ("1002", "ЦБ")]),
    marc("ЦБ-2", "Путь Абая", author="Ауэзов", year=2012, isbn=isbn(2), copies=[("1003", "ЦБ")]),
    marc("ЦБ-3", "Көшпенділер", author="Есенберлин", year=2001, isbn=isbn(3), copies=[("1004", "ЦБ")]),
    marc("ЦБ-4", "Кочевники", author="Есенберлин", year=2005, isbn=isbn(4), copies=[("1005", "ЦБ")]),
    # The same book entered twice without an ISBN: a candidate pair for dedupe.
    marc("ЦБ-5", "Қан мен тер", author="Нұрпейісов", year=1990, copies=[("1006", "ЦБ")]),
    marc("ЦБ-6", "Қан мен тер", author="Нұрпейісов", year=1990),
]
# The central library's corrections of two of them: a title completed, a copy added, a copy written off.
CORRECTED = [
    marc("ЦБ-1", "Абай жолы: роман-эпопея", author="Әуезов", year=2019, isbn=isbn(1),
         copies=[("1001", "ЦБ"), ("1002", "ЦБ"), ("1007", "ЦБ")]),
    marc("ЦБ-2", "Путь Абая: роман", author="Ауэзов", year=2012, isbn=isbn(2)),
]
# Branches' records of books the centre has (same ISBN), and one of their own.
BRANCH_MERGED = [marc("Ф3-1", "Көшпенділер: трилогия", author="Есенберлин", year=2001, isbn=isbn(3),
                      copies=[("3001", "Ф3")]),
                 marc("Ф3-2", "Оянған өлке", author="Мүсірепов", year=1986, isbn=isbn(5), copies=[("3002", "Ф3")])]
BRANCH_UPDATED = [marc("Ф4-1", "Кочевники: трилогия", author="Есенберлин", year=2005, isbn=isbn(4),
                       copies=[("4001", "Ф4")])]


def _batches(run_cli) -> dict[str, list[int]]:
    """Batch ids by kind, oldest first."""
    out = run_cli("batches", "--format", "json")
    assert out.exit_code == 0, out.output
    found: dict[str, list[int]] = {}
    for b in reversed(json.loads(out.output)):
        found.setdefault(b["kind"], []).append(b["batch"])
    return found


def _import(run_cli, path: Path, *args: str) -> None:
    out = run_cli("import", str(path), *args)
    assert out.exit_code == 0, out.output


def test_the_application_keeps_the_references_postgresql_no_longer_checks(db_url: str, run_cli, tmp_path: Path) -> None:
    assert run_cli("init").exit_code == 0
    _import(run_cli, write_iso(tmp_path / "central.mrc", CENTRAL), "--branch", "ЦБ")
    _import(run_cli, write_iso(tmp_path / "corrected.mrc", CORRECTED), "--branch", "ЦБ", "--into", "rare")
    _import(run_cli, write_iso(tmp_path / "f3.mrc", BRANCH_MERGED), "--branch", "Ф3", "--on-duplicate", "merge")
    _import(run_cli, write_iso(tmp_path / "f4.mrc", BRANCH_UPDATED), "--branch", "Ф4", "--on-duplicate", "update")
    assert run_cli("delete", "ЦБ-2", "--reason", "списано").exit_code == 0
    deduped = run_cli("dedupe", "--apply", "--include-candidates", "--format", "json")
    assert deduped.exit_code == 0 and json.loads(deduped.output)["merged"] == 1, deduped.output
    batches = _batches(run_cli)
    assert run_cli("undo", str(batches["dedupe"][-1])).exit_code == 0
    assert run_cli("undo", str(batches["import"][-1])).exit_code == 0  # the update by Ф4's duplicate
    cat = open_catalog(db_url)
    with cat.engine.connect() as c:
        kinds = {k for (k,) in c.execute(text("SELECT DISTINCT kind FROM record_events"))}
        dangling = {name: c.execute(text(q)).scalars().all() for name, q in DANGLING.items()}
        counts = c.execute(text("SELECT (SELECT count(*) FROM records), (SELECT count(*) FROM record_keys), "
                                "(SELECT count(DISTINCT subcat_id) FROM records)")).one()
    cat.engine.dispose()
    assert kinds >= {"created", "updated", "absorbed", "deleted", "merged", "undone"}
    assert counts[0] == 7 and counts[1] > 7 and counts[2] >= 2
    assert dangling == {name: [] for name in DANGLING}


def test_downgrade_clears_references_the_server_did_not_check(catalog: Catalog) -> None:
    """Rows made while PostgreSQL did not check these references may point nowhere (a hand-made SQL edit):
    the downgrade deletes such match keys and clears such batch and sub-catalogue references, so the
    constraints can be made again. SQLite checked them all along."""
    orphans = ["INSERT INTO records (source, flavour, data, created_at, datestamp, content_hash, own_publication, "
               "subcat_id, batch_id) VALUES ('', 'marc21', '{}', '2020-01-01 00:00:00', '2020-01-01 00:00:00', 'y', "
               "false, 999, 999)",
               "INSERT INTO record_keys (record_id, kind, value) VALUES (999, 'isbn', '9786010000028')"]
    if catalog.dialect == "sqlite":
        for sql in orphans:
            with pytest.raises(IntegrityError), catalog.engine.begin() as c:
                c.execute(text(sql))
        return
    with catalog.engine.begin() as c:
        for sql in orphans:
            c.execute(text(sql))
    _migrate(catalog, "downgrade", "0005")
    with catalog.engine.connect() as c:
        assert c.execute(text("SELECT subcat_id, batch_id FROM records")).all() == [(None, None)]
        assert c.execute(text("SELECT count(*) FROM record_keys")).scalar() == 0
    assert UNCHECKED <= _references(catalog.engine)
