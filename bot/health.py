"""Live checks of each ACE-Step server, for `/music status` and `acemusic doctor`."""

import asyncio
from dataclasses import dataclass

from bot.acestep.client import ModelList, ServerStats
from bot.acestep.errors import AceStepError
from bot.engine.servers import Server


@dataclass(frozen=True)
class ServerReport:
    """What one server said just now; `problem` is None when it answered every check."""

    name: str
    placeholder: bool
    problem: str | None
    service: str | None = None
    models: ModelList | None = None
    stats: ServerStats | None = None
    job_seconds: float | None = None

    @property
    def ok(self) -> bool:
        """Whether the server answered every check."""
        return self.problem is None


async def probe_server(server: Server) -> ServerReport:
    """Ask one server for its health, models and queue figures (three calls)."""
    try:
        health = await server.client.health()
        models, stats = await asyncio.gather(server.client.models(), server.client.stats())
    except AceStepError as exc:
        return ServerReport(server.name, server.placeholder, problem=str(exc))
    server.models, server.stats = models, stats
    return ServerReport(
        server.name,
        server.placeholder,
        problem=None,
        service=str(health.get("service", "")) or None,
        models=models,
        stats=stats,
        job_seconds=server.known_job_seconds,
    )


async def probe_all(servers: list[Server]) -> list[ServerReport]:
    """Every server's report, probed concurrently."""
    return list(await asyncio.gather(*(probe_server(server) for server in servers)))
