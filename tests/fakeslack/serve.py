"""Serve any aiohttp application on 127.0.0.1 on a free port (never a fixed port, never 0.0.0.0).

Used by `FakeSlack` itself, and by HTTP-mode tests to serve the bot's Bolt app::

    async with serve_locally(app.web_app(path="/slack/events")) as base:
        bot_url = f"{base}/slack/events"
"""

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web


async def start_locally(app: web.Application) -> tuple[web.AppRunner, int]:
    """Start serving `app` on 127.0.0.1; returns the runner (clean it up) and the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    try:
        sock.bind(("127.0.0.1", 0))
        await runner.setup()
        await web.SockSite(runner, sock).start()
    except BaseException:
        sock.close()
        await runner.cleanup()
        raise
    port: int = sock.getsockname()[1]
    return runner, port


@asynccontextmanager
async def serve_locally(app: web.Application) -> AsyncIterator[str]:
    """Serve `app` for the duration of the block; yields `http://127.0.0.1:<port>`."""
    runner, port = await start_locally(app)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
