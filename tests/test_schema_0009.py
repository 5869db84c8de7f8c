"""Migration 0009: fewer index entries per imported record. ix_records_source_external_id holds only records with
an external id (both databases), and on PostgreSQL ix_records_deleted_at holds only tombstones. The queries that
read them still do: the importer's identity lookups (the external ids bound as one list, as ``bulk.among`` sends
them) and deletions, tombstone ranges (catalog.counts) and export's deleted records."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator

from sqlalchemy import event, select, text

from libcat.catalog import bulk, counts
from libcat.catalog import export as ex
from libcat.catalog.models import CatalogRecord as R
from libcat.catalog.store import Catalog, open_catalog
from test_schema_0006 import _migrate

#: What 0009 makes of the indexes it changes, per dialect (SQLite keeps 0008's whole deleted_at index).
MADE = {
    "postgresql": {
        "ix_records_source_external_id": "USING btree (source, external_id) WHERE (external_id IS NOT NULL)",
        "ix_records_deleted_at": "USING btree (deleted_at) WHERE (deleted_at IS NOT NULL)",
    },
    "sqlite": {
        "ix_records_source_external_id": "ON records (source, external_id) WHERE external_id IS NOT NULL",
        "ix_records_deleted_at": "ON records (deleted_at)",
    },
}


def _indexes(cat: Catalog) -> dict[str, str]:
    """Definition of every index of records and record_events: PostgreSQL's from USING on, SQLite's from ON."""
    sql = ("SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('records', 'record_events')"
           if cat.dialect == "postgresql" else
           "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('records', 'record_events') "
           "AND sql IS NOT NULL")
    with cat.engine.connect() as c:
        found = c.execute(text(sql)).all()
    return {name: made[made.index("USING"):] if " USING " in made else made[made.index(" ON ") + 1:]
            for name, made in found}


def _fill(cat: Catalog) -> None:
    """Records (every tenth deleted, every third with an external id) with a created event each in batch 1,
    and a later batch 2 that deleted some; analyzed, as the importer leaves a catalogue (without statistics
    SQLite looks live records up through ix_records_deleted_at, at 0008 as at 0009)."""
    with cat.engine.begin() as c:
        c.execute(text("INSERT INTO batches (id, kind, status, started_at) VALUES (1, 'import', 'done', :t), "
                       "(2, 'import', 'done', :t)"), {"t": dt.datetime(2024, 5, 1)})
        for i in range(60):
            deleted = dt.datetime(2024, 6, 1 + i % 20) if i % 10 == 0 else None
            rid = c.execute(text(
                "INSERT INTO records (control_number, source, external_id, flavour, data, created_at, datestamp, "
                "deleted_at, content_hash, own_publication) VALUES (:cn, 'irbis', :ext, 'marc21', '{}', :t, :t, "
                ":d, 'x', false) RETURNING id"), {"cn": f"ЦБ-{i}", "ext": f"mfn:{i}" if i % 3 == 0 else None,
                                                  "t": dt.datetime(2024, 5, 1), "d": deleted}).scalar_one()
            c.execute(text("INSERT INTO record_events (record_id, batch_id, kind, at) VALUES (:r, 1, 'created', :t)"),
                      {"r": rid, "t": dt.datetime(2024, 5, 1, 0, i)})
            if deleted:
                c.execute(text("INSERT INTO record_events (record_id, batch_id, kind, at) VALUES (:r, 2, 'deleted', "
                               ":t)"), {"r": rid, "t": deleted})
    with cat.engine.begin() as c:
        c.execute(text("ANALYZE"))


@contextlib.contextmanager
def _plans(cat: Catalog) -> Iterator[list[str]]:
    """Collect the plan of every SELECT the catalogue runs meanwhile (PostgreSQL: sequential scans off, so the
    plan shows whether an index can serve the query, whatever the few rows here cost)."""
    plans: list[str] = []

    def explain(conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith("SELECT"):
            return
        raw = conn.connection.dbapi_connection.cursor()
        if cat.dialect == "postgresql":
            raw.execute("SET enable_seqscan = off")
            raw.execute("EXPLAIN (COSTS OFF) " + statement, parameters)
            plans.append("\n".join(row[0] for row in raw.fetchall()))
        else:
            raw.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            plans.append("\n".join(row[3] for row in raw.fetchall()))

    event.listen(cat.engine, "before_cursor_execute", explain)
    try:
        yield plans
    finally:
        event.remove(cat.engine, "before_cursor_execute", explain)


def _plan(cat: Catalog, query) -> str:
    """The plan of one SELECT, run in a session (so ``bulk.among`` binds as it does for the importer)."""
    with _plans(cat) as plans, cat.session() as s:
        s.execute(query(s)).all()
    return plans[-1]


def _uses(plan: str, index: str, postgresql: bool) -> bool:
    """Whether ``plan`` reads ``index`` (PostgreSQL: an index or bitmap index scan; SQLite: a search)."""
    if postgresql:
        return re.search(rf"Index (Only )?Scan (using|on) {index}\b", plan) is not None
    return re.search(rf"SEARCH \w+ USING (COVERING )?INDEX {index} ", plan) is not None


def test_the_indexes_are_made_as_intended_per_database(catalog: Catalog) -> None:
    made = _indexes(catalog)
    for name, definition in MADE[catalog.dialect].items():
        assert made[name] == definition
    assert {"ix_record_events_at", "ix_record_events_batch_id", "ix_records_counts"} <= made.keys()
    assert ("ix_records_subcat_id" in made) is (catalog.dialect == "sqlite")


def test_upgrade_from_0008_and_back(db_url: str, second_url: str) -> None:
    cat = open_catalog(db_url, must_exist=False)
    cat.upgrade("0008")
    _fill(cat)
    old = _indexes(cat)
    with cat.engine.connect() as c:
        rows = c.execute(text("SELECT * FROM records ORDER BY id")).all() + c.execute(
            text("SELECT * FROM record_events ORDER BY id")).all()
    cat.upgrade()
    fresh = open_catalog(second_url, must_exist=False)
    fresh.init()
    assert _indexes(cat) == _indexes(fresh)
    assert {name: _indexes(cat)[name] for name in MADE[cat.dialect]} == MADE[cat.dialect]
    _migrate(cat, "downgrade", "0008")
    assert _indexes(cat) == old
    _migrate(cat, "stamp", "0009")  # both ways run again on a catalogue already as they leave it
    _migrate(cat, "downgrade", "0008")
    assert _indexes(cat) == old
    cat.upgrade()
    _migrate(cat, "stamp", "0008")
    cat.upgrade()
    assert _indexes(cat) == _indexes(fresh)
    with cat.engine.connect() as c:
        assert c.execute(text("SELECT * FROM records ORDER BY id")).all() + c.execute(
            text("SELECT * FROM record_events ORDER BY id")).all() == rows
    fresh.engine.dispose()
    cat.engine.dispose()


def test_the_importers_external_id_lookups_use_the_partial_index(catalog: Catalog) -> None:
    _fill(catalog)
    pg = catalog.dialect == "postgresql"
    live = (R.source == "irbis", R.deleted_at.is_(None))
    wanted = ["mfn:3", "mfn:6", "mfn:99"]
    identities = _plan(catalog, lambda s: select(R.id, R.external_id).where(
        *live, bulk.among(s, R.external_id, wanted)).order_by(R.id))
    deletions = _plan(catalog, lambda s: select(R).where(*live, R.external_id == "mfn:3").order_by(R.id).limit(1))
    assert _uses(identities, "ix_records_source_external_id", pg), identities
    assert _uses(deletions, "ix_records_source_external_id", pg), deletions
    if pg:  # a plan for any list, as PostgreSQL makes for a statement prepared once and run again
        with catalog.engine.connect() as c:
            c.execute(text("SET plan_cache_mode = force_generic_plan"))
            c.execute(text("SET enable_seqscan = off"))
            c.execute(text("PREPARE lookup(text, text[]) AS SELECT id FROM records WHERE source = $1 "
                           "AND deleted_at IS NULL AND external_id = ANY($2)"))
            generic = "\n".join(c.execute(text("EXPLAIN (COSTS OFF) EXECUTE lookup('irbis', '{mfn:3}')")).scalars())
        assert _uses(generic, "ix_records_source_external_id", pg) and "$2" in generic, generic


def test_tombstone_queries_use_the_deleted_at_index(catalog: Catalog) -> None:
    _fill(catalog)
    pg = catalog.dialect == "postgresql"
    with _plans(catalog) as plans, catalog.engine.connect() as c:
        assert counts.entered(c, dt.date(2024, 1, 1), dt.date(2024, 6, 5)) == 0
    if not pg:  # SQLite keeps 0008's whole index (so its plans are 0008's): it scans records for these few rows
        assert _indexes(catalog)["ix_records_deleted_at"] == "ON records (deleted_at)"
        return
    tombstones = [p for p in plans if "deleted_at >=" in p]  # an index condition or a filter
    assert tombstones and all(_uses(p, "ix_records_deleted_at", pg) for p in tombstones), plans
    since = _plan(catalog, lambda s: ex._selection(s, ex.ExportOptions(since=dt.datetime(2024, 6, 10)),
                                                   deleted=True))
    deleted = _plan(catalog, lambda s: ex._selection(s, ex.ExportOptions(), deleted=True))
    assert _uses(since, "ix_records_deleted_at", pg), since
    assert _uses(deleted, "ix_records_deleted_at", pg), deleted
