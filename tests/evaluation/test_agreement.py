"""Krippendorff's alpha against published values, and each rater's figures."""

import numpy as np
import pytest

from evaluation import Vote
from evaluation.agreement import dominant_rater, krippendorff_alpha, rater_figures
from evaluation.bootstrap import ScoreTable

from .factory import zone_votes

NAN = np.nan
# The `krippendorff` package's documented example (3 coders × 15 units, missing as NaN), the
# reliability data of Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability", with
# interval alpha 0.810845 (and nominal 0.691358) in the package's doctest.
DOCUMENTED = [
    [NAN, NAN, NAN, NAN, NAN, 3, 4, 1, 2, 1, 1, 3, 3, NAN, 3],
    [1, NAN, 2, 1, 3, 3, 4, 3, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
    [NAN, NAN, 2, 1, 3, 4, 4, NAN, 2, 1, 1, 3, 3, NAN, 4],
]


def _table(ace: list[list[float]], incumbent: list[list[float]]) -> ScoreTable:
    """A table straight from raters × units matrices (transposed to pairs × raters)."""
    ace_m = np.array(ace, dtype=float).T
    raters = tuple(f"r{i}" for i in range(ace_m.shape[1]))
    pairs = tuple(f"p{i}" for i in range(ace_m.shape[0]))
    return ScoreTable(pairs, raters, ace_m, np.array(incumbent, dtype=float).T)


def test_alpha_matches_the_documented_example() -> None:
    unrated = np.full_like(np.array(DOCUMENTED), NAN).tolist()  # units no one rated add nothing
    alpha = krippendorff_alpha(_table(DOCUMENTED, unrated))
    assert alpha == pytest.approx(0.810845, abs=1e-6)


def test_alpha_by_hand_for_two_raters() -> None:
    # Units (1,1), (2,2), (3,4): D_o = 2/6; the six values' squared differences sum to 41
    # per unordered pair, so D_e = 82/30; alpha = 1 − (1/3)/(82/30) = 72/82.
    table = _table([[1, 2], [1, 2]], [[3], [4]])
    assert krippendorff_alpha(table) == pytest.approx(72 / 82)


def test_alpha_counts_each_pair_as_two_rated_tracks() -> None:
    votes = zone_votes("spa", [[5, 5], [1, 1]], [[1, 1], [5, 5]])  # perfect agreement
    assert krippendorff_alpha(ScoreTable.from_votes(votes)) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "votes",
    [
        [Vote("a", "spa", "r0", 4, 2), Vote("b", "spa", "r0", 5, 1)],  # one rater
        [Vote("a", "spa", "r0", 4, 2), Vote("b", "spa", "r1", 5, 1)],  # no track rated twice
        [Vote("a", "spa", "r0", 3, 3), Vote("a", "spa", "r1", 3, 3)],  # one value only
    ],
)
def test_alpha_is_none_where_undefined(votes: list[Vote]) -> None:
    assert krippendorff_alpha(ScoreTable.from_votes(votes)) is None


def test_rater_figures_by_hand() -> None:
    votes = [
        Vote("a", "spa", "ann", 5, 1),
        Vote("b", "spa", "ann", 5, 1),
        Vote("a", "spa", "bob", 3, 3),
    ]
    ann, bob = rater_figures(votes)
    assert (ann.rater, ann.votes, ann.mean_ace, ann.mean_incumbent) == ("ann", 2, 5.0, 1.0)
    assert ann.score_spread == pytest.approx(2.0)  # scores 5, 5, 1, 1: mean 3, SD 2
    assert (bob.votes, bob.score_spread) == (1, 0.0)


def test_a_rater_with_more_than_half_the_votes_is_flagged() -> None:
    votes = [Vote(p, "spa", "ann", 5, 1) for p in "abc"] + [Vote("a", "spa", "bob", 3, 3)]
    assert dominant_rater(votes) == "ann"
    even = [*votes, Vote("b", "spa", "bob", 3, 3), Vote("c", "spa", "bob", 3, 3)]
    assert dominant_rater(even) is None  # exactly half is not more than half
    assert dominant_rater([]) is None
