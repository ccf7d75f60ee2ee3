"""The ratio of mean scores (ACE-Step ÷ incumbent) and its two-way cluster bootstrap interval.

A zone's votes form two pairs × raters tables (ACE-Step's scores and the incumbent's; a cell is
NaN where that rater did not vote on that pair). The point estimate is the mean of ACE-Step's
scores over all votes divided by the mean of the incumbent's.

The interval resamples both crossed factors at once, as Davison & Hinkley (1997, §3.8) and
Field & Welsh (2007) describe for two-way random designs: each of `resamples` draws picks
pairs with replacement (as many as there are) and, independently, raters with replacement (as
many as there are), keeps the cells at the crossing of the drawn rows and columns (a pair or
rater drawn twice counts twice), and recomputes the ratio of means over the votes present. A
draw that keeps no vote (possible when votes are sparse) is discarded and counted. The interval
is the percentile interval of the kept draws. The draws come from `numpy.random.default_rng(seed)`
(PCG64): pair indices for all draws first, then rater indices, so a seed gives one answer.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from evaluation.errors import EvaluationError
from evaluation.inputs import Vote
from evaluation.intervals import Interval

Matrix = npt.NDArray[np.float64]
Indices = npt.NDArray[np.int64]
_CHUNK = 256  # draws evaluated together: bounds memory to _CHUNK × pairs × raters cells


@dataclass(frozen=True)
class ScoreTable:
    """A zone's scores as pairs × raters matrices, NaN where no vote was cast."""

    pairs: tuple[str, ...]
    raters: tuple[str, ...]
    ace: Matrix
    incumbent: Matrix

    @classmethod
    def from_votes(cls, votes: Sequence[Vote]) -> "ScoreTable":
        """Lay the votes out by pair (rows) and rater (columns), both sorted."""
        pairs = tuple(sorted({v.pair_id for v in votes}))
        raters = tuple(sorted({v.rater for v in votes}))
        ace = np.full((len(pairs), len(raters)), np.nan)
        incumbent = ace.copy()
        row = {p: i for i, p in enumerate(pairs)}
        col = {r: j for j, r in enumerate(raters)}
        for v in votes:
            ace[row[v.pair_id], col[v.rater]] = v.ace_score
            incumbent[row[v.pair_id], col[v.rater]] = v.incumbent_score
        return cls(pairs, raters, ace, incumbent)

    def pair_means(self) -> tuple[Matrix, Matrix]:
        """Each pair's mean score over the raters who voted on it: (ACE-Step, incumbent)."""
        return _row_means(self.ace), _row_means(self.incumbent)


@dataclass(frozen=True)
class BootstrapResult:
    """The ratio's percentile interval, the draws it rests on and the draws discarded (no vote)."""

    interval: Interval
    resamples: int
    kept: int


def _row_means(matrix: Matrix) -> Matrix:
    counts = np.sum(~np.isnan(matrix), axis=1)
    means: Matrix = np.nansum(matrix, axis=1) / counts
    return means


def ratio_of_means(table: ScoreTable) -> float:
    """Mean ACE-Step score ÷ mean incumbent score, over every vote of the table."""
    return float(np.nanmean(table.ace) / np.nanmean(table.incumbent))


def _draw_ratios(table: ScoreTable, pair_idx: Indices, rater_idx: Indices) -> Matrix:
    """The ratio for each draw (rows of the index arrays); NaN for a draw that kept no vote."""
    rows = pair_idx[:, :, None]
    cols = rater_idx[:, None, :]
    ace_sum = np.nansum(table.ace[rows, cols], axis=(1, 2))
    incumbent_sum = np.nansum(table.incumbent[rows, cols], axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios: Matrix = ace_sum / incumbent_sum
    ratios[incumbent_sum == 0] = np.nan
    return ratios


def bootstrap_ratio(
    table: ScoreTable, *, resamples: int, seed: int, confidence: float
) -> BootstrapResult:
    """The two-way (pairs and raters) cluster bootstrap percentile interval of the ratio."""
    if table.ace.size == 0:
        raise EvaluationError("no votes to resample")
    rng = np.random.default_rng(seed)
    n_pairs, n_raters = table.ace.shape
    pair_idx = rng.integers(0, n_pairs, size=(resamples, n_pairs))
    rater_idx = rng.integers(0, n_raters, size=(resamples, n_raters))
    chunks = [
        _draw_ratios(table, pair_idx[i : i + _CHUNK], rater_idx[i : i + _CHUNK])
        for i in range(0, resamples, _CHUNK)
    ]
    ratios = np.concatenate(chunks)
    kept = ratios[~np.isnan(ratios)]
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(kept, [tail, 100 - tail])
    return BootstrapResult(Interval(float(low), float(high)), resamples, int(kept.size))
