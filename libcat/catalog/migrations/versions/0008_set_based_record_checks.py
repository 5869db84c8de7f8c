"""On PostgreSQL, the references of record_events.record_id and copies.record_id to records are checked once
per statement instead of once per row: their foreign keys are replaced by statement-level triggers that read
the statement's rows from a transition table. SQLite keeps the foreign keys (its check is an index probe).

A foreign key makes PostgreSQL run ``SELECT 1 FROM records WHERE id = $1 FOR KEY SHARE`` through SPI for every
inserted event and copy (about 7 µs of its CPU a row; an imported record has an event and about one copy). The
triggers keep both guarantees of the keys, ON DELETE NO ACTION as 0001 made them:

* an INSERT or UPDATE on record_events or copies whose rows name a record that does not exist fails with
  SQLSTATE 23503 (foreign_key_violation): one anti-join of the statement's new rows against records
  (triggers ``*_record_id_insert`` and ``*_record_id_update``: PostgreSQL allows a transition table only on a
  trigger with one event, so there are two a table);
* a DELETE on records that removes a record still named by an event or a copy fails with 23503 (trigger
  ``records_referenced_delete``, one semi-join of the deleted rows against each table), and so does an UPDATE
  that changes the id of such a record (trigger ``records_referenced_id``: a row trigger on ``UPDATE OF id``
  that fires only where the id changes, because a transition table cannot go with a column list and a
  statement trigger on every UPDATE of records would copy each updated row, data and all, into it). libcat
  never changes an id; the trigger keeps the key's rule for hand-made SQL.

An UPDATE is checked only for the rows whose record_id it changed (old and new rows matched by id), as a key
checks it: an update of a copy's location never fails. The errors read as PostgreSQL's own, with the names the
keys had (``{table}_record_id_fkey``, which the downgrade gives back), the missing or still-referenced id in the
detail, and the schema, table and constraint fields set (the column field left empty, as PostgreSQL leaves it).
The functions keep the search path of the migration (``SET search_path FROM CURRENT``), so they find the tables
whatever the session's path is: a ``pg_dump`` restore sets it empty.

What a trigger does not do that the foreign key did: it takes no FOR KEY SHARE lock on the record. A
transaction that deletes a record while another, not yet committed, adds an event or a copy for it sees no
such row, and the adding one saw the record: both commit, and the event or copy points nowhere. libcat
never deletes a record (deletion, merging and undo leave tombstones), so only two hand-made changes racing
each other can do this (or ``TRUNCATE records ... CASCADE``, which no longer reaches events and copies). The
downgrade refuses to run while an event or copy names a missing record, saying which: they are the
catalogue's history and holdings, not to be deleted or re-pointed by a migration.

Importing 100,000 catalogue-sized records (bench-data/import-100000.mrc) into a new PostgreSQL 15 database,
the CPU of the server's processes working for it fell from 71 to 57 µs per record (5 runs of each, alternating:
69-74 against 57-58), the catalogues identical (records, copies, events, keys). A single-row INSERT of a copy
costs the server about what it did with the key (a statement trigger call against a key check).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

#: Tables whose record_id the triggers check instead of a foreign key to records.id.
REFERENCING = ("record_events", "copies")

#: The statement's rows name records that exist (after INSERT or UPDATE on a referencing table).
PRESENT = """
CREATE FUNCTION record_id_present() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    missing integer;
BEGIN
    IF TG_OP = 'UPDATE' THEN  -- only the rows whose record_id changed, as a foreign key checks
        SELECT n.record_id INTO missing FROM new_rows n
        WHERE NOT EXISTS (SELECT 1 FROM old_rows o WHERE o.id = n.id AND o.record_id = n.record_id)
          AND NOT EXISTS (SELECT 1 FROM records r WHERE r.id = n.record_id) LIMIT 1;
    ELSE
        SELECT n.record_id INTO missing FROM new_rows n
        WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.id = n.record_id) LIMIT 1;
    END IF;
    IF FOUND THEN
        RAISE foreign_key_violation USING
            MESSAGE = format('insert or update on table "%s" violates foreign key constraint "%s_record_id_fkey"',
                             TG_TABLE_NAME, TG_TABLE_NAME),
            DETAIL = format('Key (record_id)=(%s) is not present in table "records".', missing),
            SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME, CONSTRAINT = TG_TABLE_NAME || '_record_id_fkey';
    END IF;
    RETURN NULL;
END $$
"""

#: No event or copy names a record that is gone (after DELETE on records, or a changed id).
UNREFERENCED = """
CREATE FUNCTION records_unreferenced() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    gone integer;
    referrer text;
BEGIN
    IF TG_LEVEL = 'ROW' THEN
        gone := OLD.id;
        referrer := CASE WHEN EXISTS (SELECT 1 FROM records WHERE id = gone) THEN NULL
                         WHEN EXISTS (SELECT 1 FROM record_events WHERE record_id = gone) THEN 'record_events'
                         WHEN EXISTS (SELECT 1 FROM copies WHERE record_id = gone) THEN 'copies' END;
    ELSE
        SELECT o.id INTO gone FROM old_rows o
        WHERE EXISTS (SELECT 1 FROM record_events e WHERE e.record_id = o.id) LIMIT 1;
        referrer := CASE WHEN FOUND THEN 'record_events' END;
        IF referrer IS NULL THEN
            SELECT o.id INTO gone FROM old_rows o
            WHERE EXISTS (SELECT 1 FROM copies c WHERE c.record_id = o.id) LIMIT 1;
            referrer := CASE WHEN FOUND THEN 'copies' END;
        END IF;
    END IF;
    IF referrer IS NOT NULL THEN
        RAISE foreign_key_violation USING
            MESSAGE = format('update or delete on table "records" violates foreign key constraint '
                             '"%s_record_id_fkey" on table "%s"', referrer, referrer),
            DETAIL = format('Key (id)=(%s) is still referenced from table "%s".', gone, referrer),
            SCHEMA = TG_TABLE_SCHEMA, TABLE = referrer, CONSTRAINT = referrer || '_record_id_fkey';
    END IF;
    RETURN NULL;
END $$
"""


def _triggers() -> list[str]:
    """CREATE TRIGGER statements: two a referencing table, two on records."""
    made = [f"CREATE TRIGGER {table}_record_id_{event.lower()} AFTER {event} ON {table} "
            f"REFERENCING {rows} FOR EACH STATEMENT EXECUTE FUNCTION record_id_present()"
            for table in REFERENCING for event, rows in (("INSERT", "NEW TABLE AS new_rows"),
                                                         ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"))]
    made.append("CREATE TRIGGER records_referenced_delete AFTER DELETE ON records "
                "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION records_unreferenced()")
    made.append("CREATE TRIGGER records_referenced_id AFTER UPDATE OF id ON records FOR EACH ROW "
                "WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION records_unreferenced()")
    return made


def _drop_checks() -> None:
    """Drop the triggers and their functions, where they exist."""
    op.execute("DROP TRIGGER IF EXISTS records_referenced_id ON records")
    op.execute("DROP TRIGGER IF EXISTS records_referenced_delete ON records")
    for table in REFERENCING:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_record_id_insert ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_record_id_update ON {table}")
    op.execute("DROP FUNCTION IF EXISTS record_id_present()")
    op.execute("DROP FUNCTION IF EXISTS records_unreferenced()")


def _foreign_key(table: str) -> str | None:
    """Name of the foreign key from ``table.record_id`` to records; None when there is none."""
    for fk in sa.inspect(op.get_bind()).get_foreign_keys(table):
        if fk["constrained_columns"] == ["record_id"] and fk["referred_table"] == "records":
            return fk["name"]
    return None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in REFERENCING:
        name = _foreign_key(table)
        if name is not None:
            op.drop_constraint(name, table, type_="foreignkey")
    _drop_checks()
    op.execute(PRESENT)
    op.execute(UNREFERENCED)
    for sql in _triggers():
        op.execute(sql)


def _refuse_orphans(table: str) -> None:
    """Stop the downgrade when rows of ``table`` name a missing record: events and copies are the catalogue's
    history and holdings, so they are neither deleted nor re-pointed here; the message says which to mend."""
    orphans = op.get_bind().execute(sa.text(
        f"SELECT t.id, t.record_id FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.id = t.record_id) "
        "ORDER BY t.id")).all()
    if orphans:
        shown = ", ".join(f"{row_id} (record {record_id})" for row_id, record_id in orphans[:10])
        raise RuntimeError(f"cannot restore the foreign key {table}.record_id -> records.id: {len(orphans)} row(s) of "
                           f"{table} name a record that does not exist, ids {shown}; restore the records or move "
                           "the rows to existing ones, then downgrade again")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _drop_checks()
    for table in REFERENCING:
        if _foreign_key(table) is None:
            _refuse_orphans(table)
            # PostgreSQL's own name for it, which 0001 left: {table}_{column}_fkey.
            op.create_foreign_key(f"{table}_record_id_fkey", table, "records", ["record_id"], ["id"])
