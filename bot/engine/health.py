"""Live checks of each ACE-Step server, for `/music status`, the Home tab and `acemusic doctor`.

Reports name each server by its public address: credentials in ACESTEP_API_URL are never shown.
"""

import asyncio

from bot.engine.acestep.errors import AceStepError
from bot.engine.acestep.urls import public_url
from bot.engine.jobs.servers import Server
from domain.servers import ServerReport


async def probe_server(server: Server) -> ServerReport:
    """Ask one server for its health, models and queue figures (three calls)."""
    try:
        health = await server.client.health()
        models, stats = await asyncio.gather(server.client.models(), server.client.stats())
    except AceStepError as exc:
        problem = str(exc).replace(server.name, public_url(server.name))
        return ServerReport(public_url(server.name), server.placeholder, problem=problem)
    server.models, server.stats = models, stats
    return ServerReport(
        public_url(server.name),
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
