"""Listening tests: sessions, reference tracks, pairs, votes; batches know their session.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "eval_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("channel_id", sa.String(length=64), nullable=True),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("raters", sa.JSON(), nullable=False),
        sa.Column("rater_group", sa.String(length=64), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("report_posted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("eval_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_eval_sessions_status"), ["status"], unique=False)

    op.create_table(
        "eval_references",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("file_path", sa.String(length=1024), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("audio_format", sa.String(length=8), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("genre", sa.String(length=255), nullable=True),
        sa.Column("bpm", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=32), nullable=True),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["eval_sessions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "sha256", name="uq_eval_references_hash"),
    )
    with op.batch_alter_table("eval_references", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_eval_references_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "eval_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("reference_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("track_id", sa.Integer(), nullable=True),
        sa.Column("ace_side", sa.String(length=1), nullable=True),
        sa.Column("file_a", sa.String(length=1024), nullable=True),
        sa.Column("file_b", sa.String(length=1024), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("card_channel", sa.String(length=64), nullable=True),
        sa.Column("card_ts", sa.String(length=32), nullable=True),
        sa.Column("file_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"]),
        sa.ForeignKeyConstraint(["reference_id"], ["eval_references.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["eval_sessions.id"]),
        sa.ForeignKeyConstraint(["track_id"], ["tracks.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference_id"),
        sa.UniqueConstraint("session_id", "number", name="uq_eval_pairs_number"),
    )
    with op.batch_alter_table("eval_pairs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_eval_pairs_job_id"), ["job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_eval_pairs_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_eval_pairs_state"), ["state"], unique=False)

    op.create_table(
        "eval_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("rater", sa.String(length=64), nullable=False),
        sa.Column("score_a", sa.Integer(), nullable=False),
        sa.Column("score_b", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["pair_id"], ["eval_pairs.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["eval_sessions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pair_id", "rater", name="uq_eval_votes_pair_rater"),
    )
    with op.batch_alter_table("eval_votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_eval_votes_pair_id"), ["pair_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_eval_votes_session_id"), ["session_id"], unique=False)

    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evaluation_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_batches_evaluation_id"), ["evaluation_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_batches_evaluation", "eval_sessions", ["evaluation_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_constraint("fk_batches_evaluation", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_batches_evaluation_id"))
        batch_op.drop_column("evaluation_id")
    for table, indexes in (
        ("eval_votes", ("ix_eval_votes_session_id", "ix_eval_votes_pair_id")),
        ("eval_pairs", ("ix_eval_pairs_state", "ix_eval_pairs_session_id", "ix_eval_pairs_job_id")),
        ("eval_references", ("ix_eval_references_session_id",)),
        ("eval_sessions", ("ix_eval_sessions_status",)),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(batch_op.f(index))
        op.drop_table(table)
