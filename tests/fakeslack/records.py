"""What the fake remembers about traffic (`Call`) and how tests wait for it without sleeping."""

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Call:
    """One Web API request as the fake received and answered it.

    `args` are the arguments merged from query string and body, with JSON-encoded fields (`blocks`,
    `view`, `files`, ...) decoded; `raw_args` are exactly as received. `transport` is `"json"`,
    `"form"` or `"query"` (no body). `at` is `time.monotonic()` at arrival, comparable with socket
    delivery and ack times.
    """

    method: str
    args: Mapping[str, Any]
    token: str | None
    headers: Mapping[str, str]
    at: float
    transport: str = "query"
    http_method: str = "POST"
    raw_args: Mapping[str, Any] = field(default_factory=dict)
    status: int = 200
    response: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the fake answered `"ok": true`."""
        return bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        """The `error` the fake answered, if any."""
        error = self.response.get("error")
        return error if isinstance(error, str) else None


class Changes:
    """Wakes waiting tests whenever the fake's state changes (a call, message, ack, share)."""

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def notify(self) -> None:
        """Tell every waiter to re-check its condition."""
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait_until(
        self,
        check: Callable[[], T | None],
        timeout: float,  # noqa: ASYNC109 -- a test helper's deadline, reported with `what`
        what: str,
    ) -> T:
        """Return `check()` as soon as it is not None; re-checked on every change, never polled."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (result := check()) is None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"fakeslack: timed out after {timeout:g}s waiting for {what}")
            waiter = loop.create_future()
            self._waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                continue
        return result
