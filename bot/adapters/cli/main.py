"""`acemusic`: the product's one command-line entry point.

Every subcommand builds `Settings` once, opens the services it needs, and turns any failure into
one line on stderr and a non-zero exit code (2 for configuration or usage problems, 1 otherwise).
"""

import asyncio
import json
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from pathlib import Path

import click

from bot.adapters.cli.batch import batch_command
from bot.adapters.cli.common import (
    EXIT_FAILED,
    EXIT_USAGE,
    CommandFailed,
    async_command,
    fail,
    settings_for,
    stderr,
)
from bot.adapters.cli.doctor import run_doctor
from bot.adapters.cli.evaluation import evaluation_group
from bot.adapters.console.chat import chat as console_chat
from bot.adapters.console.chat import describe_file, describe_outcome, job_json, render, track_json
from bot.adapters.console.progress import JobWatcher
from bot.engine.batches.service import run_batch_keeper, settle_batches
from bot.engine.evaluations.seal import run_evaluation_keeper, seal_sessions
from bot.services import Services, open_services
from bot.settings import SettingsError
from commands.context import Caller
from commands.listing import describe_job
from commands.router import handle
from domain.records import UNFINISHED_STATUSES, JobRecord, JobStatus
from standin import StandInConfig, run_standin_server
from storage import jobs as jobs_repo
from storage import tracks as tracks_repo
from storage.database import Database

log = logging.getLogger("acemusic")


@click.group()
@click.version_option(package_name="acemusic")
def main() -> None:
    """ACE Music bot: make background music with ACE-Step from Slack, a console or scripts."""


@main.command()
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON on stdout.")
@click.option(
    "--timeout", "wait_s", type=float, default=None, help="Give up waiting after this many seconds."
)
@async_command
async def run(text: str, as_json: bool, wait_s: float | None) -> int:
    """Send one message (e.g. "/music spa ambient 2min") and wait for the jobs it starts."""
    settings = settings_for(builtin_default=True, quiet=True)
    async with open_services(settings) as services:
        reply = await handle(text, services, Caller("cli", user_id="cli"))
        if not as_json:
            click.echo(render(reply))
        if not reply.ok:
            if as_json:
                click.echo(json.dumps({"ok": False, "reply": reply.plain()}))
            return EXIT_USAGE
        jobs = await _wait_for(services, reply.job_ids, wait_s, quiet=as_json)
        if as_json:
            outcome = [await job_json(services, job) for job in jobs]
            payload = {"ok": True, "reply": reply.plain(), "jobs": outcome}
            click.echo(json.dumps(payload, default=str, indent=2))
        else:
            for job in jobs:
                for line in await describe_outcome(services, job):
                    click.echo(line)
        return 0 if all(job.status is JobStatus.DONE for job in jobs) else EXIT_FAILED


async def _wait_for(
    services: Services, job_ids: tuple[int, ...], wait_s: float | None, *, quiet: bool
) -> list[JobRecord]:
    if not job_ids:
        return []
    stop = asyncio.Event()
    engine = asyncio.create_task(services.engine.run_forever(stop))
    emit: Callable[[str], None] = (lambda _line: None) if quiet else stderr
    try:
        return await asyncio.wait_for(JobWatcher(services, job_ids, emit).wait(), wait_s)
    except TimeoutError:
        raise CommandFailed(
            f"gave up waiting after {wait_s:.0f} s; the job(s) continue with "
            "`acemusic work --until-idle`"
        ) from None
    finally:
        stop.set()
        await engine


@main.command()
@async_command
async def chat() -> int:
    """Talk to the bot on the console: one message per line (works with piped input)."""
    settings = settings_for(builtin_default=True, quiet=True)
    async with open_services(settings) as services:
        unfinished = await console_chat(services, click.echo)
    return EXIT_FAILED if unfinished else 0


@main.command()
@async_command
async def serve() -> int:
    """Run the Slack bot (Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT) and the engine."""
    # Imported here: the Slack stack is only needed by `serve`, not by every other subcommand.
    from bot.adapters.slack.serve import serve as run_slack_bot  # noqa: PLC0415

    settings = settings_for(builtin_default=False, quiet=False)
    await run_slack_bot(settings)
    return 0


@main.command()
@click.option("--until-idle", is_flag=True, help="Stop once no unfinished job is left.")
@async_command
async def work(until_idle: bool) -> int:
    """Run the job engine alone: resumes every unfinished job (then keeps serving)."""
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
        )
        return 0


async def _serve_until_signal(*loops: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await asyncio.gather(*(loop(stop) for loop in loops))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
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
    job_seconds: float | None,
    failure_rate: float | None,
    queue_size: int | None,
    audio_dir: str | None,
) -> None:
    """Serve the built-in ACE-Step stand-in over HTTP (placeholder audio, real wire protocol)."""
    try:
        settings = settings_for(builtin_default=False, quiet=False)
    except SettingsError as exc:
        fail(str(exc), EXIT_USAGE)
    config = StandInConfig(
        audio_dir=Path(audio_dir) if audio_dir else settings.standin_audio_dir,
        job_seconds=settings.standin_job_seconds if job_seconds is None else job_seconds,
        failure_rate=settings.standin_failure_rate if failure_rate is None else failure_rate,
        queue_maxsize=settings.standin_queue_maxsize if queue_size is None else queue_size,
        api_key=settings.api_key,
    )
    run_standin_server(config, host=host, port=port)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", default=20, show_default=True, type=int)
@click.option("--status", "status_filter", type=click.Choice([s.value for s in JobStatus]))
@async_command
async def jobs(as_json: bool, limit: int, status_filter: str | None) -> int:
    """List recent jobs."""
    settings = settings_for(builtin_default=True, quiet=True)
    db = await Database.open(settings.database_url)
    try:
        statuses = {JobStatus(status_filter)} if status_filter else None
        found = await jobs_repo.list_jobs(db, statuses=statuses, limit=limit)
    finally:
        await db.close()
    if as_json:
        click.echo(json.dumps([asdict(job) for job in found], default=str, indent=2))
    else:
        for job in found:
            click.echo(describe_job(job))
    return 0


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", default=20, show_default=True, type=int)
@click.option("--job", "job_id", default=None, type=int, help="Only this job's tracks.")
@async_command
async def tracks(as_json: bool, limit: int, job_id: int | None) -> int:
    """List recent tracks with their files and provenance."""
    settings = settings_for(builtin_default=True, quiet=True)
    db = await Database.open(settings.database_url)
    try:
        found = await tracks_repo.list_tracks(
            db, job_ids=[job_id] if job_id is not None else None, limit=limit
        )
    finally:
        await db.close()
    if as_json:
        click.echo(json.dumps([track_json(t) for t in found], default=str, indent=2))
    else:
        for track in found:
            click.echo(f"#{track.id} job {track.job_id} v{track.variant}: {describe_file(track)}")
    return 0


@main.command()
@async_command
async def doctor() -> int:
    """Check the configuration, database, output folder and every ACE-Step server."""
    settings = settings_for(builtin_default=True, quiet=True)
    problems = await run_doctor(settings, click.echo)
    if problems:
        raise CommandFailed(f"{problems} problem(s) found (see above)")
    return 0


@main.command()
@click.argument("source")
@click.option(
    "--count", type=int, default=None, help="Tracks to make (presets; default: the preset's)."
)
@click.option(
    "--seed", type=int, default=None, help="Same seed, same plan (captions, tempos, keys)."
)
@click.option(
    "--dry-run", is_flag=True, help="Show the plan's size, GPU time and cost; start nothing."
)
@click.option("--yes", is_flag=True, help="Start even when larger than BATCH_CONFIRM_TRACKS.")
@click.option("--json", "as_json", is_flag=True, help="Print the final summary as JSON.")
@async_command
async def batch(
    *, source: str, count: int | None, seed: int | None, dry_run: bool, yes: bool, as_json: bool
) -> int:
    """Make a batch from a preset (`spa`) or a CSV/JSON manifest file, and wait for its report."""
    settings = settings_for(builtin_default=True, quiet=True)
    async with open_services(settings) as services:
        return await batch_command(
            services,
            source,
            count=count,
            seed=seed,
            dry_run=dry_run,
            yes=yes,
            as_json=as_json,
            emit=stderr,
        )


main.add_command(evaluation_group)
