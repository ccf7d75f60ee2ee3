"""The verdicts: per zone GO / NO-GO / UNDECIDED, overall GO / PARTIAL / NO-GO.

A zone is GO when the whole interval of the ratio of means is ≥ the threshold (0.80: ACE-Step
scores at least 80 % of the incumbent's average), NO-GO when it is entirely below, and UNDECIDED
otherwise (or when it has no votes).

"About N more votes needed" assumes the interval narrows like 1/√n, as a standard error does: the
half of the interval facing the threshold (point − low when the point is at or above it, high −
point below it) would shrink to the distance between the point and the threshold at
n' = n · (half ÷ distance)². N = ⌈n'⌉ − n, at least 1 and at most the cap (a point on the
threshold itself gets the cap). It is a rough planning figure: it takes the point estimate as
settled, which more votes may not confirm.

Overall: every zone GO → GO; some GO → PARTIAL (keep the incumbent for the others); none → NO-GO.
The undecided zones are named beside the overall verdict, since more votes may change it.
"""

import math
from collections.abc import Sequence
from enum import StrEnum

from evaluation.intervals import Interval


class Verdict(StrEnum):
    """A zone's decision."""

    GO = "GO"  # interval entirely at or above the threshold
    NO_GO = "NO-GO"  # interval entirely below the threshold
    UNDECIDED = "UNDECIDED"  # interval straddles the threshold, or no votes yet


class OverallVerdict(StrEnum):
    """The decision across zones."""

    GO = "GO"  # every zone GO
    PARTIAL = "PARTIAL"  # some zones GO: ACE-Step for those, the incumbent for the rest
    NO_GO = "NO-GO"  # no zone GO


def decide(interval: Interval | None, threshold: float) -> Verdict:
    """GO, NO-GO or UNDECIDED for a zone's ratio interval (None: no votes)."""
    if interval is None:
        return Verdict.UNDECIDED
    if interval.low >= threshold:
        return Verdict.GO
    if interval.high < threshold:
        return Verdict.NO_GO
    return Verdict.UNDECIDED


def more_votes_needed(
    ratio: float, interval: Interval, votes: int, *, threshold: float, cap: int
) -> int:
    """About how many more votes would move an undecided interval clear of the threshold."""
    half = ratio - interval.low if ratio >= threshold else interval.high - ratio
    distance = abs(ratio - threshold)
    if distance == 0:
        return cap
    needed = votes * (half / distance) ** 2
    if needed >= votes + cap:
        return cap
    return min(cap, max(1, math.ceil(round(needed, 9)) - votes))  # round: float residue


def overall(verdicts: Sequence[Verdict]) -> OverallVerdict:
    """GO when every zone is GO, PARTIAL when some are, NO-GO when none (or no zones)."""
    go = sum(v is Verdict.GO for v in verdicts)
    if go and go == len(verdicts):
        return OverallVerdict.GO
    return OverallVerdict.PARTIAL if go else OverallVerdict.NO_GO
