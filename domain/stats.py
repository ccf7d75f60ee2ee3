"""Ratings insight: what the ratings, approvals and audio checks say per preset, model and rater.

The figures are counts and sums (`storage.stats` gathers them with GROUP BY queries), so the
means and rates below are exact. Definitions, the same everywhere (Slack, CLI, JSON, Home tab):
- made: every file recorded in the period (by `tracks.created_at`), kept or regenerated;
- rated: tracks with at least one counted rating; a rating counts once per person and track
  (their latest reaction still there, `storage.ratings.counted`), whenever it was given;
- mean score: the mean of those counted ratings (each rating weighs the same);
- approval rate: approved ÷ decided (approved + rejected); undecided tracks do not count;
- audio-check failures: tracks whose audio check said "fail" (`qc_verdict`);
- adherence (issue 13): of the tracks whose tempo (key) was both asked and measured with
  confidence ("judged"), the share that came out within tolerance (tempo ±4 % after
  half/double-time folding; the same key or its relative major/minor: `domain.analysis`).
  Tracks never analysed, or with nothing asked, are not judged and do not count.
Placeholder tracks (made by the built-in stand-in, not by ACE-Step) are kept apart: every group
is split by `placeholder`, and totals are given for each side separately.
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class GroupFigures:
    """The tracks of one preset or model (`key`; None: not recorded), real or placeholder."""

    key: str | None
    placeholder: bool
    made: int = 0
    rated: int = 0
    ratings: int = 0
    score_sum: float = 0.0
    approved: int = 0
    rejected: int = 0
    qc_failed: int = 0
    tempo_judged: int = 0  # tracks whose tempo was asked and measured
    tempo_obeyed: int = 0  # ... and came out within tolerance
    key_judged: int = 0
    key_obeyed: int = 0

    @property
    def mean_score(self) -> float | None:
        """Mean of the counted ratings; None without ratings."""
        return self.score_sum / self.ratings if self.ratings else None

    @property
    def tempo_share(self) -> float | None:
        """Tempo obeyed ÷ judged; None when no tempo was judged."""
        return self.tempo_obeyed / self.tempo_judged if self.tempo_judged else None

    @property
    def key_share(self) -> float | None:
        """Key obeyed ÷ judged; None when no key was judged."""
        return self.key_obeyed / self.key_judged if self.key_judged else None

    @property
    def decided(self) -> int:
        """Tracks approved or rejected."""
        return self.approved + self.rejected

    @property
    def approval_rate(self) -> float | None:
        """Approved ÷ decided; None when nothing was decided."""
        return self.approved / self.decided if self.decided else None


@dataclass(frozen=True, slots=True)
class RaterFigures:
    """One person's counted ratings, and the approval decisions standing in their name."""

    rater: str
    placeholder: bool
    rated: int = 0  # tracks they rated
    score_sum: float = 0.0
    approved: int = 0
    rejected: int = 0

    @property
    def mean_score(self) -> float | None:
        """Mean of the scores they gave; None without ratings."""
        return self.score_sum / self.rated if self.rated else None


@dataclass(frozen=True, slots=True)
class RatingStats:
    """Every figure of one period (`since` None: all time), blinded candidates left out."""

    since: datetime | None
    until: datetime
    presets: tuple[GroupFigures, ...]
    models: tuple[GroupFigures, ...]  # the music (DiT) model
    lm_models: tuple[GroupFigures, ...]  # the language model (None: the server used none)
    raters: tuple[RaterFigures, ...]
    real: GroupFigures  # totals of ACE-Step tracks (key "all")
    placeholder: GroupFigures  # totals of the stand-in's placeholder tracks (key "all")

    @property
    def made(self) -> int:
        """Every track of the period, real and placeholder."""
        return self.real.made + self.placeholder.made
