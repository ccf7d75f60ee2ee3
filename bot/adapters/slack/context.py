"""What every Slack listener shares: the services, the Web API client, the policy, the publisher."""

import asyncio
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final, ParamSpec, Protocol, TypeVar

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.access import AccessPolicy
from bot.adapters.slack.uploads import SlackFiles
from bot.services import Services

ACK_FIRST_LIMIT_S: Final = 0.5  # the longest a listener's work waits for others' acks
ACK_QUIET_S: Final = 0.02  # ... and how long no request may have been waiting before it starts

P = ParamSpec("P")
R = TypeVar("R")


class BatchDigests(Protocol):
    """The batch digests' side of the publisher."""

    async def refresh(self, batch_id: int) -> None:
        """Post or edit a batch's digest now."""
        ...


class Outbox(Protocol):
    """What listeners ask of the publisher (`bot.adapters.slack.publisher.Publisher` is one);
    the publisher itself builds on `SlackBot`, so this module does not import it."""

    @property
    def files(self) -> SlackFiles:
        """Slack's file API (uploads, and downloads of shared manifests)."""
        ...

    @property
    def digests(self) -> BatchDigests:
        """Batch digests."""
        ...

    def wake(self) -> None:
        """Look for work now."""
        ...

    async def post_new_cards(self, job_ids: tuple[int, ...]) -> None:
        """Post the cards of jobs just created."""
        ...


class AckGate:
    """Acknowledgements first: a listener's slow work waits until no request is being acked.

    Bolt acknowledges a request when its dispatch returns, a moment after the listener called
    `ack()`; the listener meanwhile goes on in a task of its own. Under a burst (50 `/music` at
    once) every listener's work — parsing, the database, card posts — would share the event
    loop with the dispatches still waiting to ack, so the last acks would wait for the first
    commands' work. Work that calls `after_acks()` starts once no request has been waiting for
    its ack for `quiet_s` (HTTP requests of a burst arrive spread over their connections), and
    after `limit_s` at the latest, so a steady stream of requests cannot hold it back for long.
    """

    def __init__(self, quiet_s: float = ACK_QUIET_S, limit_s: float = ACK_FIRST_LIMIT_S) -> None:
        self.quiet_s = quiet_s
        self.limit_s = limit_s
        self._pending = 0
        self._last_activity = 0.0  # loop time of the last arrival or ack
        self._clear = asyncio.Event()
        self._clear.set()
        self._turn = asyncio.Lock()  # fair: work starts in the order it was acked

    @asynccontextmanager
    async def acknowledging(self) -> AsyncIterator[None]:
        """Around one request's dispatch (from its arrival to its ack)."""
        loop = asyncio.get_running_loop()
        self._pending += 1
        self._last_activity = loop.time()
        self._clear.clear()
        try:
            yield
        finally:
            self._pending -= 1
            self._last_activity = loop.time()
            if not self._pending:
                self._clear.set()

    async def after_acks(self) -> None:
        """Return once no request has waited for its ack for `quiet_s` (or after `limit_s`);
        callers go on in the order they called."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limit_s
        async with self._turn:
            while (left := deadline - loop.time()) > 0:
                try:
                    await asyncio.wait_for(self._clear.wait(), left)
                except TimeoutError:
                    return
                quiet_left = self._last_activity + self.quiet_s - loop.time()
                if quiet_left <= 0 and not self._pending:
                    return
                await asyncio.sleep(min(max(quiet_left, 0.0), deadline - loop.time()))


def utcnow() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


@dataclass
class SlackBot:
    """The Slack side of one running bot."""

    services: Services
    client: AsyncWebClient
    policy: AccessPolicy
    rating_scores: dict[str, float]
    bot_user_id: str | None = None
    approval_emoji: str = "white_check_mark"  # APPROVAL_REACTION: approves, never rates
    clock: Callable[[], datetime] = utcnow
    publisher: Outbox | None = field(default=None, repr=False)
    acks: AckGate = field(default_factory=AckGate, repr=False)
    _busy: int = field(default=0, repr=False)
    _idle: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    def __post_init__(self) -> None:
        self._idle.set()

    def drained(self, listener: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        """`listener`, counted while it runs, so shutdown can wait for it (signature kept)."""

        @functools.wraps(listener)
        async def counted(*args: P.args, **kwargs: P.kwargs) -> R:
            async with self._in_flight():
                return await listener(*args, **kwargs)

        return counted

    async def wait_idle(self, timeout_s: float) -> bool:
        """Wait for running listeners to finish; False when some were still running at the end."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout_s)
        except TimeoutError:
            return False
        return True

    @asynccontextmanager
    async def _in_flight(self) -> AsyncIterator[None]:
        self._busy += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._busy -= 1
            if not self._busy:
                self._idle.set()

    def score_of(self, reaction: str) -> float | None:
        """The rating a reaction stands for (skin tones ignored), or None when it is not one (the
        approval emoji never rates, even when RATING_EMOJI lists it)."""
        emoji = reaction.split("::", 1)[0]
        return None if emoji == self.approval_emoji else self.rating_scores.get(emoji)

    def approves(self, reaction: str) -> bool:
        """Whether a reaction is the approval emoji (skin tones ignored)."""
        return reaction.split("::", 1)[0] == self.approval_emoji

    def wake_publisher(self) -> None:
        """Ask the publisher to look for cards and tracks to post now."""
        if self.publisher is not None:
            self.publisher.wake()
