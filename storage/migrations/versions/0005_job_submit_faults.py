"""Jobs: server errors held against the server, submissions in doubt, duplicate submissions.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("server_errors", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("duplicate_submissions", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("doubt_server", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("doubt_total", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("doubt_total")
        batch_op.drop_column("doubt_server")
        batch_op.drop_column("duplicate_submissions")
        batch_op.drop_column("server_errors")
