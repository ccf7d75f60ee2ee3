"""Failed ACE-Step calls counted where they happen, at the HTTP layer of each server's client.

A transport wrapper around the real one: every answer of 400 or more and every transport error
(refused, timed out, reset) is counted per server and call — poll (`/query_result`), submit
(`/release_task`), download (`/v1/audio`), … — without the engine knowing about metrics.
"""

from typing import Final

import httpx
from prometheus_client import Counter

CALLS: Final = {
    "/query_result": "poll",
    "/release_task": "submit",
    "/v1/audio": "download",
    "/format_input": "format",
    "/health": "health",
    "/v1/models": "models",
    "/v1/stats": "stats",
}


def call_of(path: str) -> str:
    """The kind of ACE-Step call a request path is ("other" when unknown)."""
    return next((call for prefix, call in CALLS.items() if path.endswith(prefix)), "other")


class CountingTransport(httpx.AsyncBaseTransport):
    """`inner`, with each failed call counted under the server's public name."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, server: str, errors: Counter) -> None:
        self._inner = inner
        self._server = server
        self._errors = errors

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        call = call_of(request.url.path)
        try:
            response = await self._inner.handle_async_request(request)
        except httpx.TransportError as exc:
            self._errors.labels(self._server, call, type(exc).__name__).inc()
            raise
        if response.status_code >= 400:
            self._errors.labels(self._server, call, str(response.status_code)).inc()
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
