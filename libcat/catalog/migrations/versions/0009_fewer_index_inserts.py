"""Fewer index entries per imported record: indexes of records that hold only the rows their queries look for.

* ``ix_records_source_external_id`` holds only records with an external id (``WHERE external_id IS NOT NULL``),
  on both databases. Only the importer reads it: ``external_id = ANY(...)`` / ``IN (SELECT value FROM
  json_each(?))`` of its identity lookups and ``external_id = ?`` of its deletions, terms that imply the
  condition, so both planners still use it (PostgreSQL also in the generic plan of a prepared statement). An
  ISO 2709 import stores no external id, so its records add no entry.
* ``ix_records_deleted_at`` holds only tombstones (``WHERE deleted_at IS NOT NULL``), on PostgreSQL only. Its
  queries look for tombstones: ``deleted_at >= ...`` ranges (catalog.counts, export --since of deleted records)
  and ``IS NOT NULL`` (export's deleted list), which imply the condition; PostgreSQL never reads it for live
  records (``IS NULL``), which ix_records_report and ix_records_counts hold. SQLite keeps the whole index: with
  statistics it reads live records through it (``deleted_at IS NULL``: records.live, dedupe.refresh_keys,
  export of a sub-catalogue), and without it 200,000 records took 57 -> 85-104 ms (refresh_keys' anti-join)
  and 2.0 -> 3.0 s (export --subcat).
* ``ix_records_subcat_id`` is dropped on PostgreSQL. It is the first column of ix_records_counts and
  ix_records_subcat_datestamp_id, which serve its queries there (a sub-catalogue's records, counts, OAI sets);
  SQLite keeps it, to read a sub-catalogue in id order (0005). The models mark it ``NOT_ON_POSTGRESQL``.

Inserting 100,000 import-like records into PostgreSQL 15 in one statement, the server's CPU fell from
15.0-15.5 to 13.4-13.8 µs a record (4 rounds each, alternating); into SQLite, the process's from 8.2-8.5 to
7.6-7.9 µs (external_id only). Importing bench-data/import-100000.mrc into a new PostgreSQL catalogue on a busy
machine, the server's CPU per record went 59 -> 57, 58 -> 57, 60 -> 58, 58 -> 55 µs (4 alternating pairs),
the catalogues identical (records, copies, events, keys; SQLite too).

Kept as they were: record_events' at and batch_id indexes (as BRIN on PostgreSQL they saved ~1 µs a record,
but a 2,000-event batch's lookup rechecked ~15,000 other events of its page ranges, 0.4 -> 2 ms, pages not yet
summarized are always read, and ``autosummarize`` filled autovacuum's work-item queue in one import, logging
"request for BRIN range summarization ... was not recorded" for every range).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

#: Partial indexes of records (name, columns, condition, PostgreSQL only).
PARTIAL = (
    ("ix_records_source_external_id", ["source", "external_id"], "external_id IS NOT NULL", False),
    ("ix_records_deleted_at", ["deleted_at"], "deleted_at IS NOT NULL", True),
)


def _remake(name: str, columns: list[str], where: str | None) -> None:
    """Drop the index of records if it exists and create it, partial where ``where`` is given."""
    op.execute(f"DROP INDEX IF EXISTS {name}")
    condition = sa.text(where) if where else None
    op.create_index(name, "records", columns, postgresql_where=condition, sqlite_where=condition)


def _changed() -> list[tuple[str, list[str], str]]:
    """The partial indexes of this database."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    return [(name, columns, where) for name, columns, where, only_postgresql in PARTIAL
            if postgresql or not only_postgresql]


#: Dropped on PostgreSQL, where indexes that start with its column serve its queries.
DROPPED_ON_POSTGRESQL = ("ix_records_subcat_id", ["subcat_id"])


def upgrade() -> None:
    for name, columns, where in _changed():
        _remake(name, columns, where)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {DROPPED_ON_POSTGRESQL[0]}")


def downgrade() -> None:
    for name, columns, _ in _changed():
        _remake(name, columns, None)
    if op.get_bind().dialect.name == "postgresql":
        _remake(*DROPPED_ON_POSTGRESQL, None)
