"""The whole bot (`running_bot`, as `acemusic serve` runs it) against the local fake Slack.

`make_bot(mode=...)` starts the bot in Socket Mode or HTTP mode on the built-in ACE-Step stand-in
with a temporary database; `Harness` drives it (slash commands, events, clicks) and reads both the
fake workspace and the bot's database.
"""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.slack.serve import Mode, RunningBot, running_bot
from bot.services import Services, open_services
from domain.records import JobRecord
from storage import jobs as jobs_repo
from storage import slack as slack_repo
from tests.conftest import make_settings
from tests.fakeslack import CHANNEL_ID, USER_ID, FakeSlack, SignedRequests

EVENTUALLY_S = 20.0


async def eventually(check: Callable[[], Awaitable[Any]], *, what: str) -> Any:
    """Re-run an async check until it returns something truthy (bounded; for outside effects)."""
    deadline = time.monotonic() + EVENTUALLY_S
    while time.monotonic() < deadline:
        result = await check()
        if result:
            return result
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class Harness:
    """A running bot, the fake Slack it talks to, and ways to poke it."""

    fake: FakeSlack
    services: Services
    run: RunningBot
    signed: SignedRequests | None
    stack: AsyncExitStack

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

        return str(await eventually(posted, what=f"the card of job {job_id}"))

    def card_text(self, ts: str) -> str:
        """What the card shows now (its blocks, as text)."""
        message = self.fake.workspace.message(CHANNEL_ID, ts)
        return str(message.blocks) if message.blocks else message.text

    async def card_showing(self, job_id: int, words: str) -> str:
        ts = await self.card_ts(job_id)

        async def shows() -> bool:
            return words in self.card_text(ts)

        try:
            await eventually(shows, what=f"card of job {job_id} to show {words!r}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; it shows: {self.card_text(ts)[:600]}") from None
        return ts


MakeBot = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def make_bot(tmp_path: Path) -> AsyncIterator[MakeBot]:
    """`await make_bot(mode=..., fake_options={}, fake=None, **settings)` -> a running Harness.

    Every bot of one test shares the test's database; pass `fake=` to start a second bot on the
    first one's Slack (a restart). Bots stop before their fake Slack does.
    """
    async with AsyncExitStack() as fakes, AsyncExitStack() as bots:

        async def make(
            mode: Mode = "socket",
            fake_options: dict[str, Any] | None = None,
            fake: FakeSlack | None = None,
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
            run = await stack.enter_async_context(running_bot(services, settings, mode))
            signed = None
            if mode == "socket":
                await fake.socket.wait_connected()
            else:
                url = f"http://127.0.0.1:{run.port}/slack/events"
                signed = await stack.enter_async_context(
                    SignedRequests(env["SLACK_SIGNING_SECRET"], url, fake=fake)
                )
            return Harness(fake, services, run, signed, stack)

        yield make


__all__ = ["CHANNEL_ID", "USER_ID", "Harness", "MakeBot", "eventually"]
