"""Slack: job cards, track posts, message map, pending reactions, seen keys.

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
    op.create_table(
        "seen_keys",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("seen_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seen_keys_seen_at"), ["seen_at"], unique=False)

    op.create_table(
        "slack_pending_reactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("emoji", sa.String(length=64), nullable=False),
        sa.Column("added", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("slack_pending_reactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_slack_pending_reactions_channel_id"), ["channel_id"], unique=False
        )

    op.create_table(
        "slack_cards",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("rendered", sa.String(length=64), nullable=True),
        sa.Column("rendered_at", sa.DateTime(), nullable=True),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
        ),
        sa.PrimaryKeyConstraint("job_id"),
    )
    op.create_table(
        "slack_messages",
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("track_id", sa.Integer(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.id"],
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
        ),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
        ),
        sa.PrimaryKeyConstraint("channel_id", "ts"),
    )
    with op.batch_alter_table("slack_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_slack_messages_thread_ts"), ["thread_ts"], unique=False
        )

    op.create_table(
        "slack_track_posts",
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("file_id", sa.String(length=64), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
        ),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
        ),
        sa.PrimaryKeyConstraint("track_id"),
    )
    with op.batch_alter_table("slack_track_posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slack_track_posts_job_id"), ["job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_slack_track_posts_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("slack_track_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_track_posts_state"))
        batch_op.drop_index(batch_op.f("ix_slack_track_posts_job_id"))

    op.drop_table("slack_track_posts")
    with op.batch_alter_table("slack_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_messages_thread_ts"))

    op.drop_table("slack_messages")
    op.drop_table("slack_cards")
    with op.batch_alter_table("slack_pending_reactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_pending_reactions_channel_id"))

    op.drop_table("slack_pending_reactions")
    with op.batch_alter_table("seen_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seen_keys_seen_at"))

    op.drop_table("seen_keys")
