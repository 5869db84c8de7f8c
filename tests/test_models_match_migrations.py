"""The models describe the schema the migrations make: Alembic's autogenerate finds nothing to add or drop on a
new catalogue, on SQLite and on PostgreSQL (where the foreign keys migrations 0006 and 0008 replaced, and the
index 0009 dropped, are left out by the hook the migration environment uses)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from libcat.catalog.models import NOT_ON_POSTGRESQL, Base, included_on_postgresql


def _differences(catalog, hooked: bool) -> list:
    with catalog.engine.connect() as conn:
        opts = {"include_object": included_on_postgresql} if hooked else {}
        return compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)


def _marked() -> set[tuple[str, str]]:
    return {(fk.parent.table.name, fk.parent.name) for t in Base.metadata.tables.values()
            for fk in t.foreign_keys if fk.info == NOT_ON_POSTGRESQL}


def _marked_indexes() -> set[str]:
    return {i.name for t in Base.metadata.tables.values() for i in t.indexes if i.info == NOT_ON_POSTGRESQL}


def test_autogenerate_finds_no_difference_on_a_new_catalogue(catalog):
    postgresql = catalog.engine.dialect.name == "postgresql"
    assert _differences(catalog, hooked=postgresql) == []


def test_the_hook_leaves_out_exactly_the_foreign_keys_and_indexes_postgresql_does_not_hold(catalog):
    unhooked = _differences(catalog, hooked=False)
    added = {(d[1].table.name, d[1].columns.keys()[0]) for d in unhooked if d[0] == "add_fk"}
    indexes = {d[1].name for d in unhooked if d[0] == "add_index"}
    assert len(_marked()) == 6 and _marked_indexes() == {"ix_records_subcat_id"}
    if catalog.engine.dialect.name == "postgresql":
        assert added == _marked() and indexes == _marked_indexes() and len(unhooked) == len(added) + len(indexes)
    else:
        assert unhooked == []
