"""HTTP mode's endpoint: a slash command is acknowledged as soon as its signature checks out.

Bolt answers an HTTP request only once its whole dispatch has run (request context, middleware,
listener matching, starting the listener) and it has noticed the listener's `ack()`, which it
looks for every 10 ms. Under a burst of commands that work piles up before the answers. The
`/music` ack carries nothing, so Slack need not wait for any of it: this endpoint checks the
request's signature and age (slack_sdk's `SignatureVerifier`, as Bolt does), answers 200 at once,
and hands the request to Bolt in the background. Bolt checks it again, runs the listener (which
acks, then works), and its own answer is dropped. Everything else — events, buttons, the form,
Slack's URL verification and SSL checks, and any request whose signature does not check out — goes
through Bolt as before, since those answers can carry content or a refusal.
"""

import asyncio
import logging
import time

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack.app import TimedApp

log = logging.getLogger(__name__)

COMMAND_KIND = "command"


class EventsEndpoint:
    """The POST handler of the Slack events URL in HTTP mode."""

    def __init__(self, app: TimedApp, signing_secret: str) -> None:
        self._app = app
        self._verifier = SignatureVerifier(signing_secret)
        self._background: set[asyncio.Task[BoltResponse]] = set()

    async def handle(self, request: web.Request) -> web.Response:
        """Ack a signed slash command at once; anything else is Bolt's to answer."""
        started = time.perf_counter()
        bolt_request = await to_bolt_request(request)
        if not self._ack_at_once(bolt_request):
            return await to_aiohttp_response(await self._app.async_dispatch(bolt_request))
        task = asyncio.create_task(self._app.dispatch_untimed(bolt_request))
        self._background.add(task)
        task.add_done_callback(self._finished)
        self._app.record_ack(COMMAND_KIND, time.perf_counter() - started)
        return web.Response(status=200)

    async def drain(self) -> None:
        """Wait for the commands handed to Bolt to reach their listeners' acks."""
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    def _ack_at_once(self, request: AsyncBoltRequest) -> bool:
        if "command" not in request.body or "ssl_check" in request.body:
            return False
        timestamp = _header(request, "x-slack-request-timestamp")
        signature = _header(request, "x-slack-signature")
        if timestamp is None or signature is None:
            return False
        return self._verifier.is_valid(request.raw_body, timestamp, signature)

    def _finished(self, task: asyncio.Task[BoltResponse]) -> None:
        self._background.discard(task)
        if task.cancelled():
            return
        if (error := task.exception()) is not None:
            log.error("a slash command failed after its ack", exc_info=error)


def _header(request: AsyncBoltRequest, name: str) -> str | None:
    values = request.headers.get(name)
    return values[0] if values else None
