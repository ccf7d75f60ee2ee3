"""What a batch will cost before it runs: GPU time from the servers' measured job time."""

import logging
from dataclasses import dataclass

from bot.engine.acestep.errors import AceStepError
from bot.engine.acestep.urls import public_url
from bot.engine.jobs.servers import Server

log = logging.getLogger(__name__)


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


async def estimate_batch(
    servers: list[Server], *, tracks: int, jobs: int, cost_per_hour: float | None
) -> BatchEstimate:
    """Estimate from each reachable server's own average job time (`/v1/stats`)."""
    measured = [s for s in [await _job_seconds(server) for server in servers] if s is not None]
    healthy = sum(1 for server in servers if server.healthy) or len(servers)
    if measured:
        seconds = sum(measured) / len(measured)
    else:
        seconds = sum(server.estimated_job_seconds for server in servers) / max(len(servers), 1)
    return BatchEstimate(tracks, jobs, seconds, bool(measured), healthy, cost_per_hour)


async def _job_seconds(server: Server) -> float | None:
    if server.known_job_seconds is None:
        try:
            stats = await server.client.stats()
        except AceStepError as exc:
            shown = public_url(server.name)  # never the credentials in ACESTEP_API_URL
            log.info("no job time from %s: %s", shown, str(exc).replace(server.name, shown))
            return None
        if stats.succeeded + stats.failed > 0:
            return stats.avg_job_seconds
    return server.known_job_seconds
