"""Migration 0005: lz4 for the big text columns on PostgreSQL servers that have it, and the indexes no query
reads dropped. A 0004 catalogue upgraded to 0005 keeps its rows and gets the schema a new one gets."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Engine

from libcat.catalog.models import NOT_ON_POSTGRESQL, Base, CatalogRecord, Copy
from libcat.catalog.store import Catalog, _alembic_config, head_revision, open_catalog

MIGRATION = ScriptDirectory.from_config(_alembic_config()).get_revision("0005").module
#: Indexes 0005 drops (table, name).
DROPPED = {(table, name) for name, table, _ in MIGRATION.UNUSED}
#: A record's JSON over PostgreSQL's 2 kB compression threshold, so it is stored compressed.
NOTE = '{{"500":{{"ind1":" ","ind2":" ","subfields":[{{"a":"Ескерту {}: қазақ әдебиеті"}}]}}}}'
BIG_DATA = '{"leader":"00000nam a2200000 i 4500","fields":[' + ",".join(NOTE.format(i) for i in range(60)) + "]}"


def _indexes(engine: Engine) -> set[tuple[str, str, tuple[str, ...]]]:
    found = inspect(engine)
    return {(t, i["name"], tuple(i["column_names"])) for t in found.get_table_names() for i in found.get_indexes(t)}


def _compression(engine: Engine) -> dict[tuple[str, str], str]:
    """(table, column) -> PostgreSQL compression method set on it ('' for the server default); {} on SQLite."""
    if engine.dialect.name != "postgresql":
        return {}
    q = text("SELECT c.relname, a.attname, a.attcompression FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
             "JOIN pg_namespace n ON n.oid = c.relnamespace "
             "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped")
    with engine.connect() as conn:
        return {(t, c): str(m or "") for t, c, m in conn.execute(q)}


def _schema(engine: Engine) -> dict:
    """Tables, columns, indexes, foreign keys and column compression, to compare two catalogues."""
    found = inspect(engine)
    tables = {}
    for t in sorted(found.get_table_names()):
        tables[t] = (
            [(c["name"], str(c["type"]), c["nullable"], str(c.get("default"))) for c in found.get_columns(t)],
            sorted((fk["constrained_columns"], fk["referred_table"], fk["referred_columns"])
                   for fk in found.get_foreign_keys(t)),
        )
    return {"tables": tables, "indexes": _indexes(engine), "compression": _compression(engine)}


def _has_lz4(cat: Catalog) -> bool:
    with cat.engine.connect() as conn:
        return MIGRATION.has_lz4(conn)


def _catalogue_at_0004(url: str) -> Catalog:
    """A catalogue at 0004 with a record (JSON over 2 kB), one copy and its event."""
    cat = open_catalog(url, must_exist=False)
    cat.upgrade("0004")
    with cat.engine.begin() as c:
        c.execute(text("INSERT INTO subcatalogs (code, name_ru, name_kk, name_en, sort_order) "
                       "VALUES ('books', 'Книги', 'Кітаптар', 'Books', 1)"))
        c.execute(text("INSERT INTO batches (kind, status, started_at) "
                       "VALUES ('import', 'done', '2020-01-01 00:00:00')"))
        c.execute(text("INSERT INTO records (source, flavour, data, title, created_at, datestamp, content_hash, "
                       "own_publication, subcat_id, batch_id) VALUES ('', 'marc21', :d, 'Ескі жазба', "
                       "'2020-01-01 00:00:00', '2020-01-01 00:00:00', 'x', false, 1, 1)"), {"d": BIG_DATA})
        c.execute(text("INSERT INTO copies (record_id, inventory_number) VALUES (1, 'ИНВ-1')"))
        c.execute(text("INSERT INTO record_events (record_id, batch_id, kind, at) "
                       "VALUES (1, 1, 'created', '2020-01-01 00:00:00')"))
    return cat


def test_upgrade_from_0004_keeps_rows_drops_unused_indexes_and_compresses_with_lz4(db_url: str) -> None:
    cat = _catalogue_at_0004(db_url)
    assert DROPPED <= {(t, n) for t, n, _ in _indexes(cat.engine)}
    before, after, _ = cat.init()
    assert (before, after) == ("0004", head_revision())
    assert not DROPPED & {(t, n) for t, n, _ in _indexes(cat.engine)}
    with cat.session() as s:
        assert s.scalar(select(CatalogRecord.data)) == BIG_DATA
        assert s.scalar(select(Copy.inventory_number)) == "ИНВ-1"
    methods = _compression(cat.engine)
    if cat.dialect == "postgresql" and _has_lz4(cat):
        assert {methods[c] for c in MIGRATION.COMPRESSED} == {"l"}
        with cat.engine.begin() as c:  # a value stored now is compressed with lz4, the old one keeps pglz
            c.execute(text("INSERT INTO records (source, flavour, data, created_at, datestamp, content_hash, "
                           "own_publication) VALUES ('', 'marc21', :d, '2020-01-01 00:00:00', "
                           "'2020-01-01 00:00:00', 'y', false)"), {"d": BIG_DATA})
            got = c.execute(text("SELECT id, pg_column_compression(data) FROM records ORDER BY id")).all()
        assert got == [(1, "pglz"), (2, "lz4")]
    else:
        assert "l" not in methods.values()
    cat.engine.dispose()


def test_a_new_catalogue_has_the_schema_of_an_upgraded_one(db_url: str, second_url: str) -> None:
    upgraded = _catalogue_at_0004(db_url)
    upgraded.init()
    fresh = open_catalog(second_url, must_exist=False)
    fresh.init()
    assert _schema(fresh.engine) == _schema(upgraded.engine)
    postgresql = fresh.engine.dialect.name == "postgresql"
    declared = {(t.name, i.name, tuple(c.name for c in i.columns))
                for t in Base.metadata.sorted_tables for i in t.indexes
                if not (postgresql and i.info == NOT_ON_POSTGRESQL)}
    assert {i for i in _indexes(fresh.engine) if i[1] in {n for _, n, _ in declared}} == declared
    fresh.engine.dispose()
    upgraded.engine.dispose()


def test_downgrade_to_0004_restores_indexes_and_compression(catalog: Catalog) -> None:
    new = _schema(catalog.engine)
    with catalog.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0004")
    old = _schema(catalog.engine)
    assert DROPPED <= {(t, n) for t, n, _ in old["indexes"]}
    assert "l" not in old["compression"].values()
    catalog.upgrade()
    assert _schema(catalog.engine) == new
