"""What goes into the decision report: votes, pairs without a candidate, cost inputs, settings.

All frozen dataclasses, validated on construction so a bad value fails where it was made.
"""

from dataclasses import dataclass
from enum import StrEnum

from evaluation.errors import EvaluationError, InvalidCostError, InvalidVoteError

SCORE_MIN = 1
SCORE_MAX = 5
INCUMBENT_COST_PER_TRACK_USD = 0.058


def _check_score(name: str, score: int) -> None:
    if isinstance(score, bool) or not isinstance(score, int):
        raise InvalidVoteError(f"{name} must be a whole number, got {score!r}")
    if not SCORE_MIN <= score <= SCORE_MAX:
        raise InvalidVoteError(f"{name} must be {SCORE_MIN}–{SCORE_MAX}, got {score}")


def _check_ids(**ids: str) -> None:
    for name, value in ids.items():
        if not value.strip():
            raise InvalidVoteError(f"{name} must not be empty")


@dataclass(frozen=True)
class Vote:
    """One rater's scores for one pair: ACE-Step's track and the incumbent's, each 1–5."""

    pair_id: str
    zone: str
    rater: str
    ace_score: int
    incumbent_score: int

    def __post_init__(self) -> None:
        _check_ids(pair_id=self.pair_id, zone=self.zone, rater=self.rater)
        _check_score("ace_score", self.ace_score)
        _check_score("incumbent_score", self.incumbent_score)


@dataclass(frozen=True)
class MissingCandidate:
    """A reference whose ACE-Step jobs all failed: reported per zone, never dropped."""

    pair_id: str
    zone: str
    reason: str = "no ACE-Step candidate"

    def __post_init__(self) -> None:
        _check_ids(pair_id=self.pair_id, zone=self.zone)


class TimeSource(StrEnum):
    """Where a job's GPU seconds came from."""

    SERVER = "server time cost"  # the ACE-Step server's own reported time costs
    SUBMIT_TO_DONE = "submit-to-done"  # wall clock from submission to completion (an upper bound)


@dataclass(frozen=True)
class JobTime:
    """The GPU seconds one ACE-Step job took, and which measure they are."""

    seconds: float
    source: TimeSource

    def __post_init__(self) -> None:
        if not self.seconds >= 0:
            raise InvalidCostError(f"job seconds must be ≥ 0, got {self.seconds}")


@dataclass(frozen=True)
class CostInputs:
    """Every job spent on the session's candidates (all K variants), and the tracks delivered.

    GPU seconds per delivered track = the sum of all jobs' seconds / `delivered_tracks`, so
    the variants that were not picked are paid for by the one that was.
    """

    jobs: tuple[JobTime, ...]
    delivered_tracks: int
    gpu_cost_per_hour: float
    incumbent_cost_per_track: float = INCUMBENT_COST_PER_TRACK_USD

    def __post_init__(self) -> None:
        if self.delivered_tracks < 0:
            raise InvalidCostError("delivered_tracks must be ≥ 0")
        if not self.gpu_cost_per_hour >= 0 or not self.incumbent_cost_per_track >= 0:
            raise InvalidCostError("prices must be ≥ 0")


@dataclass(frozen=True)
class ReportSettings:
    """The knobs of the report; the defaults are the issue's.

    `resamples` bootstrap draws with numpy's `default_rng(seed)`, so a report is reproducible;
    `max_more_votes` caps the "about N more votes needed" estimate.
    """

    threshold: float = 0.80
    confidence: float = 0.95
    resamples: int = 2_000
    seed: int = 8
    max_more_votes: int = 1_000

    def __post_init__(self) -> None:
        if not 0 < self.confidence < 1:
            raise EvaluationError("confidence must be between 0 and 1")
        if self.resamples < 1 or self.max_more_votes < 1 or not self.threshold > 0:
            raise EvaluationError("resamples, max_more_votes and threshold must be positive")
