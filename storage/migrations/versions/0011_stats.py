"""Ratings insight: the preset and model names copied onto each track, for grouping.

`/music stats` groups tracks by preset and model. Those names live in compressed documents (the
job's request, the task's stored result), and unpacking 100,000 of them per question would be
slow, so tracks gain three plain columns, written once when the track is recorded
(`storage.tracks.add_track`): `preset_id` (the job's request), `dit_model_name` and
`lm_model_name` (the server's result item, the same values `Track.dit_model` / `lm_model` read).
One covering index, `ix_tracks_stats` (created_at first, then every column the stats group or
count), lets the stats read the period's tracks without their wide rows.

Existing tracks are filled here from their documents, a range of job ids at a time.

Revision ID: 0011
Revises: 0010
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from storage._provenance import provenance_at, unpack_json

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

JOBS_PER_STEP = 5000
STATS_INDEX_COLUMNS = (
    "created_at",
    "job_id",
    "placeholder",
    "preset_id",
    "dit_model_name",
    "lm_model_name",
    "approval",
    "approval_by",
    "qc_verdict",
)  # fmt: skip (a copy: a migration does not follow later changes of the schema module)


def upgrade() -> None:
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("preset_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("dit_model_name", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("lm_model_name", sa.String(length=255), nullable=True))
        batch_op.create_index("ix_tracks_stats", list(STATS_INDEX_COLUMNS))
    bind = op.get_bind()
    top = bind.execute(sa.text("SELECT max(id) FROM jobs")).scalar() or 0
    for low in range(0, top + 1, JOBS_PER_STEP):
        _fill(bind, low, low + JOBS_PER_STEP)


def _fill(bind: sa.Connection, low: int, high: int) -> None:
    """The names of the tracks of jobs with ids in [low, high)."""
    within = {"low": low, "high": high}
    presets: dict[int, Any] = {}
    for job_id, request in bind.execute(
        sa.text("SELECT id, request FROM jobs WHERE id >= :low AND id < :high"), within
    ):
        presets[job_id] = _preset(request)
    documents: dict[int, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    for track_id, job_id, source_id, index in bind.execute(
        sa.text(
            "SELECT id, job_id, source_id, result_index FROM tracks "
            "WHERE job_id >= :low AND job_id < :high"
        ),
        within,
    ):
        if source_id not in documents:
            blob = bind.execute(
                sa.text("SELECT document FROM task_results WHERE id = :id"), {"id": source_id}
            ).scalar()
            documents[source_id] = unpack_json(blob) if blob is not None else {}
        provenance = _provenance(documents[source_id], index)
        rows.append(
            {
                "t": track_id,
                "p": presets.get(job_id),
                "d": provenance.get("dit_model"),
                "l": provenance.get("lm_model"),
            }
        )
    if rows:
        bind.execute(
            sa.text(
                "UPDATE tracks SET preset_id = :p, dit_model_name = :d, lm_model_name = :l "
                "WHERE id = :t"
            ),
            rows,
        )


def _preset(request: bytes | None) -> str | None:
    if request is None:
        return None
    try:
        value = unpack_json(request).get("preset_id")
    except (ValueError, AttributeError):
        return None
    return None if value is None else str(value)[:64]


def _provenance(document: dict[str, Any], index: int) -> dict[str, Any]:
    try:
        return provenance_at(document, index)
    except (KeyError, IndexError, TypeError):
        return {}


def downgrade() -> None:
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        batch_op.drop_index("ix_tracks_stats")
        batch_op.drop_column("lm_model_name")
        batch_op.drop_column("dit_model_name")
        batch_op.drop_column("preset_id")
