"""How long and how much (pure, no I/O): the arithmetic of the wait and batch estimates.

The engine supplies the figures (each server's job time, how many are healthy, what is in
flight); these functions are the one place they become a wait or a cost, for every reader
(`/music status`, a new job's reply, the Slack card, a batch's estimate and summary).
"""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class BatchEstimate:
    """Figures shown before a batch starts (and in its summary)."""

    tracks: int
    jobs: int
    job_seconds: float  # one job's GPU time
    measured: bool  # False: no server has measured its job time yet; a default guess is used
    servers: int
    cost_per_hour: float | None  # USD per GPU hour (GPU_COST_PER_HOUR), None when not set

    @property
    def gpu_seconds(self) -> float:
        """GPU time for every job, one after the other."""
        return self.jobs * self.job_seconds

    @property
    def wall_seconds(self) -> float:
        """Time until done with every server busy on it (and nothing else)."""
        return self.gpu_seconds / max(self.servers, 1)

    @property
    def cost(self) -> float | None:
        """GPU cost in USD, when a price per hour is configured."""
        if self.cost_per_hour is None:
            return None
        return self.gpu_seconds / 3600 * self.cost_per_hour

    @property
    def cost_per_track(self) -> float | None:
        """Cost divided by tracks."""
        cost = self.cost
        return None if cost is None or not self.tracks else cost / self.tracks


def wait_seconds(ahead: int, in_flight: int, job_seconds: Sequence[float]) -> float | None:
    """Seconds until a job with `ahead` queued jobs before it is done, roughly: every job queued
    or in flight, one after another, spread over servers each taking `job_seconds` per job."""
    if not job_seconds:
        return None
    per_job = sum(job_seconds) / len(job_seconds)
    return (ahead + in_flight + 1) * per_job / len(job_seconds)
