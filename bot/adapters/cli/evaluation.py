"""`acemusic eval …`: the listening test from the terminal.

`import`, `prepare` and `status` live in `eval_prepare.py`. `start`, `close` and `report` run the
same commands as `/music eval …` (as the operator, who may do everything); `start` from here opens
voting without posting anywhere. `report` writes report.json, report.csv and report.png (into
OUTPUT_DIR/eval/<session>/, or `--out DIR`) and prints a summary, the JSON (`--json`) or the CSV
(`--csv`). `listen` is the offline listening room: for each pair it prints the two files' paths and
reads the scores typed for them (`4 3 warmer strings`; `s` skips, `q` quits), recorded as rater
`console:<NAME>`.
"""

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final

import click

from bot.adapters.cli.base import EXIT_USAGE, async_command, settings_for
from bot.adapters.cli.eval_prepare import import_command, prepare_command, status_command

if TYPE_CHECKING:  # the heavy parts load inside the commands: `acemusic --help` imports this
    from bot.services import Services
    from domain.evaluations import EvalPairRecord, EvalSessionRecord, EvalStatus

SKIP: Final = {"s", "skip"}
QUIT: Final = {"q", "quit"}


async def _with_services(work: Callable[["Services"], Awaitable[int]]) -> int:
    """Open the services (built-in stand-in when no server is set) and run `work`; a usage
    error is one line and exit code 2."""
    from bot.services import open_services  # noqa: PLC0415
    from commands.errors import UsageError  # noqa: PLC0415

    settings = settings_for(builtin_default=True, quiet=True)
    async with open_services(settings) as services:
        try:
            return await work(services)
        except UsageError as error:
            click.echo(f"✗ {error.message}\n  Example: {error.example}", err=True)
            return EXIT_USAGE


async def _session_in(
    services: "Services", name: str, status: "EvalStatus", otherwise: str
) -> "EvalSessionRecord | None":
    """The session called `name` when it is in `status`; else None after one line on stderr
    (`otherwise` is formatted with the session's `name` and its `status`)."""
    from storage import evaluations as evaluations_repo  # noqa: PLC0415

    session = await evaluations_repo.get_session(services.db, name)
    if session is None:
        click.echo(f"✗ There is no listening session '{name}'.", err=True)
    elif session.status is not status:
        problem = otherwise.format(name=name, status=session.status)
        click.echo(f"✗ Listening session '{name}' {problem}.", err=True)
    else:
        return session
    return None


async def _command(services: "Services", text: str) -> int:
    from bot.adapters.console.text import render  # noqa: PLC0415
    from commands.context import Caller  # noqa: PLC0415
    from commands.router import handle  # noqa: PLC0415

    reply = await handle(text, services, Caller("cli", user_id="cli"))
    click.echo(render(reply))
    return 0 if reply.ok else EXIT_USAGE


@click.group(name="eval")
def evaluation_group() -> None:
    """The blind listening test against the incumbent service."""


evaluation_group.add_command(import_command)
evaluation_group.add_command(prepare_command)
evaluation_group.add_command(status_command)


@evaluation_group.command()
@click.argument("session")
@async_command
async def start(session: str) -> int:
    """Open a READY session for votes (offline: nothing is posted to Slack)."""
    return await _with_services(lambda services: _command(services, f"eval start {session}"))


@evaluation_group.command()
@click.argument("session")
@async_command
async def close(session: str) -> int:
    """End voting; the report can then be made."""
    return await _with_services(lambda services: _command(services, f"eval close {session}"))


@evaluation_group.command()
@click.argument("session")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the report as CSV on stdout.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the files here (default: OUTPUT_DIR/eval/<session>/).",
)
@async_command
async def report(session: str, as_json: bool, as_csv: bool, out: Path | None) -> int:
    """The GO / NO-GO report of a closed session; report.json, .csv and .png are written."""
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    return await _with_services(
        lambda services: report_command(services, session, as_json, as_csv, out)
    )


async def report_command(
    services: "Services", name: str, as_json: bool, as_csv: bool, out: Path | None
) -> int:
    """Make and write a closed session's report; print it in the form asked."""
    from bot.adapters.console.text import render  # noqa: PLC0415
    from commands.evaluation.report import (  # noqa: PLC0415
        assemble_report,
        report_folder,
        report_reply,
        write_report_files,
    )
    from commands.evaluation.sessions import parse_session_name  # noqa: PLC0415
    from domain.evaluations import EvalStatus  # noqa: PLC0415

    session = await _session_in(
        services,
        parse_session_name(name, example="acemusic eval report q1"),
        EvalStatus.CLOSED,
        "is not closed yet ({status}): the report comes after `acemusic eval close {name}`",
    )
    if session is None:
        return EXIT_USAGE
    made = await assemble_report(services.db, session, services.policy)
    files = await write_report_files(out or report_folder(services.policy, session), made)
    if as_json:
        click.echo(json.dumps(made.to_json(), indent=2, default=str))
    elif as_csv:
        click.echo(made.csv_text(), nl=False)
    else:
        click.echo(render(report_reply(made, files)))
    return 0


@evaluation_group.command()
@click.argument("session")
@click.option("--rater", default=None, help="Your name as a rater (default: $USER).")
@async_command
async def listen(session: str, rater: str | None) -> int:
    """Score each pair typed at the terminal (`4 3 comment`; `s` skips, `q` quits)."""
    name = rater or os.environ.get("USER") or "operator"
    return await _with_services(
        lambda services: listen_command(services, session, f"console:{name}")
    )


async def listen_command(services: "Services", name: str, rater: str) -> int:
    """The offline listening room: every READY pair, its files, the scores typed for it."""
    from commands.evaluation.sessions import parse_session_name  # noqa: PLC0415
    from domain.evaluations import EvalStatus, PairState  # noqa: PLC0415
    from storage import evaluations as evaluations_repo  # noqa: PLC0415
    from storage.evaluations import VoteOutcome  # noqa: PLC0415

    name = parse_session_name(name, example="acemusic eval listen q1")
    session = await _session_in(
        services,
        name,
        EvalStatus.LISTENING,
        "is not open for votes ({status}); `acemusic eval start {name}` opens it",
    )
    if session is None:
        return EXIT_USAGE
    pairs = await evaluations_repo.list_pairs(services.db, session.id, states=[PairState.READY])
    click.echo(
        f"Listening session {name}: {len(pairs)} pairs, voting as {rater}. Type the score of A "
        "and of B from 1 to 5 and an optional comment (`4 3 warmer strings`); `s` skips a pair, "
        "`q` quits. Votes can be changed until the session closes."
    )
    tally: dict[str, int] = {}
    for pair in pairs:
        outcome = await _listen_to(services, pair, rater)
        if outcome == "quit":
            break
        tally[outcome] = tally.get(outcome, 0) + 1
    click.echo(
        f"Done: {tally.get(VoteOutcome.RECORDED, 0)} recorded, "
        f"{tally.get(VoteOutcome.CHANGED, 0)} changed, {tally.get('skipped', 0)} skipped."
    )
    return 0


async def _listen_to(services: "Services", pair: "EvalPairRecord", rater: str) -> str:
    """One pair: show it, read scores until they are valid; the outcome, `skipped` or `quit`."""
    from commands.evaluation.votes import BadVote, cast_vote, parse_vote_line  # noqa: PLC0415
    from storage import evaluations as evaluations_repo  # noqa: PLC0415

    click.echo(f"\n{pair.label}\n  A: {pair.file_a}\n  B: {pair.file_b}")
    vote = await evaluations_repo.get_vote(services.db, pair.id, rater)
    if vote is not None:
        note = f" — {vote.comment}" if vote.comment else ""
        click.echo(f"  Your vote: A {vote.score_a}, B {vote.score_b}{note} (type new scores or s)")
    while True:
        click.echo(f"{pair.label} A B [comment]> ", nl=False)
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return "quit"  # end of input
        typed = line.strip()
        if typed.lower() in QUIT:
            return "quit"
        if typed.lower() in SKIP or not typed:
            return "skipped"
        try:
            a, b, comment = parse_vote_line(typed)
        except BadVote as error:
            click.echo(f"  ✗ {error}")
            continue
        answer = await cast_vote(services.db, pair, rater, score_a=a, score_b=b, comment=comment)
        click.echo(f"  {'✓' if answer.ok else '✗'} {answer.text}")
        if answer.ok and answer.outcome is not None:
            return answer.outcome.value
        if not answer.ok:
            return "quit"  # the session closed meanwhile, or the pair is gone
