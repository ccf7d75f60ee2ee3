"""Socket Mode: `apps.connections.open` hands out single-use `ws://…/link/?ticket=…` URLs; on
connect the fake says `hello`; tests push envelopes and await the app's acks.

    delivery = await fake.socket.send_slash_command("hotel lobby jazz")
    ack = await delivery            # or: await delivery.wait_ack(timeout=3)
    ack.payload, ack.latency        # the reply the app acked with; seconds from send to ack

Envelopes follow SLACK.md §3: `slash_commands` (accepts_response_payload true), `events_api`
(false, plus retry_attempt/retry_reason — only events carry those), `interactive` (true only for
view_submission/block_suggestion). Bolt never acks a request no listener handled.
"""

import json
import secrets
import time
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from tests.fakeslack import payloads
from tests.fakeslack.backend import Backend
from tests.fakeslack.delivery import Ack, Delivery, SocketConnection
from tests.fakeslack.identity import envelope_id
from tests.fakeslack.prepare import prepare_payload
from tests.fakeslack.response_url import ResponseUrls

JsonDict = dict[str, Any]
RESPONSE_PAYLOAD_INTERACTIONS = frozenset({"view_submission", "block_suggestion"})


class SocketMode:
    """The fake's Socket Mode endpoint (`fake.socket`)."""

    def __init__(self, backend: Backend, response_urls: ResponseUrls) -> None:
        self.backend = backend
        self.response_urls = response_urls
        self.connections: list[SocketConnection] = []
        self.deliveries: list[Delivery] = []
        self.acks: list[Ack] = []
        self.unexpected: list[str] = []
        self._tickets: set[str] = set()
        self._pending: dict[str, Delivery] = {}

    # -- connections -------------------------------------------------------------------------

    def issue_url(self) -> str:
        """A fresh single-use WebSocket URL (what apps.connections.open answers)."""
        ticket = secrets.token_urlsafe(12)
        self._tickets.add(ticket)
        host = self.backend.base_url.removeprefix("http://")
        return f"ws://{host}link/?ticket={ticket}&app_id={self.backend.identity.app_id}"

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one WebSocket connection until it closes."""
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            self.backend.note("socket mode: connection with an unknown or used ticket")
            return web.Response(status=401, text="invalid ticket")
        self._tickets.discard(ticket)
        ws = web.WebSocketResponse(autoping=True, timeout=1.0)
        await ws.prepare(request)
        connection = SocketConnection(len(self.connections) + 1, ws)
        self.connections.append(connection)
        await ws.send_str(json.dumps(self._hello()))
        self.backend.changes.notify()
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._on_text(message.data)
        finally:
            connection.mark_closed(ws.close_code)
            self.backend.changes.notify()
        return ws

    def _hello(self) -> JsonDict:
        return {
            "type": "hello",
            "num_connections": sum(1 for c in self.connections if c.is_open),
            "debug_info": {
                "host": "applink-fakeslack",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.backend.identity.app_id},
        }

    def _on_text(self, data: str) -> None:
        arrived = time.monotonic()
        message = _json_object(data)
        delivery = self._pending.pop(str(message.get("envelope_id")), None) if message else None
        if message is None or delivery is None:
            self.unexpected.append(data)
            self.backend.note(f"socket mode: unexpected message from the app: {data[:200]}")
            return
        payload = message.get("payload")
        ack = Ack(delivery.envelope_id, payload, arrived - delivery.sent_at, arrived, message)
        self.acks.append(ack)
        delivery.resolve(ack)
        self.backend.changes.notify()

    @property
    def current(self) -> SocketConnection | None:
        """The newest open connection (where envelopes go), if any."""
        return next((c for c in reversed(self.connections) if c.is_open), None)

    async def wait_connected(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 -- a test helper's deadline
        *,
        newer_than: SocketConnection | None = None,
    ) -> SocketConnection:
        """Wait for an open connection (newer than `newer_than`, to wait for a reconnect)."""
        floor = newer_than.serial if newer_than else 0

        def check() -> SocketConnection | None:
            current = self.current
            return current if current is not None and current.serial > floor else None

        return await self.backend.changes.wait_until(check, timeout, "a Socket Mode connection")

    # -- envelopes -----------------------------------------------------------------------------

    async def send_envelope(
        self,
        kind: str,
        payload: JsonDict,
        *,
        accepts_response_payload: bool,
        retry: tuple[int, str] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 -- how long to wait for a connection
    ) -> Delivery:
        """Send any envelope to the newest connection (waiting up to `timeout` for one)."""
        connection = await self.wait_connected(timeout)
        envelope: JsonDict = {
            "envelope_id": envelope_id(),
            "payload": prepare_payload(self.backend, self.response_urls, payload),
            "type": kind,
            "accepts_response_payload": accepts_response_payload,
        }
        if retry is not None:
            envelope |= {"retry_attempt": retry[0], "retry_reason": retry[1]}
        delivery = Delivery(envelope, connection)
        self._pending[delivery.envelope_id] = delivery
        self.deliveries.append(delivery)
        await connection.ws.send_str(json.dumps(envelope))
        return delivery

    async def send_slash_command(
        self, text: str = "", *, payload: JsonDict | None = None, **fields: Any
    ) -> Delivery:
        """Deliver a slash command (built with `payloads.slash_command(text, **fields)` unless
        `payload` is given); its response_url records replies on this fake."""
        body = payload if payload is not None else payloads.slash_command(text, **fields)
        return await self.send_envelope("slash_commands", body, accepts_response_payload=True)

    async def send_event(
        self, event: JsonDict, *, retry_attempt: int = 0, retry_reason: str = ""
    ) -> Delivery:
        """Deliver an event (wrapped in `event_callback` unless it already is one)."""
        body = event if event.get("type") == "event_callback" else payloads.event_callback(event)
        retry = (retry_attempt, retry_reason)
        return await self.send_envelope(
            "events_api", body, accepts_response_payload=False, retry=retry
        )

    async def send_interactive(
        self, payload: JsonDict, *, accepts_response_payload: bool | None = None
    ) -> Delivery:
        """Deliver an interaction payload (block_actions, view_submission, ...)."""
        accepts = accepts_response_payload
        if accepts is None:
            accepts = payload.get("type") in RESPONSE_PAYLOAD_INTERACTIONS
        return await self.send_envelope("interactive", payload, accepts_response_payload=accepts)

    # -- connection control ------------------------------------------------------------------

    async def send_disconnect(self, reason: str = "refresh_requested") -> SocketConnection:
        """Ask the app to reconnect (it calls apps.connections.open again); returns the old
        connection — then `await fake.socket.wait_connected(newer_than=old)`."""
        connection = await self.wait_connected()
        message = {
            "type": "disconnect",
            "reason": reason,
            "debug_info": {"host": "applink-fakeslack"},
        }
        await connection.ws.send_str(json.dumps(message))
        return connection

    async def close_all(self) -> None:
        """Close every open connection (used when the fake stops)."""
        for connection in self.connections:
            if connection.is_open:
                await connection.ws.close(
                    code=WSCloseCode.GOING_AWAY, message=b"fakeslack stopping"
                )


def _json_object(data: str) -> JsonDict | None:
    try:
        value = json.loads(data)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
