"""The Bolt app: one client, one retry filter, one error handler, every listener.

Event retries (Slack resends an event it thinks was not acknowledged, even while the first one is
still being handled) are dropped by event id before any listener runs. Any listener failure goes to
one handler that logs it and tells the person privately; no listener has its own catch-all.
"""

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.adapters.slack.context import AckGate, SlackBot
from bot.adapters.slack.flow import say_privately
from bot.adapters.slack.listeners import register_all
from bot.settings import Settings
from commands.messages import INTERNAL_ERROR
from storage import slack as slack_repo

log = logging.getLogger(__name__)

EVENT_KEY_PREFIX: Final = "event:"


class TimedApp(AsyncApp):
    """An AsyncApp that reports how long each request took to be acknowledged.

    Listeners ack first and work after (Bolt runs them in tasks of their own), so dispatch returns
    at the ack: its duration is the ack latency Slack's 3-second rule is about."""

    on_ack: Callable[[str, float], None] | None = None  # (kind of request, seconds)
    gate: AckGate | None = None  # listeners' slow work waits for pending acks

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        """Dispatch as Bolt does, timed."""
        started = time.perf_counter()
        try:
            return await self.dispatch_untimed(req)
        finally:
            self.record_ack(_kind(req.body), time.perf_counter() - started)

    async def dispatch_untimed(self, req: AsyncBoltRequest) -> BoltResponse:
        """Dispatch as Bolt does (for a request already acknowledged some other way)."""
        if self.gate is None:
            return await super().async_dispatch(req)
        async with self.gate.acknowledging():
            return await super().async_dispatch(req)

    def record_ack(self, kind: str, seconds: float) -> None:
        """Report how long a request took to be acknowledged."""
        if self.on_ack is not None:
            self.on_ack(kind, seconds)


def _kind(body: dict[str, Any]) -> str:
    """command, event_callback, block_actions, view_submission, …"""
    return "command" if "command" in body else str(body.get("type") or "other")


def build_app(bot: SlackBot, settings: Settings, *, socket_mode: bool) -> AsyncApp:
    """The app for Socket Mode (no request signatures) or HTTP mode (signatures verified)."""
    secret = settings.slack_signing_secret
    app = TimedApp(
        client=bot.client,
        signing_secret=None if socket_mode or secret is None else secret.get_secret_value(),
        request_verification_enabled=not socket_mode,
        logger=logging.getLogger("bot.adapters.slack.bolt"),
    )

    async def skip_retries(
        body: dict[str, Any], next: Callable[[], Awaitable[BoltResponse | None]]
    ) -> BoltResponse | None:
        event_id = body.get("event_id")
        if event_id and not await slack_repo.claim_key(
            bot.services.db, f"{EVENT_KEY_PREFIX}{event_id}", now=bot.clock(), window_s=None
        ):
            log.info("ignoring a repeat of event %s", event_id)
            return BoltResponse(status=200, body="")
        return await next()

    async def on_error(
        error: Exception, body: dict[str, Any], respond: AsyncRespond | None = None
    ) -> None:
        log.error("a Slack listener failed", exc_info=error)
        user_id, channel_id = _who_and_where(body)
        if user_id and channel_id:
            await say_privately(
                bot, user_id=user_id, channel_id=channel_id, text=INTERNAL_ERROR, respond=respond
            )

    app.on_ack = bot.services.metrics.acked
    app.gate = bot.acks
    app.use(skip_retries)
    app.error(on_error)
    register_all(app, bot)
    return app


def _who_and_where(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """The user and channel of a command, interaction or event body."""
    event = body.get("event") or {}
    user = body.get("user_id") or (body.get("user") or {}).get("id") or event.get("user")
    channel = (
        body.get("channel_id") or (body.get("channel") or {}).get("id") or event.get("channel")
    )
    return (str(user) if user else None, str(channel) if channel else None)
