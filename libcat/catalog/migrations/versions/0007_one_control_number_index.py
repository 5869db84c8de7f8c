"""One index for control-number lookups instead of two: ix_records_cn_source (control_number, source) replaces
ix_records_control_number (control_number) and ix_records_source_cn (source, control_number). The queries
that read the old index name a source together with a control number (the importer's matching and deletions),
and the lookup by control number alone (``records.find``) reads the new index by its first column, so no
plan gets worse and every inserted record maintains one index fewer (ten were left on records after 0005).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: (name, columns) of the indexes this revision drops, as 0001 made them.
REPLACED = (("ix_records_control_number", ["control_number"]), ("ix_records_source_cn", ["source", "control_number"]))
NEW = ("ix_records_cn_source", ["control_number", "source"])


def _present(name: str) -> bool:
    return any(i["name"] == name for i in sa.inspect(op.get_bind()).get_indexes("records"))


def upgrade() -> None:
    if not _present(NEW[0]):
        op.create_index(NEW[0], "records", NEW[1])
    for name, _ in REPLACED:
        if _present(name):
            op.drop_index(name, table_name="records")


def downgrade() -> None:
    for name, columns in REPLACED:
        if not _present(name):
            op.create_index(name, "records", columns)
    if _present(NEW[0]):
        op.drop_index(NEW[0], table_name="records")
