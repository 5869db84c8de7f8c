"""On PostgreSQL, four foreign keys whose parents libcat never deletes are no longer checked by the server:
record_keys.record_id -> records, records.batch_id -> batches, record_events.batch_id -> batches and
records.subcat_id -> subcatalogs. PostgreSQL checks a foreign key with a trigger that runs a query
(``SELECT 1 FROM parent WHERE id = $1 FOR KEY SHARE``) for every inserted row: an imported record makes about
six and a half such checks (records 2, record_events 2, record_keys ~1.5, copies ~1), four and a half of them
through these four. Only libcat writes these columns, with ids it has just read or made: records are never
hard-deleted (deletion, merging and undo leave tombstones), record_keys is an index of the live records that
every path changing or tombstoning a record rewrites itself (so its ON DELETE CASCADE never fired), batches
are never deleted (undo marks them undone), and no command deletes a sub-catalogue. tests/test_schema_0006.py
checks after imports, updates, merges, a deletion, dedupe and undo that no row refers to a missing record,
batch or sub-catalogue. The other foreign keys stay (copies, events, digitized objects and contracts of a
record, quarantine, harvest sources, merged_into). SQLite keeps all of them: its check is a cheap index probe,
and dropping one would mean rebuilding the table.

Importing 100,000 catalogue-sized records (bench-data/import-100000.mrc) into a new PostgreSQL 15 database,
the CPU of the server's processes working for it (the import's backends, autovacuum, or a VACUUM after the
import) fell from 107 to 85 µs per record (6 runs of each, alternating: 102.7-112.5 against 80.7-93.1).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: Foreign keys PostgreSQL no longer checks: (table, column, referred table, ON DELETE).
UNCHECKED = (
    ("record_keys", "record_id", "records", "CASCADE"),
    ("records", "batch_id", "batches", None),
    ("record_events", "batch_id", "batches", None),
    ("records", "subcat_id", "subcatalogs", None),
)


def _foreign_key(table: str, column: str, referred: str) -> str | None:
    """Name of the foreign key from ``table.column`` to ``referred``; None when there is none."""
    for fk in sa.inspect(op.get_bind()).get_foreign_keys(table):
        if fk["constrained_columns"] == [column] and fk["referred_table"] == referred:
            return fk["name"]
    return None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, referred, _ in UNCHECKED:
        name = _foreign_key(table, column, referred)
        if name is not None:
            op.drop_constraint(name, table, type_="foreignkey")


def _drop_orphans(table: str, column: str, referred: str) -> None:
    """Make rows the server would refuse to check agree with their parents again: an orphaned match key is
    deleted (it is rebuilt from its record), an orphaned batch or sub-catalogue reference is cleared."""
    orphan = f"{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {referred} p WHERE p.id = {table}.{column})"
    if table == "record_keys":
        op.execute(f"DELETE FROM {table} WHERE {orphan}")
    else:
        op.execute(f"UPDATE {table} SET {column} = NULL WHERE {orphan}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, referred, ondelete in UNCHECKED:
        if _foreign_key(table, column, referred) is None:
            _drop_orphans(table, column, referred)
            # PostgreSQL's own name for it, which 0001 left: {table}_{column}_fkey.
            op.create_foreign_key(f"{table}_{column}_fkey", table, referred, [column], ["id"], ondelete=ondelete)
