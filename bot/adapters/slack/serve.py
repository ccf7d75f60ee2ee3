"""`acemusic serve`: the Slack bot, the job engine and the publisher, in one process.

Socket Mode when SLACK_APP_TOKEN is set (no public URL needed), otherwise HTTP mode on HOST:PORT
with request signatures checked against SLACK_SIGNING_SECRET. In both modes `/healthz` and
`/metrics` are served on HEALTH_HOST:HEALTH_PORT (bot/monitoring). Refuses to start, with a clear
message, when a token is missing or no ACE-Step server is configured (the built-in stand-in only
when ACESTEP_API_URL=builtin says so explicitly).
"""

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

import aiohttp
import httpx
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.access import AccessPolicy
from bot.adapters.slack.app import TimedApp, build_app
from bot.adapters.slack.client import make_web_client
from bot.adapters.slack.context import SlackBot
from bot.adapters.slack.flow import post_notice
from bot.adapters.slack.http_mode import EventsEndpoint
from bot.adapters.slack.publisher import Publisher
from bot.adapters.slack.render import escape
from bot.adapters.slack.uploads import SlackFiles
from bot.engine.batches.service import Finished, run_batch_keeper
from bot.engine.catalogue.keeper import run_delivery_keeper
from bot.engine.evaluations.seal import run_evaluation_keeper
from bot.engine.jobs.events import JobEvent, Listener
from bot.engine.schedules.runner import ScheduleRunner
from bot.monitoring.checks import HealthChecks
from bot.monitoring.http import add_health, bound_port, serving
from bot.services import Services, open_services
from bot.settings import BUILTIN, Settings, SettingsError
from commands.messages import schedule_skipped
from commands.schedule import fire_schedule, min_interval
from domain.records import BatchRecord, ScheduleRecord
from domain.schedules import RunOutcome

log = logging.getLogger(__name__)

Mode = Literal["socket", "http"]
EVENTS_PATH: Final = "/slack/events"
DRAIN_S: Final = 30.0  # at shutdown, how long running listeners may take to finish


def serve_mode(settings: Settings) -> Mode:
    """Socket Mode or HTTP mode, or a SettingsError saying what is missing."""
    if settings.slack_bot_token is None:
        raise SettingsError(
            "SLACK_BOT_TOKEN is not set: paste the bot token (xoxb-…) from your Slack app "
            "(docs/slack-setup.md)."
        )
    if not settings.acestep_api_url:
        raise SettingsError(
            "No ACE-Step server configured: set ACESTEP_API_URL to http://HOST:PORT, or to "
            f"'{BUILTIN}' to run with placeholder audio (not AI music)."
        )
    if settings.slack_app_token is not None:
        return "socket"
    if settings.slack_signing_secret is None:
        raise SettingsError(
            "Set SLACK_APP_TOKEN (xapp-…) for Socket Mode, or SLACK_SIGNING_SECRET for HTTP mode."
        )
    return "http"


@dataclass
class RunningBot:
    """Handles of a started bot (tests use them)."""

    bot: SlackBot
    app: AsyncApp
    mode: Mode
    scheduler: ScheduleRunner
    health: HealthChecks
    port: int | None = None
    health_port: int | None = None


async def serve(settings: Settings) -> None:
    """Run until SIGINT or SIGTERM."""
    mode = serve_mode(settings)
    async with open_services(settings) as services, running_bot(services, settings, mode) as run:
        where = f"HTTP on {settings.host}:{run.port}" if run.port else "Socket Mode"
        log.info("ACE Music bot is running (%s)", where)
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        await stop.wait()
        log.info("stopping: unfinished jobs resume at the next start")


@asynccontextmanager
async def running_bot(
    services: Services, settings: Settings, mode: Mode, *, loops: bool = True
) -> AsyncIterator[RunningBot]:
    """Start the bot's loops and its connection to Slack; stop them all on exit.

    With `loops=False` the background loops (engine, publisher, batch keeper, scheduler) are not
    started: a test harness drives their one-pass methods itself.
    """
    client = make_web_client(settings)
    client.on_error = services.metrics.slack_error
    bot = SlackBot(
        services,
        client,
        AccessPolicy.from_settings(settings),
        dict(settings.rating_emoji),
        bot_user_id=await _bot_user_id(client, settings.slack_api_url),
        approval_emoji=settings.approval_reaction,
    )
    async with httpx.AsyncClient() as uploads:
        bot.publisher = Publisher(
            bot,
            SlackFiles(client, uploads),
            update_every_s=settings.slack_card_update_seconds,
            updates_per_minute=settings.slack_updates_per_minute,
            channel_gap_s=settings.slack_channel_post_gap_seconds,
        )
        app = build_app(bot, settings, socket_mode=mode == "socket")
        stop = asyncio.Event()
        unsubscribe = services.engine.events.subscribe(_waker(bot))
        scheduler = _scheduler(services, bot)
        tasks = _start_loops(services, bot, bot.publisher, scheduler, stop) if loops else []
        health = HealthChecks(
            services.db,
            services.engine,
            settings.health_stale_seconds,
            clock=services.engine.ctx.clock,
        )
        host, wanted = settings.health_host, settings.health_port
        try:
            async with (
                serving(health, services.metrics, host=host, port=wanted) as health_port,
                _connection(app, settings, mode, health) as port,
            ):
                log.info("health: http://%s:%d/healthz, metrics: /metrics", host, health_port)
                yield RunningBot(bot, app, mode, scheduler, health, port, health_port)
            # Connection closed: nothing new arrives. Let running listeners finish their work.
            if not await bot.wait_idle(DRAIN_S):
                log.warning("stopping with Slack work still running; it resumes at the next start")
        finally:
            stop.set()
            unsubscribe()
            await asyncio.gather(*tasks)


def _start_loops(
    services: Services,
    bot: SlackBot,
    publisher: Publisher,
    scheduler: ScheduleRunner,
    stop: asyncio.Event,
) -> list[asyncio.Task[None]]:
    """The engine, publisher, batch-keeper, pair-sealing, delivery and schedule loops, until
    `stop`."""
    return [
        asyncio.create_task(services.engine.run_forever(stop)),
        asyncio.create_task(publisher.run(stop)),
        asyncio.create_task(run_batch_keeper(services, stop, on_finished=_batch_waker(bot))),
        asyncio.create_task(run_evaluation_keeper(services, stop)),
        asyncio.create_task(run_delivery_keeper(services, stop)),
        asyncio.create_task(scheduler.run_forever(stop)),
    ]


def _scheduler(services: Services, bot: SlackBot) -> ScheduleRunner:
    """The schedule loop: each run starts a batch whose digest goes to the schedule's channel."""

    async def fire(schedule: ScheduleRecord, fire_time: datetime) -> RunOutcome:
        outcome = await fire_schedule(services, schedule, fire_time)
        if outcome.problem:
            text = schedule_skipped(schedule.id, schedule.description, outcome.problem)
            await post_notice(bot, channel_id=schedule.channel_id, text=escape(text))
        bot.wake_publisher()
        return outcome

    grace = timedelta(minutes=services.settings.schedule_grace_minutes)
    return ScheduleRunner(
        services.db,
        fire,
        clock=services.engine.ctx.clock,
        grace=grace,
        min_interval=min_interval(services),
    )


def _batch_waker(bot: SlackBot) -> Finished:
    async def wake(_batch: BatchRecord) -> None:
        bot.wake_publisher()

    return wake


def _waker(bot: SlackBot) -> Listener:
    """Wake the publisher when a person's job changes: its card should show it at once. A batch's
    jobs are shown only by the batch's digest, edited at most every SLACK_CARD_UPDATE_SECONDS, so
    their events leave the publisher to its one-second loop (a night's batch sends several events
    a second, and each woken pass reads every open card and digest for nothing)."""

    async def wake(event: JobEvent) -> None:
        if event.job.batch_id is None:
            bot.wake_publisher()

    return wake


async def _bot_user_id(client: AsyncWebClient, api_url: str) -> str:
    try:
        response = await client.auth_test()
    except SlackApiError as exc:
        raise SettingsError(
            f"Slack refused SLACK_BOT_TOKEN ({exc.response.get('error')}): check the token."
        ) from None
    except (aiohttp.ClientError, TimeoutError) as exc:
        reason = str(exc) or type(exc).__name__
        raise SettingsError(
            f"Cannot reach Slack at {api_url} ({reason}): check SLACK_API_URL and the network."
        ) from None
    return str(response["user_id"])


@asynccontextmanager
async def _connection(
    app: AsyncApp, settings: Settings, mode: Mode, health: HealthChecks
) -> AsyncIterator[int | None]:
    if mode == "socket" and settings.slack_app_token is not None:
        handler = AsyncSocketModeHandler(app, settings.slack_app_token.get_secret_value())
        await handler.connect_async()  # type: ignore[no-untyped-call]  # bolt leaves it untyped
        try:
            yield None
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]
        return
    if not isinstance(app, TimedApp) or settings.slack_signing_secret is None:
        raise SettingsError("HTTP mode needs SLACK_SIGNING_SECRET")
    endpoint = EventsEndpoint(app, settings.slack_signing_secret.get_secret_value())
    web_app = web.Application()
    web_app.router.add_post(EVENTS_PATH, endpoint.handle)
    add_health(web_app, health)  # load balancers probe the public port
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    try:
        yield bound_port(runner, settings.port)
    finally:
        await runner.cleanup()
        await endpoint.drain()
