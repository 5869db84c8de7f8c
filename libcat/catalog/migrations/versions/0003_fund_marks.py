"""Fund marks read off each record's fields (Kazakhstan content, local lore), kept in columns so the
fund-digitization table is counted in SQL without parsing records; covering indexes for the report
counts (see models: ix_records_report, ix_copies_held, ix_digital_objects_type_record); the single-column
indexes those make redundant, and the unused one on event kinds, dropped so inserts maintain fewer.

Revision ID: 0003
Revises: 0002
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: Text a record must contain (its stored MARC-in-JSON) before its fields can mark it: anything else
#: is left at false without being parsed.
_MAY_MARK = re.compile(r'kz|kazak|qazaq|казахстан|қазақстан|"629":', re.IGNORECASE)
_BATCH = 2000
#: The covering indexes of models.py the report counts read instead of the rows (name, table, columns).
INDEXES = (
    ("ix_records_report", "records", ["id", "deleted_at", "language", "subcat_id", "fund_rare", "fund_local_lore",
                                      "fund_kazakhstan", "mark_kazakhstan", "mark_local_lore"]),
    ("ix_copies_held", "copies", ["record_id", "receipt_date", "written_off_at"]),
    ("ix_digital_objects_type_record", "digital_objects", ["type", "record_id", "digitized_on", "deleted_at"]),
)
#: Indexes of 0001 no query needs any more (name, table, columns): ix_copies_held starts with record_id,
#: ix_records_counts and ix_records_report carry language and entry_date, events are read by kind only
#: within a time range (ix_record_events_at).
REDUNDANT = (
    ("ix_copies_record_id", "copies", ["record_id"]),
    ("ix_records_language", "records", ["language"]),
    ("ix_records_entry_date", "records", ["entry_date"]),
    ("ix_record_events_kind", "record_events", ["kind"]),
)


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("mark_kazakhstan", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("mark_local_lore", sa.Boolean(), nullable=False, server_default=sa.false()))
    _backfill(op.get_bind())
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    for name, table, _ in REDUNDANT:
        op.drop_index(name, table_name=table)


def _backfill(conn: sa.Connection) -> None:
    """Set the marks of the records already stored, parsing only those whose text may carry one."""
    from libcat.marc.flavour import set_flavour
    from libcat.marc.marcjson import record_from_json
    from libcat.marc.summary import summarize

    records = sa.table("records", sa.column("id"), sa.column("flavour"), sa.column("data"),
                       sa.column("mark_kazakhstan"), sa.column("mark_local_lore"))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(records.c.id, records.c.flavour, records.c.data)
            .where(records.c.id > last).order_by(records.c.id).limit(_BATCH)
        ).all()
        if not rows:
            return
        last = rows[-1][0]
        marked = []
        for rid, flavour, data in rows:
            if not data or not _MAY_MARK.search(data):
                continue
            s = summarize(set_flavour(record_from_json(data), flavour), flavour)
            if s.kazakhstan is not None or s.local_lore:
                marked.append({"rid": rid, "kz": s.kazakhstan is not None, "lore": s.local_lore})
        if marked:
            conn.execute(
                records.update().where(records.c.id == sa.bindparam("rid"))
                .values(mark_kazakhstan=sa.bindparam("kz"), mark_local_lore=sa.bindparam("lore")),
                marked,
            )


def downgrade() -> None:
    for name, table, columns in REDUNDANT:
        op.create_index(name, table, columns)
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("records") as batch:
        batch.drop_column("mark_local_lore")
        batch.drop_column("mark_kazakhstan")
