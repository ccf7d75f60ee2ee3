"""`acemusic eval import | prepare | status`: the listening test's first steps from a terminal.

`import` copies references in from a folder or a manifest; `prepare` queues the candidates' jobs,
waits for them like `acemusic batch` (the built-in stand-in when no server is configured), then for
the pairs to be sealed, and prints the session's status; `status` shows one session or lists them.
Each subcommand is a thin shell over the same functions the chat commands use; the `eval` group
(`bot.adapters.cli.evaluation`) adds them.
"""

from pathlib import Path

import click

from bot.adapters.cli.common import EXIT_FAILED, EXIT_USAGE, async_command, settings_for, stderr
from bot.adapters.console.chat import render
from bot.engine.batches.service import run_batch_to_end
from bot.engine.evaluations.seal import run_session_to_end
from bot.services import Services, open_services
from commands.context import Caller
from commands.errors import UsageError
from commands.evaluation.args import parse_prepare_args, session_name
from commands.evaluation.imports import import_from_path, import_reply
from commands.evaluation.prepare import prepare_session
from commands.evaluation.status import list_sessions_reply, session_status
from commands.replies import Reply
from domain.evaluations import EvalStatus
from storage import evaluations as evaluations_repo

CALLER = Caller("cli", user_id="cli")


def _usage(error: UsageError) -> int:
    click.echo(f"✗ {error.message}\n  Example: {error.example}")
    return EXIT_USAGE


def _show(reply: Reply) -> int:
    click.echo(render(reply))
    return 0 if reply.ok else EXIT_USAGE


@click.command("import")
@click.argument("session")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--zone", default=None, help="Zone of files not in a zone sub-folder or row.")
@async_command
async def import_command(session: str, source: Path, zone: str | None) -> int:
    """Import references from a folder (one sub-folder per zone) or a .csv/.json manifest."""
    settings = settings_for(builtin_default=True, quiet=True)
    async with open_services(settings) as services:
        try:
            name = session_name(session, "acemusic eval import q1 refs/")
            outcome = await import_from_path(services, CALLER, name, source, zone=zone)
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
    settings = settings_for(builtin_default=True, quiet=True)
    options = {"zones": zones, "per-zone": per_zone, "best-of": best_of}
    text = " ".join([session, *(f"{k}={v}" for k, v in options.items() if v is not None)])
    async with open_services(settings) as services:
        try:
            args = parse_prepare_args(text, services.presets)
            reply = await prepare_session(services, CALLER, args)
        except UsageError as error:
            return _usage(error)
        click.echo(render(reply))
        if not reply.ok:
            return EXIT_USAGE
        return await _wait(services, args.session, reply.batch_id, no_wait=no_wait)


async def _wait(services: Services, name: str, batch_id: int | None, *, no_wait: bool) -> int:
    """Run the session's batch and the sealing to the end (unless `no_wait`), then its status."""
    session = await evaluations_repo.get_session(services.db, name)
    if session is None:
        return EXIT_FAILED
    if not no_wait:
        if batch_id is not None:
            await run_batch_to_end(services, batch_id, stderr)
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
    settings = settings_for(builtin_default=True, quiet=True)
    async with open_services(settings) as services:
        try:
            if session is None:
                return _show(await list_sessions_reply(services))
            name = session_name(session, "acemusic eval status q1")
            return _show(await session_status(services, name))
        except UsageError as error:
            return _usage(error)
