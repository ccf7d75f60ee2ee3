"""The ratio of means and its two-way (pairs × raters) bootstrap interval."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation import Vote
from evaluation.bootstrap import ScoreTable, bootstrap_ratio, ratio_of_means
from evaluation.errors import EvaluationError

from .factory import GO_ACE, INCUMBENT, zone_votes


def test_table_lays_votes_out_by_pair_and_rater() -> None:
    votes = zone_votes("spa", [[5, None], [3, 4]], [[2, None], [4, 4]])
    table = ScoreTable.from_votes(votes)
    assert table.pairs == ("spa-0", "spa-1")
    assert table.raters == ("r0", "r1")
    np.testing.assert_array_equal(table.ace, [[5, np.nan], [3, 4]])
    ace, incumbent = table.pair_means()
    np.testing.assert_array_equal(ace, [5.0, 3.5])
    np.testing.assert_array_equal(incumbent, [2.0, 4.0])


def test_ratio_of_means_by_hand() -> None:
    # ACE-Step 5 + 3 + 4 = 12 over 3 votes = 4; incumbent 2 + 4 + 4 = 10 → 10/3; ratio 1.2.
    votes = zone_votes("spa", [[5, None], [3, 4]], [[2, None], [4, 4]])
    assert ratio_of_means(ScoreTable.from_votes(votes)) == pytest.approx(1.2)


def _interval(votes: list[Vote], seed: int = 8, resamples: int = 2_000) -> tuple[float, float]:
    table = ScoreTable.from_votes(votes)
    result = bootstrap_ratio(table, resamples=resamples, seed=seed, confidence=0.95)
    return result.interval.low, result.interval.high


def test_bootstrap_is_deterministic_for_a_seed() -> None:
    votes = zone_votes("spa", GO_ACE, INCUMBENT)
    assert _interval(votes) == _interval(votes)
    assert _interval(votes, seed=1) != _interval(votes, seed=2)


def test_bootstrap_interval_holds_the_point_estimate() -> None:
    votes = zone_votes("spa", GO_ACE, INCUMBENT)
    low, high = _interval(votes)
    assert low < 65 / 63 < high


def test_bootstrap_narrows_with_more_pairs_and_raters() -> None:
    small = zone_votes("spa", GO_ACE, INCUMBENT)
    wide_ace = [row * 3 for row in GO_ACE * 4]  # 20 pairs × 9 raters, same score mix
    wide_incumbent = [row * 3 for row in INCUMBENT * 4]
    large = zone_votes("spa", wide_ace, wide_incumbent)
    small_low, small_high = _interval(small)
    large_low, large_high = _interval(large)
    assert large_high - large_low < (small_high - small_low) / 2
    assert large_low < 65 / 63 < large_high


def test_resamples_of_sparse_votes_that_keep_nothing_are_discarded() -> None:
    # Two pairs, each rated by a different rater: a draw of pair 0 with rater 1 keeps no vote.
    votes = [Vote("a", "spa", "r0", 4, 4), Vote("b", "spa", "r1", 2, 4)]
    result = bootstrap_ratio(ScoreTable.from_votes(votes), resamples=400, seed=3, confidence=0.95)
    assert 0 < result.kept < result.resamples == 400
    assert 0.5 <= result.interval.low <= result.interval.high <= 1.0


def test_bootstrap_refuses_an_empty_table() -> None:
    table = ScoreTable.from_votes([])
    with pytest.raises(EvaluationError):
        bootstrap_ratio(table, resamples=10, seed=0, confidence=0.95)


scores = st.integers(1, 5)
cells = st.one_of(st.none(), st.tuples(scores, scores))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(cells, min_size=3, max_size=3), min_size=1, max_size=6),
    st.integers(0, 2**32 - 1),
)
def test_bootstrap_interval_is_ordered_and_within_score_bounds(
    grid: list[list[tuple[int, int] | None]], seed: int
) -> None:
    votes = [
        Vote(f"p{p}", "spa", f"r{r}", cell[0], cell[1])
        for p, row in enumerate(grid)
        for r, cell in enumerate(row)
        if cell is not None
    ]
    if not votes:
        return
    low, high = _interval(votes, seed=seed, resamples=200)
    assert 1 / 5 <= low <= high <= 5
