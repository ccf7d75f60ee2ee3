"""Listening samples of big batches: which batches post a sample, and which tracks were chosen.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batch_samples",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("per_group", sa.Integer(), nullable=False),
        sa.Column("max_tracks", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"]),
        sa.PrimaryKeyConstraint("batch_id"),
    )
    op.create_table(
        "batch_sample_tracks",
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("picked_by", sa.String(length=64), nullable=True),
        sa.Column("picked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"]),
        sa.ForeignKeyConstraint(["track_id"], ["tracks.id"]),
        sa.PrimaryKeyConstraint("track_id"),
    )
    op.create_index(
        op.f("ix_batch_sample_tracks_batch_id"), "batch_sample_tracks", ["batch_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_batch_sample_tracks_batch_id"), table_name="batch_sample_tracks")
    op.drop_table("batch_sample_tracks")
    op.drop_table("batch_samples")
