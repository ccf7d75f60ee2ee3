"""What a batch will cost before it runs: GPU time from the servers' measured job time."""

import logging

from bot.engine.acestep.errors import AceStepError
from bot.engine.acestep.urls import public_url
from bot.engine.jobs.servers import Server
from domain.estimates import BatchEstimate

log = logging.getLogger(__name__)


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
