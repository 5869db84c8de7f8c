"""Core tables: settings, sub-catalogues, batches, records, keys, copies, events, quarantine.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text()),
    )
    op.create_table(
        "subcatalogs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(50), nullable=False, unique=True),
        sa.Column("name_ru", sa.String(200), nullable=False),
        sa.Column("name_kk", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("since_year", sa.Integer()),
        sa.Column("sort_order", sa.Integer(), nullable=False),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("source", sa.String(200)),
        sa.Column("files", sa.Text()),
        sa.Column("options", sa.Text()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime()),
        sa.Column("undone_at", sa.DateTime()),
        sa.Column("counts", sa.Text()),
    )
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("control_number", sa.String(200)),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("subcat_id", sa.Integer(), sa.ForeignKey("subcatalogs.id")),
        sa.Column("flavour", sa.String(10), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("author", sa.String(500)),
        sa.Column("year", sa.Integer()),
        sa.Column("isbns", sa.String(500)),
        sa.Column("language", sa.String(3)),
        sa.Column("entry_date", sa.Date()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("datestamp", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime()),
        sa.Column("deleted_reason", sa.Text()),
        sa.Column("merged_into", sa.Integer(), sa.ForeignKey("records.id")),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("batch_id", sa.Integer(), sa.ForeignKey("batches.id")),
        sa.Column("author_death_year", sa.Integer()),
        sa.Column("own_publication", sa.Boolean(), nullable=False),
        sa.Column("fund_rare", sa.Boolean()),
        sa.Column("fund_local_lore", sa.Boolean()),
        sa.Column("fund_kazakhstan", sa.Boolean()),
    )
    op.create_index("ix_records_control_number", "records", ["control_number"])
    op.create_index("ix_records_subcat_id", "records", ["subcat_id"])
    op.create_index("ix_records_language", "records", ["language"])
    op.create_index("ix_records_entry_date", "records", ["entry_date"])
    op.create_index("ix_records_deleted_at", "records", ["deleted_at"])
    op.create_index("ix_records_batch_id", "records", ["batch_id"])
    op.create_index("ix_records_datestamp_id", "records", ["datestamp", "id"])
    op.create_index("ix_records_source_cn", "records", ["source", "control_number"])
    op.create_table(
        "record_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("record_id", sa.Integer(), sa.ForeignKey("records.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("value", sa.String(500), nullable=False),
    )
    op.create_index("ix_record_keys_record_id", "record_keys", ["record_id"])
    op.create_index("ix_record_keys_kind_value", "record_keys", ["kind", "value"])
    op.create_table(
        "copies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("record_id", sa.Integer(), sa.ForeignKey("records.id"), nullable=False),
        sa.Column("inventory_number", sa.String(100)),
        sa.Column("barcode", sa.String(100)),
        sa.Column("location", sa.String(200)),
        sa.Column("receipt_date", sa.Date()),
        sa.Column("status", sa.String(20)),
        sa.Column("price", sa.String(50)),
        sa.Column("written_off_at", sa.Date()),
        sa.Column("write_off_act", sa.String(100)),
    )
    op.create_index("ix_copies_record_id", "copies", ["record_id"])
    op.create_index("ix_copies_inventory_number", "copies", ["inventory_number"])
    op.create_table(
        "record_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("record_id", sa.Integer(), sa.ForeignKey("records.id"), nullable=False),
        sa.Column("batch_id", sa.Integer(), sa.ForeignKey("batches.id")),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(200)),
        sa.Column("detail", sa.Text()),
        sa.Column("before", sa.Text()),
    )
    op.create_index("ix_record_events_record_id", "record_events", ["record_id"])
    op.create_index("ix_record_events_batch_id", "record_events", ["batch_id"])
    op.create_index("ix_record_events_kind", "record_events", ["kind"])
    op.create_index("ix_record_events_at", "record_events", ["at"])
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("batch_id", sa.Integer(), sa.ForeignKey("batches.id")),
        sa.Column("file", sa.Text()),
        sa.Column("position", sa.Integer()),
        sa.Column("byte_offset", sa.BigInteger()),
        sa.Column("format", sa.String(20)),
        sa.Column("control_number", sa.String(200)),
        sa.Column("raw", sa.LargeBinary()),
        sa.Column("reasons", sa.Text()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime()),
    )
    op.create_index("ix_quarantine_batch_id", "quarantine", ["batch_id"])


def downgrade() -> None:
    for name in ["quarantine", "record_events", "copies", "record_keys", "records", "batches", "subcatalogs", "settings"]:
        op.drop_table(name)
