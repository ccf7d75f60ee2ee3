"""`acemusic eval import | prepare | status`: the listening test's first steps from a terminal.

`import` copies references in from a folder or a manifest; `prepare` queues the candidates' jobs,
waits for them like `acemusic batch` (the built-in stand-in when no server is configured), then for
the pairs to be sealed, and prints the session's status; `status` shows one session or lists them.
Each subcommand is a thin shell over the same functions the chat commands use; the `eval` group
(`bot.adapters.cli.evaluation`) adds them.
"""

from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.adapters.cli.base import EXIT_FAILED, EXIT_USAGE, async_command, settings_for, stderr

if TYPE_CHECKING:  # the heavy parts load inside the commands: `acemusic --help` imports this
    from bot.services import Services
    from commands.context import Caller
    from commands.errors import UsageError
    from commands.replies import Reply


def _caller() -> "Caller":
    from commands.context import Caller  # noqa: PLC0415

    return Caller("cli", user_id="cli")


def _usage(error: "UsageError") -> int:
    click.echo(f"✗ {error.message}\n  Example: {error.example}")
    return EXIT_USAGE


def _show(reply: "Reply") -> int:
    from bot.adapters.console.text import render  # noqa: PLC0415

    click.echo(render(reply))
    return 0 if reply.ok else EXIT_USAGE


@click.command("import")
@click.argument("session")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--zone", default=None, help="Zone of files not in a zone sub-folder or row.")
@async_command
async def import_command(session: str, source: Path, zone: str | None) -> int:
    """Import references from a folder (one sub-folder per zone) or a .csv/.json manifest."""
    from bot.services import open_services  # noqa: PLC0415
    from commands.errors import UsageError  # noqa: PLC0415
    from commands.evaluation.imports import import_from_path, import_reply  # noqa: PLC0415
    from commands.evaluation.sessions import parse_session_name  # noqa: PLC0415

    settings = settings_for(builtin_default=True, quiet=True)
    async with open_services(settings) as services:
        try:
            name = parse_session_name(session, example="acemusic eval import q1 refs/")
            outcome = await import_from_path(services, _caller(), name, source, zone=zone)
        except UsageError as error:
            return _usage(error)
        return _show(import_reply(outcome))


@click.command("prepare")
@click.argument("session")
@click.option("--zones", default=None, help="Only these zones, e.g. spa,hotel-lobby.")
@click.option("--per-zone", type=int, default=None, help="At most N references per zone.")
@click.option("--best-of", type=int, default=None, help="Variants per reference (default 4).")
@click.option("--no-wait", is_flag=True, help="Queue the jobs and return at once.")
@async_command
async def prepare_command(
    session: str, zones: str | None, per_zone: int | None, best_of: int | None, no_wait: bool
) -> int:
    """Queue each reference's ACE-Step job (best of K), wait for them, seal the pairs."""
    from bot.adapters.console.text import render  # noqa: PLC0415
    from bot.services import open_services  # noqa: PLC0415
    from commands.errors import UsageError  # noqa: PLC0415
    from commands.evaluation.args import parse_prepare_args  # noqa: PLC0415
    from commands.evaluation.prepare import prepare_session  # noqa: PLC0415

    settings = settings_for(builtin_default=True, quiet=True)
    options = {"zones": zones, "per-zone": per_zone, "best-of": best_of}
    text = " ".join([session, *(f"{k}={v}" for k, v in options.items() if v is not None)])
    async with open_services(settings) as services:
        try:
            args = parse_prepare_args(text, services.presets)
            reply = await prepare_session(services, _caller(), args)
        except UsageError as error:
            return _usage(error)
        click.echo(render(reply))
        if not reply.ok:
            return EXIT_USAGE
        return await _wait(services, args.session, reply.batch_id, no_wait=no_wait)


async def _wait(services: "Services", name: str, batch_id: int | None, *, no_wait: bool) -> int:
    """Run the session's batch and the sealing to the end (unless `no_wait`), then its status."""
    from bot.adapters.cli.batch import show_tally  # noqa: PLC0415
    from bot.adapters.console.live import LiveProgress  # noqa: PLC0415
    from bot.adapters.console.text import render  # noqa: PLC0415
    from bot.engine.batches.service import run_batch_to_end  # noqa: PLC0415
    from bot.engine.evaluations.seal import run_session_to_end  # noqa: PLC0415
    from commands.evaluation.status import session_status  # noqa: PLC0415
    from domain.evaluations import EvalStatus  # noqa: PLC0415
    from storage import evaluations as evaluations_repo  # noqa: PLC0415

    session = await evaluations_repo.get_session(services.db, name)
    if session is None:
        return EXIT_FAILED
    if not no_wait:
        if batch_id is not None:
            with LiveProgress(f"batch #{batch_id}", "tracks") as live:
                await run_batch_to_end(services, batch_id, lambda tally: show_tally(live, tally))
        session = await run_session_to_end(services, session.id, stderr) or session
    click.echo(render(await session_status(services, name)))
    if no_wait:
        return 0
    return 0 if session.status is EvalStatus.READY else EXIT_FAILED


@click.command("status")
@click.argument("session", required=False)
@async_command
async def status_command(session: str | None) -> int:
    """One session's references, pairs and progress; without a name, every session."""
    from bot.services import open_services  # noqa: PLC0415
    from commands.errors import UsageError  # noqa: PLC0415
    from commands.evaluation.sessions import parse_session_name  # noqa: PLC0415
    from commands.evaluation.status import list_sessions_reply, session_status  # noqa: PLC0415

    settings = settings_for(builtin_default=True, quiet=True)
    async with open_services(settings) as services:
        try:
            if session is None:
                return _show(await list_sessions_reply(services))
            name = parse_session_name(session, example="acemusic eval status q1")
            return _show(await session_status(services, name))
        except UsageError as error:
            return _usage(error)
