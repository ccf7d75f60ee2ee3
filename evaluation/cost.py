"""Measured cost per track: the GPU seconds ACE-Step spent per delivered track, priced.

GPU seconds per delivered track = every job's seconds (all K variants, picked or not) ÷ tracks
delivered; × GPU cost per hour ÷ 3600 gives the cost per track, shown beside the incumbent's price
per track and the ratio between them (below 1: ACE-Step is cheaper). Which measure the seconds are
("server time cost" where the server reported it, else "submit-to-done") is counted per source, so
the report can say which one it rests on.
"""

from collections import Counter
from dataclasses import dataclass

from evaluation.inputs import CostInputs, TimeSource

SECONDS_PER_HOUR = 3_600


@dataclass(frozen=True)
class CostFigures:
    """The measured cost per track beside the incumbent's; None where no track was delivered."""

    jobs: int
    delivered_tracks: int
    gpu_seconds_total: float
    gpu_seconds_per_track: float | None
    gpu_cost_per_hour: float
    cost_per_track: float | None
    incumbent_cost_per_track: float
    cost_ratio: float | None  # ACE-Step's cost per track ÷ the incumbent's
    sources: dict[TimeSource, int]  # how many jobs' seconds came from each measure


def cost_figures(inputs: CostInputs) -> CostFigures:
    """Price the GPU time spent per delivered track and compare it with the incumbent's price."""
    total = sum(job.seconds for job in inputs.jobs)
    per_track = total / inputs.delivered_tracks if inputs.delivered_tracks else None
    cost = None if per_track is None else per_track * inputs.gpu_cost_per_hour / SECONDS_PER_HOUR
    ratio = None
    if cost is not None and inputs.incumbent_cost_per_track > 0:
        ratio = cost / inputs.incumbent_cost_per_track
    return CostFigures(
        jobs=len(inputs.jobs),
        delivered_tracks=inputs.delivered_tracks,
        gpu_seconds_total=total,
        gpu_seconds_per_track=per_track,
        gpu_cost_per_hour=inputs.gpu_cost_per_hour,
        cost_per_track=cost,
        incumbent_cost_per_track=inputs.incumbent_cost_per_track,
        cost_ratio=ratio,
        sources=dict(Counter(job.source for job in inputs.jobs)),
    )
