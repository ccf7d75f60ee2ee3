"""The Wilson interval against worked values and scipy's own implementation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binomtest, norm

from evaluation.errors import EvaluationError
from evaluation.intervals import Interval, wilson_interval, z_score


def test_wilson_for_8_of_10_is_0_490_to_0_943() -> None:
    interval = wilson_interval(8, 10)
    assert round(interval.low, 3) == 0.490
    assert round(interval.high, 3) == 0.943


def test_wilson_for_0_of_5_by_hand() -> None:
    # p = 0: centre = (z²/2n)/(1+z²/n), half = z/(1+z²/n)·√(z²/4n²) = the centre itself.
    z2 = z_score(0.95) ** 2
    high = 2 * (z2 / 10) / (1 + z2 / 5)
    assert wilson_interval(0, 5) == Interval(0.0, pytest.approx(high))
    assert round(high, 4) == 0.4345


@pytest.mark.parametrize(("k", "n"), [(0, 1), (1, 1), (3, 7), (8, 10), (12, 40), (99, 100)])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_wilson_matches_scipy(k: int, n: int, confidence: float) -> None:
    expected = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    interval = wilson_interval(k, n, confidence)
    assert interval.low == pytest.approx(expected.low, abs=1e-12)
    assert interval.high == pytest.approx(expected.high, abs=1e-12)


def test_wilson_with_no_trials_is_the_whole_range() -> None:
    assert wilson_interval(0, 0) == Interval(0.0, 1.0)


def test_wilson_refuses_more_successes_than_trials() -> None:
    with pytest.raises(EvaluationError):
        wilson_interval(3, 2)


@given(st.integers(0, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_is_ordered_within_bounds_and_holds_the_share(k_n: tuple[int, int]) -> None:
    k, n = k_n
    interval = wilson_interval(k, n)
    assert 0.0 <= interval.low <= interval.high <= 1.0
    if n:
        assert interval.contains(k / n)


@pytest.mark.parametrize("confidence", [0.5, 0.8, 0.9, 0.95, 0.99, 0.999])
def test_z_score_matches_scipy(confidence: float) -> None:
    assert z_score(confidence) == pytest.approx(float(norm.ppf(0.5 + confidence / 2)), abs=1e-12)
