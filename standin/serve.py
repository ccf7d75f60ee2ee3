"""Serving the stand-in over HTTP with uvicorn: in the foreground, or in a background thread.

`run_standin_server` is what `acemusic engine` runs. `serve_in_background` is for end-to-end
tests: it binds 127.0.0.1 on a free port (port 0) and yields the base URL.
"""

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

import uvicorn

from standin.config import StandInConfig
from standin.server import StandInServer

log = logging.getLogger(__name__)

LOCALHOST: Final = "127.0.0.1"
READY_TIMEOUT_S: Final = 10.0
READY_POLL_S: Final = 0.01


def run_standin_server(config: StandInConfig, *, host: str = LOCALHOST, port: int = 8001) -> None:
    """Serve the stand-in until interrupted (blocking); the lifespan runs the workers."""
    server = StandInServer(config)
    log.warning(
        "ACE-Step stand-in on http://%s:%d — placeholder audio, not AI music (flavour %s)",
        host,
        port,
        config.flavour,
    )
    uvicorn.run(server.app, host=host, port=port, lifespan="on", ws="none")


@dataclass(frozen=True)
class BackgroundStandIn:
    """A stand-in served over real HTTP in a background thread."""

    server: StandInServer
    base_url: str


@contextmanager
def serve_in_background(
    config: StandInConfig, *, host: str = LOCALHOST, port: int = 0
) -> Iterator[BackgroundStandIn]:
    """Run uvicorn in a daemon thread until the block ends; yields the server and its URL."""
    server = StandInServer(config)
    uv_config = uvicorn.Config(
        server.app, host=host, port=port, lifespan="on", ws="none", log_config=None
    )
    uv_server = uvicorn.Server(uv_config)
    thread = threading.Thread(target=uv_server.run, name="standin-uvicorn", daemon=True)
    thread.start()
    try:
        _wait_started(uv_server, thread)
        bound = uv_server.servers[0].sockets[0].getsockname()[1]
        yield BackgroundStandIn(server, f"http://{host}:{bound}")
    finally:
        uv_server.should_exit = True
        thread.join(READY_TIMEOUT_S)


def _wait_started(uv_server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not uv_server.started:
        if not thread.is_alive():
            raise RuntimeError("the stand-in's HTTP server failed to start (see the log)")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the stand-in's HTTP server did not start in {READY_TIMEOUT_S} s")
        time.sleep(READY_POLL_S)
