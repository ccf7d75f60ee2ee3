"""Approval: a history of decisions per track, and the current one on the track row.

New table `track_approvals` (one row per decision: approved or rejected, by whom, how, whether
forced past a failed audio check, and when it was undone). Tracks gain `approval`,
`approval_by` and `approval_at`, a copy of the newest decision not undone, indexed for filters.
Existing tracks have no decision.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "track_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("forced", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.Column("undone_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["track_id"], ["tracks.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("track_approvals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_track_approvals_track_id"), ["track_id"])
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approval", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("approval_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("approval_at", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_tracks_approval"), ["approval"])


def downgrade() -> None:
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracks_approval"))
        batch_op.drop_column("approval_at")
        batch_op.drop_column("approval_by")
        batch_op.drop_column("approval")
    with op.batch_alter_table("track_approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_track_approvals_track_id"))
    op.drop_table("track_approvals")
