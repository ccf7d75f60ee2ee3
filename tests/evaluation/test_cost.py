"""Measured cost per delivered track beside the incumbent's price."""

import pytest

from evaluation import CostInputs, InvalidCostError, JobTime, TimeSource
from evaluation.cost import cost_figures

SERVER, WALL = TimeSource.SERVER, TimeSource.SUBMIT_TO_DONE


def test_cost_per_track_by_hand() -> None:
    # 360 GPU seconds for 3 tracks = 120 s each; at 1.20 USD/h that is 0.04 USD a track,
    # 0.04 / 0.058 = 0.6897 of the incumbent's price.
    jobs = (JobTime(100, SERVER), JobTime(120, SERVER), JobTime(140, WALL))
    figures = cost_figures(CostInputs(jobs, delivered_tracks=3, gpu_cost_per_hour=1.20))
    assert figures.gpu_seconds_per_track == pytest.approx(120)
    assert figures.cost_per_track == pytest.approx(0.04)
    assert figures.incumbent_cost_per_track == 0.058
    assert figures.cost_ratio == pytest.approx(0.04 / 0.058)
    assert figures.sources == {SERVER: 2, WALL: 1}


def test_unpicked_variants_are_paid_for_by_the_delivered_track() -> None:
    jobs = tuple(JobTime(30, SERVER) for _ in range(4))  # best of 4
    figures = cost_figures(CostInputs(jobs, delivered_tracks=1, gpu_cost_per_hour=3.6))
    assert figures.gpu_seconds_per_track == 120
    assert figures.cost_per_track == pytest.approx(0.12)


def test_no_delivered_track_has_no_cost_per_track() -> None:
    figures = cost_figures(CostInputs((JobTime(50, WALL),), 0, gpu_cost_per_hour=1.0))
    assert (figures.gpu_seconds_per_track, figures.cost_per_track, figures.cost_ratio) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda: JobTime(-1, SERVER),
        lambda: JobTime(float("nan"), SERVER),
        lambda: CostInputs((), -1, 1.0),
        lambda: CostInputs((), 1, -1.0),
        lambda: CostInputs((), 1, 1.0, incumbent_cost_per_track=-0.01),
    ],
)
def test_bad_cost_inputs_are_refused(make: object) -> None:
    with pytest.raises(InvalidCostError):
        make()  # type: ignore[operator]
