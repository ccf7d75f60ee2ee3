"""A fault-injecting httpx transport: per route, answer 429 / 4xx / 5xx / timeouts / garbage.

`FaultyTransport(inner, {"/release_task": Faults(server_error=0.3)}, seed=7)` sits in front of a
real transport (the stand-in through `httpx.ASGITransport`). Each request to a listed path draws
one number from its own seeded RNG, so a run is reproducible; the draw picks at most one fault.
`lost_reply` forwards the request (the server acts on it) and then times out, as when a reply is
lost on the way back: the case that can make duplicate work on a GPU server.
"""

import random
from collections import Counter
from dataclasses import dataclass, fields

import httpx

MALFORMED_BODY = b'{"data": {"task_id": '  # cut short: not JSON


@dataclass(frozen=True)
class Faults:
    """Share of requests (0..1) that get each fault; the rest pass through untouched."""

    queue_full: float = 0.0  # 429
    client_error: float = 0.0  # `client_status`, e.g. 400 or 404
    server_error: float = 0.0  # 502 from a proxy
    timeout: float = 0.0  # ReadTimeout before the server saw the request
    lost_reply: float = 0.0  # the server acts on it, then the reply times out
    malformed: float = 0.0  # HTTP 200 with a cut-off body
    client_status: int = 400


class FaultyTransport(httpx.AsyncBaseTransport):
    """Wraps a transport; injects the configured faults per path; counts what it did."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, faults: dict[str, Faults], *, seed: int
    ) -> None:
        self.inner = inner
        self.faults = faults
        self.enabled = True
        self.injected: Counter[str] = Counter()  # "<path> <fault>" -> how many
        self._rng = random.Random(seed)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        fault = self._draw(request.url.path)
        if fault is None:
            return await self.inner.handle_async_request(request)
        self.injected[f"{request.url.path} {fault}"] += 1
        return await self._inject(fault, request)

    def _draw(self, path: str) -> str | None:
        rates = self.faults.get(path)
        if rates is None or not self.enabled:
            return None
        roll, edge = self._rng.random(), 0.0
        for item in fields(Faults):
            if item.name == "client_status":
                continue
            edge += float(getattr(rates, item.name))
            if roll < edge:
                return item.name
        return None

    async def _inject(self, fault: str, request: httpx.Request) -> httpx.Response:
        if fault == "lost_reply":
            response = await self.inner.handle_async_request(request)
            await response.aread()
            raise httpx.ReadTimeout("timed out reading the reply", request=request)
        if fault == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if fault == "queue_full":
            return httpx.Response(429, json={"detail": "Server busy: queue is full"})
        if fault == "client_error":
            status = self.faults[request.url.path].client_status
            return httpx.Response(status, json={"detail": "injected client error"})
        if fault == "server_error":
            return httpx.Response(502, text="<html><title>502 Bad Gateway</title></html>")
        return httpx.Response(200, content=MALFORMED_BODY)

    def count(self, fault: str) -> int:
        """How many requests got `fault`, over every path."""
        return sum(n for key, n in self.injected.items() if key.endswith(f" {fault}"))
