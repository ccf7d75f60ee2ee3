"""Zone verdicts, the "more votes needed" estimate, and the overall call."""

import pytest

from evaluation import OverallVerdict, Verdict
from evaluation.intervals import Interval
from evaluation.verdicts import decide, more_votes_needed, overall

GO, NO_GO, UNDECIDED = Verdict.GO, Verdict.NO_GO, Verdict.UNDECIDED


@pytest.mark.parametrize(
    ("interval", "verdict"),
    [
        (Interval(0.80, 1.1), GO),  # the threshold itself passes
        (Interval(0.95, 1.2), GO),
        (Interval(0.40, 0.7999), NO_GO),
        (Interval(0.79, 0.81), UNDECIDED),
        (None, UNDECIDED),  # no votes yet
    ],
)
def test_decide(interval: Interval | None, verdict: Verdict) -> None:
    assert decide(interval, 0.80) is verdict


def test_the_threshold_is_a_parameter() -> None:
    assert decide(Interval(0.85, 0.95), 0.90) is UNDECIDED


def test_more_votes_above_the_threshold_by_hand() -> None:
    # half below the point 0.10, distance to 0.80 is 0.05: n' = 15 · (0.10/0.05)² = 60 → 45 more.
    needed = more_votes_needed(0.85, Interval(0.75, 0.95), 15, threshold=0.80, cap=1_000)
    assert needed == 45


def test_more_votes_below_the_threshold_by_hand() -> None:
    # half above the point 0.15, distance 0.10: n' = 15 · 2.25 = 33.75 → 34 → 19 more.
    needed = more_votes_needed(0.70, Interval(0.55, 0.85), 15, threshold=0.80, cap=1_000)
    assert needed == 19


def test_more_votes_is_capped() -> None:
    assert more_votes_needed(0.80, Interval(0.7, 0.9), 15, threshold=0.80, cap=500) == 500
    assert more_votes_needed(0.801, Interval(0.5, 0.9), 15, threshold=0.80, cap=500) == 500


def test_more_votes_is_at_least_one() -> None:
    assert more_votes_needed(0.9, Interval(0.8, 1.0), 100, threshold=0.80, cap=500) >= 1


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ([GO, GO], OverallVerdict.GO),
        ([GO, NO_GO], OverallVerdict.PARTIAL),
        ([GO, UNDECIDED], OverallVerdict.PARTIAL),
        ([NO_GO, UNDECIDED], OverallVerdict.NO_GO),
        ([], OverallVerdict.NO_GO),
    ],
)
def test_overall(verdicts: list[Verdict], expected: OverallVerdict) -> None:
    assert overall(verdicts) is expected
