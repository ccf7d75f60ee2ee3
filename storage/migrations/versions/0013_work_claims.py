"""Several engine workers on one PostgreSQL database: claims on jobs and on Slack track posts.

A job is driven by the worker that claims it (`claimed_by`, until `claimed_until`, renewed every
tick; an expired claim is taken over). `reserved_server` is the server a worker is submitting the
job to right now: it counts against that server's capacity until the task id is stored.
A track post is uploaded by the `serve` process that claims it.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("reserved_server", sa.String(length=255), nullable=True))
    with op.batch_alter_table("slack_track_posts") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("slack_track_posts") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("reserved_server")
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
