"""Rater agreement: Krippendorff's alpha and each rater's figures.

Alpha (interval metric) comes from the `krippendorff` package (Santiago Castro's implementation of
Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"). The units are the rated tracks:
each pair contributes two units, ACE-Step's track and the incumbent's, and each rater is a coder;
a rater who skipped a pair leaves both units missing. Alpha is None when it is undefined: fewer
than two raters, no track rated by two of them, or every score the same.

Each rater's figures (votes, mean scores, spread) sit beside it so that one enthusiastic listener
cannot carry a zone unseen; a zone flags a rater who cast more than half of its votes.
"""

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import krippendorff
import numpy as np

from evaluation.bootstrap import ScoreTable
from evaluation.inputs import Vote


@dataclass(frozen=True)
class RaterFigures:
    """One rater's votes, mean scores, and the spread (population SD) of all their 1–5 scores."""

    rater: str
    votes: int
    mean_ace: float
    mean_incumbent: float
    score_spread: float


def krippendorff_alpha(table: ScoreTable) -> float | None:
    """Interval-metric alpha over the table's rated tracks, or None where it is undefined."""
    data = np.concatenate([table.ace.T, table.incumbent.T], axis=1)
    rated_twice = np.sum(~np.isnan(data), axis=0) >= 2
    values = np.unique(data[~np.isnan(data)])
    if len(table.raters) < 2 or not rated_twice.any() or values.size < 2:
        return None
    alpha = float(krippendorff.alpha(reliability_data=data, level_of_measurement="interval"))
    return alpha if math.isfinite(alpha) else None


def rater_figures(votes: Sequence[Vote]) -> tuple[RaterFigures, ...]:
    """Each rater's figures, the busiest rater first (then by name)."""
    by_rater: dict[str, list[Vote]] = {}
    for vote in votes:
        by_rater.setdefault(vote.rater, []).append(vote)
    figures = [_figures(rater, cast) for rater, cast in by_rater.items()]
    return tuple(sorted(figures, key=lambda f: (-f.votes, f.rater)))


def _figures(rater: str, votes: Sequence[Vote]) -> RaterFigures:
    ace = [v.ace_score for v in votes]
    incumbent = [v.incumbent_score for v in votes]
    return RaterFigures(
        rater=rater,
        votes=len(votes),
        mean_ace=float(np.mean(ace)),
        mean_incumbent=float(np.mean(incumbent)),
        score_spread=float(np.std(ace + incumbent)),
    )


def dominant_rater(votes: Sequence[Vote]) -> str | None:
    """The rater who cast more than half of these votes, if any."""
    if not votes:
        return None
    rater, count = Counter(v.rater for v in votes).most_common(1)[0]
    return rater if count * 2 > len(votes) else None
