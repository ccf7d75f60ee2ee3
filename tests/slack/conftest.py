"""The whole bot (`running_bot`, as `acemusic serve` builds it) against the local fake Slack.

`make_bot(mode=...)` builds the bot in Socket Mode or HTTP mode on the built-in ACE-Step stand-in
with a temporary database, WITHOUT its background loops: `Harness` sends it slash commands, events
and clicks over the real protocols, then `Harness.until` drives the loops' one-pass methods itself
(the engine's `tick`, batch settling, the scheduler's `run_due`, the publisher's `run_once`) on an
injected clock that steps forward one pass at a time, so card edits and retries fall due without
waiting. The only real-time wait left is for the ACE-Step stand-in's own work while a job is on it.
`make_bot(..., loops=True)` starts the real loops instead, for the few tests that check they run.
"""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.slack.serve import Mode, RunningBot, running_bot
from bot.engine.batches.service import settle_batches
from bot.engine.evaluations.seal import seal_sessions
from bot.services import Services, open_services
from domain.records import JobRecord
from storage import jobs as jobs_repo
from storage import slack as slack_repo
from tests.conftest import make_settings
from tests.fakeslack import CHANNEL_ID, USER_ID, FakeSlack, SignedRequests

UNTIL_S = 20.0  # a bound on the stand-in's real work, never a wait for the bot's own loops
STEP_S = 1.0  # how far the injected clock moves per pass
STANDIN_WAIT_S = 0.02  # between passes while a job is on the stand-in (its simulated GPU time)
DRAIN_S = 10.0


@dataclass
class StepClock:
    """The bot's and the engine's clock: real UTC time plus an offset the harness steps forward."""

    offset: timedelta = field(default_factory=timedelta)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def step(self) -> None:
        self.offset += timedelta(seconds=STEP_S)


@dataclass
class Harness:
    """A bot, the fake Slack it talks to, and ways to poke it and drive its loops."""

    fake: FakeSlack
    services: Services
    run: RunningBot
    signed: SignedRequests | None
    stack: AsyncExitStack
    clock: StepClock
    loops: bool = False

    async def until(
        self, check: Callable[[], Awaitable[Any]], *, what: str, seconds: float = UNTIL_S
    ) -> Any:
        """Drive the loops one pass at a time until an async check returns something truthy
        (`seconds` bounds the stand-in's real work: raise it only for tests making many tracks)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if result := await check():
                return result
            await (self._wait_for_loops() if self.loops else self.one_pass())
        raise AssertionError(f"timed out waiting for {what}")

    async def one_pass(self) -> None:
        """Let running listeners finish, then one pass of each loop in the order work flows."""
        assert await self.run.bot.wait_idle(DRAIN_S), "listeners still running"
        self.clock.step()
        engine = self.services.engine
        await engine.tick()
        await settle_batches(self.services, now=self.clock())
        await seal_sessions(self.services)
        await self.run.scheduler.run_due()
        assert self.run.bot.publisher is not None
        await self.run.bot.publisher.run_once()
        if await jobs_repo.count_on_server(self.services.db):
            await asyncio.sleep(STANDIN_WAIT_S)  # the stand-in works in real time

    async def _wait_for_loops(self) -> None:
        """With the real loops running (loops=True), give them time: the one polling wait left."""
        await asyncio.sleep(0.05)

    async def stop(self) -> None:
        """Shut the bot down as a deploy would (the fake Slack keeps running)."""
        await self.stack.aclose()

    async def slash(self, text: str, **fields: Any) -> Any:
        """`/music text` from USER_ID in CHANNEL_ID; returns the ack (or HTTP response)."""
        if self.signed is not None:
            response = await self.signed.slash_command(text, **fields)
            assert response.status == 200, response.text
            return response
        return await (await self.fake.socket.send_slash_command(text, **fields))

    async def event(self, event: dict[str, Any], **options: Any) -> Any:
        """One Events API event, wrapped as Slack wraps it."""
        if self.signed is not None:
            return await self.signed.event(event, **options)
        return await (await self.fake.socket.send_event(event, **options))

    async def interact(self, payload: dict[str, Any]) -> Any:
        """A button click or a form submission."""
        if self.signed is not None:
            return await self.signed.interaction(payload)
        return await (await self.fake.socket.send_interactive(payload))

    async def job(self, job_id: int) -> JobRecord:
        found = await jobs_repo.get_job(self.services.db, job_id)
        assert found is not None
        return found

    async def card_ts(self, job_id: int) -> str:
        """The ts of a job's card once it is posted."""

        async def posted() -> str | None:
            card = await slack_repo.get_card(self.services.db, job_id)
            return card.ts if card else None

        return str(await self.until(posted, what=f"the card of job {job_id}"))

    def card_text(self, ts: str) -> str:
        """What the card shows now (its blocks, as text)."""
        message = self.fake.workspace.message(CHANNEL_ID, ts)
        return str(message.blocks) if message.blocks else message.text

    async def card_showing(self, job_id: int, words: str) -> str:
        ts = await self.card_ts(job_id)

        async def shows() -> bool:
            return words in self.card_text(ts)

        try:
            await self.until(shows, what=f"card of job {job_id} to show {words!r}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; it shows: {self.card_text(ts)[:600]}") from None
        return ts


MakeBot = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def make_bot(tmp_path: Path) -> AsyncIterator[MakeBot]:
    """`await make_bot(mode=..., fake_options={}, fake=None, loops=False, **settings)` -> a Harness.

    Every bot of one test shares the test's database; pass `fake=` to start a second bot on the
    first one's Slack (a restart). Bots stop before their fake Slack does.
    """
    async with AsyncExitStack() as fakes, AsyncExitStack() as bots:

        async def make(
            mode: Mode = "socket",
            fake_options: dict[str, Any] | None = None,
            fake: FakeSlack | None = None,
            loops: bool = False,
            **overrides: Any,
        ) -> Harness:
            if fake is None:
                fake = await fakes.enter_async_context(FakeSlack(**(fake_options or {})))
            stack = AsyncExitStack()
            bots.push_async_callback(stack.aclose)
            env = fake.env()
            settings = make_settings(
                tmp_path,
                slack_api_url=env["SLACK_API_URL"],
                slack_bot_token=env["SLACK_BOT_TOKEN"],
                slack_app_token=env["SLACK_APP_TOKEN"] if mode == "socket" else None,
                slack_signing_secret=env["SLACK_SIGNING_SECRET"],
                port=0,
                slack_card_update_seconds=0.2,
                **overrides,
            )
            services = await stack.enter_async_context(open_services(settings))
            clock = StepClock()
            services.engine.ctx.clock = clock
            run = await stack.enter_async_context(
                running_bot(services, settings, mode, loops=loops)
            )
            run.bot.clock = clock
            signed = None
            if mode == "socket":
                await fake.socket.wait_connected()
            else:
                url = f"http://127.0.0.1:{run.port}/slack/events"
                signed = await stack.enter_async_context(
                    SignedRequests(env["SLACK_SIGNING_SECRET"], url, fake=fake)
                )
            return Harness(fake, services, run, signed, stack, clock, loops)

        yield make


__all__ = ["CHANNEL_ID", "USER_ID", "Harness", "MakeBot"]
