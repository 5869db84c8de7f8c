"""Migration 0007: one index, ix_records_cn_source (control_number, source), serves the lookups by control
number alone and by source and control number that two indexes served before (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Engine

from libcat.catalog import bulk
from libcat.catalog import importer as imp
from libcat.catalog import records as rec
from libcat.catalog.models import CatalogRecord
from libcat.catalog.store import Catalog, open_catalog
from test_import_helpers import isbn, marc, write_iso
from test_schema_0006 import _migrate

OLD = {("ix_records_control_number", ("control_number",)), ("ix_records_source_cn", ("source", "control_number"))}
NEW = ("ix_records_cn_source", ("control_number", "source"))


def _indexes(engine: Engine) -> set[tuple[str, tuple[str, ...]]]:
    return {(i["name"], tuple(i["column_names"])) for i in inspect(engine).get_indexes("records")}


def _imported(cat: Catalog, tmp_path) -> None:
    path = write_iso(tmp_path / "cn.mrc", [marc(f"КН-{i}", f"Қазақ халқының тарихы {i}", isbn=isbn(i))
                                           for i in range(30)])
    assert imp.import_files(cat, [path], imp.ImportOptions()).added == 30


def test_upgrade_from_0006_replaces_the_two_control_number_indexes(db_url: str, tmp_path) -> None:
    cat = open_catalog(db_url, must_exist=False)
    cat.init()
    _migrate(cat, "downgrade", "0006")
    assert OLD <= _indexes(cat.engine) and NEW not in _indexes(cat.engine)
    _imported(cat, tmp_path)
    cat.upgrade()
    assert NEW in _indexes(cat.engine) and not OLD & _indexes(cat.engine)
    with cat.session() as s:
        assert rec.find(s, "КН-7").title.startswith("Қазақ халқының тарихы 7")
    cat.engine.dispose()


def test_a_new_catalogue_has_the_indexes_of_an_upgraded_one(db_url: str, second_url: str) -> None:
    upgraded = open_catalog(db_url, must_exist=False)
    upgraded.upgrade("0006")
    upgraded.init()
    fresh = open_catalog(second_url, must_exist=False)
    fresh.init()
    assert _indexes(fresh.engine) == _indexes(upgraded.engine)
    _migrate(upgraded, "downgrade", "0006")
    # 0009's downgrade gives PostgreSQL back the index it dropped there
    back = {("ix_records_subcat_id", ("subcat_id",))} if upgraded.dialect == "postgresql" else set()
    assert _indexes(upgraded.engine) == (_indexes(fresh.engine) - {NEW}) | OLD | back
    upgraded.upgrade()
    assert _indexes(upgraded.engine) == _indexes(fresh.engine)
    fresh.engine.dispose()
    upgraded.engine.dispose()


def _plan(cat: Catalog, query) -> str:
    with cat.Session() as s:
        s.execute(text("ANALYZE"))
        if cat.dialect == "sqlite":
            sql = str(query(s).compile(s.get_bind(), compile_kwargs={"literal_binds": True}))
            return " ".join(r[3] for r in s.execute(text("EXPLAIN QUERY PLAN " + sql)))
        s.execute(text("SET LOCAL enable_seqscan = off"))
        compiled = query(s).compile(s.get_bind())
        return " ".join(r[0] for r in s.connection().exec_driver_sql("EXPLAIN " + str(compiled), compiled.params))


def test_lookups_by_control_number_read_the_new_index(catalog: Catalog, tmp_path) -> None:
    _imported(catalog, tmp_path)
    alone = _plan(catalog, lambda s: select(CatalogRecord.id).where(CatalogRecord.control_number == "КН-3"))
    matching = _plan(catalog, lambda s: select(CatalogRecord.id).where(
        CatalogRecord.source == "", CatalogRecord.deleted_at.is_(None),
        bulk.among(s, CatalogRecord.control_number, ["КН-3", "КН-4"])))
    assert NEW[0] in alone
    if catalog.dialect == "postgresql":
        assert NEW[0] in matching
