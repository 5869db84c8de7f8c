"""The local-lore mark read in every flavour: IRBIS and RUSMARC/UNIMARC 629, and MARC 21 886 $2 rusmarc
$a 629, where the MARC 21 export keeps it (was IRBIS 629 only). The marks of the stored records that may
carry one are read again.

Revision ID: 0004
Revises: 0003
"""

import re

from alembic import op

from libcat.catalog import marks

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: Text a record must contain (its stored MARC-in-JSON) before the new reading can change its marks.
_MAY_MARK = re.compile(r'"(?:629|886)":')


def upgrade() -> None:
    marks.backfill(op.get_bind(), _MAY_MARK)


def downgrade() -> None:
    """Nothing to undo in the schema; the marks keep the newer reading (0003's code reads them the same way)."""
