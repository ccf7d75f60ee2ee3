"""`acemusic run`, `chat` and `batch`: make music and wait for it.

The engine, the services and the command path are imported inside the commands (see `lazy.py`).
"""

import json
from typing import TYPE_CHECKING

import click

from bot.adapters.cli.base import CommandFailed, async_command, settings_for, stderr

if TYPE_CHECKING:
    from bot.services import Services
    from domain.records import JobRecord

EXIT_FAILED = 1
EXIT_USAGE = 2


@click.command()
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON on stdout.")
@click.option(
    "--timeout", "wait_s", type=float, default=None, help="Give up waiting after this many seconds."
)
@async_command
async def run(text: str, as_json: bool, wait_s: float | None) -> int:
    """Send one message (e.g. "/music spa ambient 2min") and wait for the jobs it starts."""
    from bot.adapters.console.chat import describe_outcome, job_json  # noqa: PLC0415
    from bot.adapters.console.text import render  # noqa: PLC0415
    from bot.services import open_services  # noqa: PLC0415
    from commands.context import Caller  # noqa: PLC0415
    from commands.router import handle  # noqa: PLC0415
    from domain.records import JobStatus  # noqa: PLC0415

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
    services: "Services", job_ids: tuple[int, ...], wait_s: float | None, *, quiet: bool
) -> list["JobRecord"]:
    import asyncio  # noqa: PLC0415

    from bot.adapters.console.live import LiveProgress  # noqa: PLC0415
    from bot.adapters.console.progress import JobWatcher  # noqa: PLC0415

    if not job_ids:
        return []
    stop = asyncio.Event()
    engine = asyncio.create_task(services.engine.run_forever(stop))
    try:
        with LiveProgress("run", "jobs") as live:
            watcher = JobWatcher(
                services,
                job_ids,
                (lambda _line: None) if quiet else stderr,
                live=live if live.live and not quiet else None,
            )
            return await asyncio.wait_for(watcher.wait(), wait_s)
    except TimeoutError:
        raise CommandFailed(
            f"gave up waiting after {wait_s:.0f} s; the job(s) continue with "
            "`acemusic work --until-idle`"
        ) from None
    finally:
        stop.set()
        await engine


@click.command()
@async_command
async def chat() -> int:
    """Talk to the bot on the console: one message per line (works with piped input)."""
    from bot.adapters.console.chat import chat as console_chat  # noqa: PLC0415
    from bot.services import open_services  # noqa: PLC0415

    settings = settings_for(builtin_default=True, quiet=True)
    async with open_services(settings) as services:
        unfinished = await console_chat(services, click.echo)
    return EXIT_FAILED if unfinished else 0


@click.command()
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
    from bot.adapters.cli.batch import batch_command  # noqa: PLC0415
    from bot.services import open_services  # noqa: PLC0415

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
        )
