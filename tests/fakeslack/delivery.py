"""What Socket Mode tests hold on to: a connection, a delivered envelope, and the app's ack."""

import asyncio
import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from aiohttp import web

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class Ack:
    """The app's acknowledgement of one envelope: the `payload` it replied with (None for a bare
    ack), `latency` in seconds from sending the envelope to receiving the ack, `at` (monotonic)
    and the raw ack `message`."""

    envelope_id: str
    payload: JsonDict | None
    latency: float
    at: float
    message: JsonDict


class SocketConnection:
    """One WebSocket connection from the app."""

    def __init__(self, serial: int, ws: web.WebSocketResponse) -> None:
        self.serial = serial
        self.ws = ws
        self.opened_at = time.monotonic()
        self.close_code: int | None = None
        self._closed = asyncio.Event()

    @property
    def is_open(self) -> bool:
        """Still connected."""
        return not self._closed.is_set()

    def mark_closed(self, code: int | None) -> None:
        """Called when the connection ends."""
        self.close_code = code
        self._closed.set()

    async def wait_closed(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 -- a test helper's deadline
    ) -> int | None:
        """Wait until the connection is closed; returns the close code."""
        await asyncio.wait_for(self._closed.wait(), timeout)
        return self.close_code

    def __repr__(self) -> str:
        return f"<SocketConnection #{self.serial} {'open' if self.is_open else 'closed'}>"


class Delivery:
    """An envelope sent to the app; await it (or `wait_ack`) for the app's `Ack`."""

    def __init__(self, envelope: JsonDict, connection: SocketConnection) -> None:
        self.envelope = envelope
        self.connection = connection
        self.sent_at = time.monotonic()
        self._ack: asyncio.Future[Ack] = asyncio.get_running_loop().create_future()

    @property
    def envelope_id(self) -> str:
        """The envelope's id."""
        return str(self.envelope["envelope_id"])

    @property
    def payload(self) -> JsonDict:
        """What was delivered."""
        payload: JsonDict = self.envelope["payload"]
        return payload

    @property
    def ack(self) -> Ack | None:
        """The ack, if it has arrived."""
        return self._ack.result() if self._ack.done() else None

    def resolve(self, ack: Ack) -> None:
        """Called by the endpoint when the ack arrives."""
        if not self._ack.done():
            self._ack.set_result(ack)

    async def wait_ack(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 -- a test helper's deadline
    ) -> Ack:
        """The ack; TimeoutError if none arrives in time (Slack's own limit is 3 s)."""
        try:
            return await asyncio.wait_for(asyncio.shield(self._ack), timeout)
        except TimeoutError:
            kind = self.envelope["type"]
            raise TimeoutError(
                f"fakeslack: no ack for {kind} envelope within {timeout:g}s"
            ) from None

    def __await__(self) -> Generator[Any, None, Ack]:
        return self.wait_ack().__await__()
