"""Composition root: every long-lived resource is built here once and closed here together.

`open_services(settings)` yields a `Services` holding the database, one HTTP pool per ACE-Step
server (or the in-process stand-in for `builtin`), the job engine and the preset library. Entry
points (CLI, console, Slack) take it and pass it down; nothing else builds clients or engines.
"""

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from bot.engine.acestep.client import AceStepClient
from bot.engine.acestep.urls import public_url
from bot.engine.audio.analysis import analyse_file
from bot.engine.audio.workers import AudioWorkers
from bot.engine.catalogue.export import CatalogueExporter
from bot.engine.evaluations.references import ReferenceAnalyser, ReferenceFiles
from bot.engine.fleet import Fleet
from bot.engine.jobs.context import EngineConfig, EngineContext
from bot.engine.jobs.runner import JobEngine
from bot.engine.jobs.servers import PollBounds, Server
from bot.monitoring.acestep import CountingTransport
from bot.monitoring.metrics import Metrics
from bot.settings import BUILTIN, Settings, SettingsError
from commands.parsing import GenerationDefaults
from commands.ports import CommandPolicy
from domain.catalogue import CATALOGUE_FOLDER, DEFAULT_DELIVERY_LUFS, DeliverySpec
from presets.loader import PresetLibrary, load_presets
from storage.database import Database

if TYPE_CHECKING:  # the stand-in (uvicorn, starlette: ~15 MB) is loaded only when it is used
    from standin import StandInServer

log = logging.getLogger(__name__)

BUILTIN_BASE_URL = "http://builtin"
CONNECT_TIMEOUT_S = 5.0


@dataclass
class Services:
    """What every command and adapter may use (for commands: `commands.ports.CommandServices`)."""

    settings: Settings
    db: Database
    engine: JobEngine
    presets: PresetLibrary
    servers: list[Server]
    standin: "StandInServer | None" = None
    metrics: Metrics = field(default_factory=Metrics)
    # measures a listening-test reference's tempo and key when its manifest gives none (issue 13),
    # in the audio process pool; None: references keep only the tempo and key their manifest gives
    reference_analyser: ReferenceAnalyser | None = analyse_file

    @property
    def audio(self) -> AudioWorkers:
        """The audio workers (checks, delivery copies, Slack previews): off the event loop."""
        return self.engine.ctx.audio

    @property
    def policy(self) -> CommandPolicy:
        """The settings commands read (read from `settings` each time, as it stands)."""
        return command_policy(self.settings)

    @property
    def fleet(self) -> Fleet:
        """The servers' reports and estimates, for commands."""
        return Fleet(self.servers)

    @property
    def references(self) -> ReferenceFiles:
        """Listening-test reference files, under OUTPUT_DIR/eval/refs."""
        return ReferenceFiles(
            self.settings.output_dir / "eval" / "refs",
            self.reference_analyser,
            run=self.audio.run,
        )

    @property
    def catalogue(self) -> CatalogueExporter:
        """Delivery files and the catalogue manifest (rendered in the audio process pool)."""
        return CatalogueExporter(
            db=self.db,
            presets=self.presets,
            audio=self.audio,
            spec=delivery_spec(self.settings),
            default_folder=catalogue_folder(self.settings),
            clock=_now,
        )

    @property
    def placeholder_engine(self) -> bool:
        """Whether tracks may come from the built-in stand-in (placeholder audio)."""
        return any(server.placeholder for server in self.servers)


def delivery_spec(settings: Settings) -> DeliverySpec:
    """How delivery files are made: LOUDNESS_TARGET_LUFS when set (the per-track copies' target
    too), else the house -14 LUFS; TRUE_PEAK_DBTP, DELIVERY_FORMAT, CATALOGUE_ARTIST."""
    target = settings.loudness_target_lufs
    return DeliverySpec(
        fmt=settings.delivery_format,
        target_lufs=DEFAULT_DELIVERY_LUFS if target is None else target,
        ceiling_dbtp=settings.true_peak_dbtp,
        artist=settings.catalogue_artist,
    )


def catalogue_folder(settings: Settings) -> Path:
    """CATALOGUE_DIR, else OUTPUT_DIR/catalogue."""
    return settings.catalogue_dir or settings.output_dir / CATALOGUE_FOLDER


def command_policy(settings: Settings) -> CommandPolicy:
    """The part of the settings commands read."""
    return CommandPolicy(
        defaults=GenerationDefaults(
            duration_s=settings.default_duration_seconds,
            variants=settings.default_variants,
            audio_format=settings.default_format,
        ),
        batch_max_tracks=settings.batch_max_tracks,
        batch_confirm_tracks=settings.batch_confirm_tracks,
        batch_post_all_max=settings.batch_post_all_max,
        batch_sample_tracks=settings.batch_sample_tracks,
        gpu_cost_per_hour=settings.gpu_cost_per_hour,
        schedule_max_tracks=settings.schedule_max_tracks,
        schedule_timezone=settings.schedule_timezone,
        schedule_min_interval_minutes=settings.schedule_min_interval_minutes,
        daily_track_quota=settings.daily_track_quota,
        schedule_daily_track_quota=settings.schedule_daily_track_quota,
        admin_users=tuple(settings.slack_admin_users),
        approver_users=tuple(settings.slack_approver_users),
        allowed_users=tuple(settings.slack_allowed_users),
        schedule_users=tuple(settings.slack_schedule_users),
        allowed_channels=tuple(settings.slack_allowed_channels),
        incumbent_cost_per_track=settings.incumbent_cost_per_track,
        output_dir=settings.output_dir,
    )


@asynccontextmanager
async def open_services(settings: Settings) -> AsyncIterator[Services]:
    """Build everything; on exit release the engine lease and close every connection."""
    if not settings.acestep_api_url:
        raise SettingsError(
            "No ACE-Step server configured: set ACESTEP_API_URL to http://HOST:PORT "
            f"(several separated by commas), or to '{BUILTIN}' for the placeholder stand-in."
        )
    presets = load_presets()
    async with AsyncExitStack() as stack:
        db = await Database.open(settings.database_url)
        stack.push_async_callback(db.close)
        standin = await _start_standin(settings, stack) if settings.uses_builtin_engine else None
        metrics = Metrics()
        servers = [
            await _server(url, settings, standin, stack, metrics)
            for url in settings.acestep_api_url
        ]
        audio = AudioWorkers(settings.audio_check_workers)  # processes start on the first check
        stack.push_async_callback(audio.aclose)
        config = _engine_config(settings, shared_queue=db.row_locking)
        engine = JobEngine(
            EngineContext(db=db, servers=servers, config=config, clock=_now, audio=audio)
        )
        stack.push_async_callback(engine.release)
        yield Services(settings, db, engine, presets, servers, standin, metrics)


def _now() -> datetime:
    return datetime.now(UTC)


def _engine_config(settings: Settings, *, shared_queue: bool = False) -> EngineConfig:
    """`shared_queue`: several workers share the database's queue (PostgreSQL's row locks)."""
    return EngineConfig(
        output_dir=settings.output_dir,
        poll=PollBounds(settings.acestep_poll_min_seconds, settings.acestep_poll_max_seconds),
        max_attempts=settings.acestep_max_attempts,
        lost_task_grace_s=settings.acestep_lost_task_grace_seconds,
        failover_s=settings.acestep_failover_seconds,
        server_error_limit=settings.acestep_server_error_limit,
        qc_max_regenerations=settings.qc_max_regenerations,
        qc_adherence=settings.qc_adherence,
        loudness_target_lufs=settings.loudness_target_lufs,
        shared_queue=shared_queue,
        claim_ttl_s=settings.work_claim_seconds,
    )


async def _start_standin(settings: Settings, stack: AsyncExitStack) -> "StandInServer":
    from standin import StandInConfig, StandInServer  # noqa: PLC0415 -- only for `builtin`

    standin = StandInServer(
        StandInConfig(
            audio_dir=settings.standin_audio_dir,
            job_seconds=settings.standin_job_seconds,
            failure_rate=settings.standin_failure_rate,
            queue_maxsize=settings.standin_queue_maxsize,
            api_key=settings.api_key,
        )
    )
    await standin.start()
    stack.push_async_callback(standin.stop)
    log.warning("using the built-in ACE-Step stand-in: tracks are placeholder audio, not AI music")
    return standin


async def _server(
    url: str,
    settings: Settings,
    standin: "StandInServer | None",
    stack: AsyncExitStack,
    metrics: Metrics,
) -> Server:
    timeout = httpx.Timeout(settings.acestep_timeout_seconds, connect=CONNECT_TIMEOUT_S)
    inner: httpx.AsyncBaseTransport
    if url == BUILTIN and standin is not None:
        inner, base_url = httpx.ASGITransport(app=standin.app), BUILTIN_BASE_URL
    else:
        inner, base_url = httpx.AsyncHTTPTransport(), url
    # Failed calls are counted per server for /metrics (credentials never become a label).
    transport = CountingTransport(inner, server=public_url(url), errors=metrics.acestep_errors)
    http = httpx.AsyncClient(transport=transport, base_url=base_url, timeout=timeout)
    stack.push_async_callback(http.aclose)
    client = AceStepClient(
        http,
        name=url,  # the client shows it without credentials (bot.engine.acestep.urls.public_url)
        api_key=settings.api_key,
        max_download_bytes=settings.max_download_mb * 1024 * 1024,
    )
    return Server(
        client=client, capacity=settings.acestep_max_in_flight, placeholder=url == BUILTIN
    )
