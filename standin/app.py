"""The Starlette app: routes, upstream's error shapes, and per-path request counting.

Errors look like FastAPI's: `{"detail": ...}` for HTTP errors (including 404 and 405 — GET
routes do not answer HEAD), and a plain-text `Internal Server Error` where upstream crashes.
"""

import logging
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from standin import routes_format, routes_info, routes_jobs
from standin.core import Core
from standin.errors import ServerFault

log = logging.getLogger(__name__)

Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]


def build_app(core: Core, lifespan: Lifespan) -> Starlette:
    """The ASGI app serving `core`; `lifespan` starts and stops the workers under a server."""
    app = Starlette(
        routes=[
            Route("/release_task", routes_jobs.release_task, methods=["POST"]),
            Route("/query_result", routes_jobs.query_result, methods=["POST"]),
            Route("/create_random_sample", routes_jobs.create_random_sample, methods=["POST"]),
            Route("/format_input", routes_format.format_input, methods=["POST"]),
            _get("/health", routes_info.health),
            _get("/v1/models", routes_info.models),
            _get("/v1/stats", routes_info.stats),
            _get("/v1/audio", routes_info.audio),
        ],
        middleware=[Middleware(RequestCounter, counts=core.shared.request_counts)],
        exception_handlers={HTTPException: _http_error, ServerFault: _server_fault},
        lifespan=lifespan,
    )
    app.state.standin_core = core
    return app


class RequestCounter:
    """Counts HTTP requests per path (benchmarks read "HTTP calls per track" from it)."""

    def __init__(self, app: ASGIApp, counts: Counter[str]) -> None:
        self.app = app
        self.counts = counts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.counts[scope["path"]] += 1
        await self.app(scope, receive, send)


def _get(path: str, endpoint: Callable[[Request], object]) -> Route:
    route = Route(path, endpoint, methods=["GET"])
    route.methods = {"GET"}  # Starlette adds HEAD to GET routes; FastAPI (upstream) does not
    return route


async def _http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):  # pragma: no cover - registered for HTTPException only
        raise exc
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def _server_fault(request: Request, exc: Exception) -> Response:
    log.info("stand-in answers 500 where upstream crashes: %s", exc)
    return PlainTextResponse("Internal Server Error", status_code=500)
