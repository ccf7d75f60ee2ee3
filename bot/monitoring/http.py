"""`/healthz` and `/metrics` over HTTP (aiohttp, which Bolt's HTTP mode already uses).

`/healthz` answers 200 with the checks as JSON, or 503 when one fails; `/metrics` answers the
Prometheus text format. Both are served on HEALTH_HOST:HEALTH_PORT in either mode; in HTTP mode the
Slack port answers `/healthz` too, for load balancers that probe the public port.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

from aiohttp import web

from bot.monitoring.checks import HealthChecks
from bot.monitoring.metrics import CONTENT_TYPE, Metrics, refresh
from bot.settings import SettingsError

HEALTH_PATH: Final = "/healthz"
METRICS_PATH: Final = "/metrics"


def add_health(app: web.Application, checks: HealthChecks) -> None:
    """Serve `/healthz` from `app`."""

    async def healthz(_request: web.Request) -> web.Response:
        report = await checks.run()
        return web.json_response(report, status=200 if report["ok"] else 503)

    app.router.add_get(HEALTH_PATH, healthz)


def add_metrics(app: web.Application, checks: HealthChecks, metrics: Metrics) -> None:
    """Serve `/metrics` from `app`."""

    async def scrape(_request: web.Request) -> web.Response:
        await refresh(metrics, checks.db, checks.engine, checks.clock)
        return web.Response(body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE})

    app.router.add_get(METRICS_PATH, scrape)


@asynccontextmanager
async def serving(
    checks: HealthChecks, metrics: Metrics, *, host: str, port: int
) -> AsyncIterator[int]:
    """Serve both on host:port until exit; yields the bound port (port 0: a free one)."""
    app = web.Application()
    add_health(app, checks)
    add_metrics(app, checks, metrics)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        raise SettingsError(
            f"Cannot serve health checks on {host}:{port} ({exc.strerror or exc}): "
            "set HEALTH_PORT to a free port (HEALTH_HOST for the address)."
        ) from None
    try:
        yield bound_port(runner, port)
    finally:
        await runner.cleanup()


def bound_port(runner: web.AppRunner, configured: int) -> int:
    """The port a started runner listens on."""
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return configured
