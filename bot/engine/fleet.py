"""The ACE-Step servers as commands see them: health reports, estimates, the models on offer.

One object over the configured servers (`Services.fleet`), so commands ask the engine for these
figures through a narrow interface (`commands.ports.ServerFleet`) instead of reaching into the
servers and the ACE-Step client themselves. The wait of a queued job is the engine's own figure
(`JobEngine.estimate_wait`).
"""

from bot.engine.acestep.errors import AceStepError
from bot.engine.acestep.wire import match_model
from bot.engine.batches.estimate import estimate_batch
from bot.engine.health import probe_all
from bot.engine.jobs.servers import Server
from domain.estimates import BatchEstimate
from domain.servers import ServerReport


class Fleet:
    """Reports and estimates over a list of servers."""

    def __init__(self, servers: list[Server]) -> None:
        self.servers = servers

    async def probe(self) -> list[ServerReport]:
        """Every server's health, models and queue figures, asked now."""
        return await probe_all(self.servers)

    async def estimate_batch(
        self, *, tracks: int, jobs: int, cost_per_hour: float | None
    ) -> BatchEstimate:
        """GPU time, wall time and cost of `jobs` jobs making `tracks` tracks."""
        return await estimate_batch(
            self.servers, tracks=tracks, jobs=jobs, cost_per_hour=cost_per_hour
        )

    async def model_problem(self, wanted: str) -> str | None:
        """Why no server offers the model `wanted` (asking the first that answers), or None."""
        for server in self.servers:
            try:
                available = (await server.client.models()).names
            except AceStepError:
                continue  # unreachable now; the engine checks again when it sends the job
            try:
                match_model(wanted, available)
            except ValueError as exc:
                return str(exc)
            return None
        return None
