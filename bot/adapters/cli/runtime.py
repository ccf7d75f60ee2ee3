"""`acemusic serve`, `work` and `engine`: the long-running processes.

Everything heavy is imported inside the commands (see `lazy.py`).
"""

import asyncio
import signal
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import click

from bot.adapters.cli.base import EXIT_FAILED, EXIT_USAGE, async_command, fail, settings_for, stderr

if TYPE_CHECKING:
    from bot.settings import Settings


@click.command()
@async_command
async def serve() -> int:
    """Run the Slack bot (Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT) and the engine."""
    from bot.adapters.slack.serve import serve as run_slack_bot  # noqa: PLC0415

    settings = settings_for(builtin_default=False, quiet=False)
    await run_slack_bot(settings)
    return 0


@click.command()
@click.option("--until-idle", is_flag=True, help="Stop once no unfinished job is left.")
@async_command
async def work(until_idle: bool) -> int:
    """Run the job engine alone: resumes every unfinished job (then keeps serving)."""
    from bot.adapters.console.progress import JobWatcher  # noqa: PLC0415
    from bot.engine.batches.service import run_batch_keeper, settle_batches  # noqa: PLC0415
    from bot.engine.catalogue.keeper import run_delivery_keeper  # noqa: PLC0415
    from bot.engine.evaluations.seal import run_evaluation_keeper, seal_sessions  # noqa: PLC0415
    from bot.services import open_services  # noqa: PLC0415
    from domain.records import UNFINISHED_STATUSES, JobStatus  # noqa: PLC0415
    from storage import jobs as jobs_repo  # noqa: PLC0415

    settings = settings_for(builtin_default=True, quiet=False)
    async with open_services(settings) as services:
        unfinished = await jobs_repo.list_jobs(
            services.db, statuses=UNFINISHED_STATUSES, limit=None
        )
        stderr(f"{len(unfinished)} unfinished job(s) to resume.")
        if until_idle:
            watch = JobWatcher(services, [job.id for job in unfinished], stderr)
            watcher = asyncio.create_task(watch.wait())
            await services.engine.run_until_idle()
            jobs = await watcher
            for done in await settle_batches(services, now=services.engine.ctx.clock()):
                stderr(
                    f"Batch #{done.id} finished; report: {done.details['summary']['report_csv']}"
                )
            for session in await seal_sessions(services):
                stderr(f"Listening-test session {session.name} is ready.")
            failed = [job for job in jobs if job.status is not JobStatus.DONE]
            stderr(f"Idle: {len(jobs) - len(failed)} finished, {len(failed)} did not.")
            return EXIT_FAILED if failed else 0
        await _serve_until_signal(
            services.engine.run_forever,
            lambda stop: run_batch_keeper(services, stop),
            lambda stop: run_evaluation_keeper(services, stop),
            lambda stop: run_delivery_keeper(services, stop),
        )
        return 0


async def _serve_until_signal(*loops: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await asyncio.gather(*(loop(stop) for loop in loops))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option(
    "--acestep",
    is_flag=True,
    help="Serve the real ACE-Step server and model in this process (the `gpu` extra; "
    "ACESTEP_DIT_MODEL, ACESTEP_LM_MODEL, ACESTEP_ENGINE_DIR) instead of the stand-in.",
)
@click.option("--job-seconds", default=None, type=float, help="Simulated GPU time per job.")
@click.option("--failure-rate", default=None, type=float, help="Share of jobs that fail (0-1).")
@click.option(
    "--queue-size", default=None, type=int, help="Waiting jobs before 429 (0 = no limit)."
)
@click.option("--audio-dir", default=None, type=click.Path(), help="Where generated files go.")
def engine(
    *,
    host: str,
    port: int,
    acestep: bool,
    job_seconds: float | None,
    failure_rate: float | None,
    queue_size: int | None,
    audio_dir: str | None,
) -> None:
    """Serve the built-in ACE-Step stand-in over HTTP (placeholder audio, real wire protocol),
    or with --acestep the real ACE-Step server and model (one GPU box)."""
    from pathlib import Path  # noqa: PLC0415

    from bot.settings import SettingsError  # noqa: PLC0415

    try:
        settings = settings_for(builtin_default=False, quiet=False)
    except SettingsError as exc:
        fail(str(exc), EXIT_USAGE)
    if acestep:
        standin_only = {
            "--job-seconds": job_seconds,
            "--failure-rate": failure_rate,
            "--audio-dir": audio_dir,
        }
        given = [name for name, value in standin_only.items() if value is not None]
        if given:
            names = ", ".join(given)
            fail(f"{names}: options of the built-in stand-in, not of --acestep", EXIT_USAGE)
        _serve_real_acestep(settings, host=host, port=port, queue_size=queue_size)
        return
    from standin import StandInConfig, run_standin_server  # noqa: PLC0415

    config = StandInConfig(
        audio_dir=Path(audio_dir) if audio_dir else settings.standin_audio_dir,
        job_seconds=settings.standin_job_seconds if job_seconds is None else job_seconds,
        failure_rate=settings.standin_failure_rate if failure_rate is None else failure_rate,
        queue_maxsize=settings.standin_queue_maxsize if queue_size is None else queue_size,
        api_key=settings.api_key,
    )
    run_standin_server(config, host=host, port=port)


def _serve_real_acestep(
    settings: "Settings", *, host: str, port: int, queue_size: int | None
) -> None:
    from bot.adapters.cli.acestep_engine import EngineOptions, serve_acestep  # noqa: PLC0415
    from bot.adapters.cli.base import CommandFailed  # noqa: PLC0415

    try:
        serve_acestep(settings, EngineOptions(host=host, port=port, queue_size=queue_size))
    except CommandFailed as exc:
        fail(str(exc), exc.code)
