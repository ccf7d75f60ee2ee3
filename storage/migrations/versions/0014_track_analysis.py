"""Measured tempo, key and tonal balance of every track, and its adherence to the request.

Tracks gain nullable columns for what the audio analysis measured (`domain.analysis.
TrackAnalysis`: analyser, tempo and key with their confidences, 85 % roll-off, share of energy
above 8 kHz, loudness range) and for how that compares with what was asked (`Adherence`: the
asked tempo, key and length, the folded tempo and the key judged, one flag per property and
`obeys`). Tracks recorded before stay NULL: not analysed, not judged.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

COLUMNS = (
    ("analyser", sa.String(length=64)),
    ("measured_bpm", sa.Float()),
    ("bpm_confidence", sa.Float()),
    ("measured_key", sa.String(length=16)),
    ("key_confidence", sa.Float()),
    ("rolloff_hz", sa.Float()),
    ("hf_energy_ratio", sa.Float()),
    ("loudness_range_lu", sa.Float()),
    ("asked_bpm", sa.Float()),
    ("folded_bpm", sa.Float()),
    ("tempo_ok", sa.Boolean()),
    ("asked_key", sa.String(length=16)),
    ("adherent_key", sa.String(length=16)),
    ("key_ok", sa.Boolean()),
    ("asked_duration_s", sa.Float()),
    ("length_ok", sa.Boolean()),
    ("obeys", sa.Boolean()),
)  # a copy: a migration does not follow later changes of the schema module


def upgrade() -> None:
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        for name, kind in COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
