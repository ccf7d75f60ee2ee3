"""Approval notices: who has already been told privately about an approval reaction.

New table `approval_notices`, one row per notice given (a key such as `not-approver:U123`, or
`force:U123:42` for an approver's ✅ on a track that failed its audio check), so each is given
once, across restarts. Unlike `seen_keys` (pruned after a day), rows are kept.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approval_notices",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("told_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("approval_notices")
