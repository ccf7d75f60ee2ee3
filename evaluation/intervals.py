"""Confidence intervals: the `Interval` type and the Wilson score interval for a proportion.

The Wilson interval is the closed form (Wilson 1927, no continuity correction), the same as
`scipy.stats.binomtest(k, n).proportion_ci(method="wilson")`; the test checks the two agree.
The normal quantile comes from the standard library (`statistics.NormalDist`), so importing the
evaluation package does not load scipy (about 70 MB in the Slack bot's process).
"""

import math
from dataclasses import dataclass
from statistics import NormalDist

from evaluation.errors import EvaluationError


@dataclass(frozen=True)
class Interval:
    """A two-sided confidence interval, `low` ≤ `high`."""

    low: float
    high: float

    def contains(self, value: float) -> bool:
        """Whether `value` lies inside the interval, ends included."""
        return self.low <= value <= self.high


def z_score(confidence: float) -> float:
    """The two-sided standard normal quantile: 1.959964 for 0.95."""
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> Interval:
    """The Wilson score interval for `successes` out of `trials`; [0, 1] when there are none."""
    if not 0 <= successes <= trials:
        raise EvaluationError(f"need 0 ≤ successes ≤ trials, got {successes} of {trials}")
    if trials == 0:
        return Interval(0.0, 1.0)
    z = z_score(confidence)
    p = successes / trials
    scale = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / scale
    half = z / scale * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exact ends, not rounding residue
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return Interval(low, high)
