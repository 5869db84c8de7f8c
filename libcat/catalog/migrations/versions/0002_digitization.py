"""Digitization registry, collections, author contracts, harvest sources; records.external_id.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("external_id", sa.String(300)))
        batch.create_index("ix_records_source_external_id", ["source", "external_id"])
        batch.create_index("ix_records_counts", ["subcat_id", "entry_date", "deleted_at", "language"])
        batch.create_index("ix_records_subcat_datestamp_id", ["subcat_id", "datestamp", "id"])
    op.create_table(
        "collections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("name_ru", sa.String(300)),
        sa.Column("name_kk", sa.String(300)),
        sa.Column("name_en", sa.String(300)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "digital_objects",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("record_id", sa.Integer(), sa.ForeignKey("records.id"), nullable=False),
        sa.Column("type", sa.String(30), nullable=False),
        sa.Column("language", sa.String(3)),
        sa.Column("digitized_on", sa.Date(), nullable=False),
        sa.Column("collection_id", sa.Integer(), sa.ForeignKey("collections.id")),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime()),
        sa.Column("note", sa.Text()),
    )
    op.create_index("ix_digital_objects_record_id", "digital_objects", ["record_id"])
    op.create_index("ix_digital_objects_digitized_on", "digital_objects", ["digitized_on"])
    op.create_index("ix_digital_objects_collection_id", "digital_objects", ["collection_id"])
    op.create_table(
        "digital_files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("object_id", sa.Integer(), sa.ForeignKey("digital_objects.id"), nullable=False),
        sa.Column("record_id", sa.Integer(), sa.ForeignKey("records.id"), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("original_name", sa.String(500)),
        sa.Column("mime", sa.String(100)),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.UniqueConstraint("record_id", "sha256", name="uq_digital_files_record_sha"),
    )
    op.create_index("ix_digital_files_object_id", "digital_files", ["object_id"])
    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(100)),
        sa.Column("holder", sa.String(300), nullable=False),
        sa.Column("author", sa.String(300)),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date()),
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("renewal_of", sa.Integer(), sa.ForeignKey("contracts.id")),
        sa.Column("file_path", sa.String(500)),
        sa.Column("note", sa.Text()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_contracts_signed_on", "contracts", ["signed_on"])
    op.create_table(
        "contract_records",
        sa.Column("contract_id", sa.Integer(), sa.ForeignKey("contracts.id"), primary_key=True),
        sa.Column("record_id", sa.Integer(), sa.ForeignKey("records.id"), primary_key=True),
    )
    op.create_table(
        "harvest_sources",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("prefix", sa.String(50), nullable=False),
        sa.Column("set_spec", sa.String(200)),
        sa.Column("subcat_code", sa.String(50)),
        sa.Column("last_started_at", sa.String(40)),
        sa.Column("last_success_from", sa.String(40)),
        sa.Column("resume_token", sa.Text()),
        sa.Column("resume_started_at", sa.String(40)),
        sa.Column("last_batch_id", sa.Integer(), sa.ForeignKey("batches.id")),
        sa.Column("records_seen", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_index("ix_records_subcat_datestamp_id")
        batch.drop_index("ix_records_counts")
        batch.drop_index("ix_records_source_external_id")
        batch.drop_column("external_id")
    for name in ["harvest_sources", "contract_records", "contracts", "digital_files", "digital_objects", "collections"]:
        op.drop_table(name)
