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

from libcat.catalog import marks

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: Text a record must contain (its stored MARC-in-JSON) before its fields can mark it: anything else
#: is left at false without being parsed.
_MAY_MARK = re.compile(r'kz|kazak|qazaq|казахстан|қазақстан|"629":', re.IGNORECASE)
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
    marks.backfill(op.get_bind(), _MAY_MARK)
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    for name, table, _ in REDUNDANT:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, columns in REDUNDANT:
        op.create_index(name, table, columns)
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("records") as batch:
        batch.drop_column("mark_local_lore")
        batch.drop_column("mark_kazakhstan")
