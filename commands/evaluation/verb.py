"""`eval <sub> …`: the listening test's sub-commands, one table from sub-verb to handler.

Each handler takes the text after its sub-verb, like any command handler. `eval` alone lists the
sessions. Importing from files is done by the entry points that have files (a Slack mention with
attachments, `acemusic eval import`); typed alone, `eval import` says how.
"""

from typing import Final

from commands.context import Caller
from commands.errors import UsageError
from commands.evaluation.args import (
    EXAMPLE_IMPORT,
    parse_import_args,
    parse_prepare_args,
    parse_status_args,
)
from commands.evaluation.close import eval_close
from commands.evaluation.prepare import prepare_session
from commands.evaluation.report import eval_report
from commands.evaluation.start import eval_start
from commands.evaluation.status import list_sessions_reply, session_status
from commands.ports import CommandServices
from commands.registry import Handler
from commands.replies import Reply

EXAMPLE: Final = "/music eval status q1"


async def eval_import(text: str, services: CommandServices, caller: Caller) -> Reply:
    """Without files: how to import references."""
    args = parse_import_args(text)
    raise UsageError(
        f"Attach the reference audio files (and/or a .csv/.json manifest) to the message "
        f"that says `eval import {args.session}`; from a terminal: "
        f"`acemusic eval import {args.session} <folder|manifest.csv>`.",
        EXAMPLE_IMPORT,
    )


async def eval_prepare(text: str, services: CommandServices, caller: Caller) -> Reply:
    """Queue the ACE-Step candidates of a session's references."""
    return await prepare_session(services, caller, parse_prepare_args(text, services.presets))


async def eval_status(text: str, services: CommandServices, caller: Caller) -> Reply:
    """One session's progress, or the list of sessions."""
    name = parse_status_args(text)
    return await (list_sessions_reply(services) if name is None else session_status(services, name))


SUB_VERBS: Final[dict[str, Handler]] = {
    "import": eval_import,
    "prepare": eval_prepare,
    "status": eval_status,
    "start": eval_start,
    "close": eval_close,
    "report": eval_report,
}


async def evaluation(text: str, services: CommandServices, caller: Caller) -> Reply:
    """eval import|prepare|start|close|report|status <session> — blind test vs the incumbent

    `eval` alone lists the sessions.
    """
    sub, _, rest = text.strip().partition(" ")
    if not sub:
        return await list_sessions_reply(services)
    handler = SUB_VERBS.get(sub.lower())
    if handler is None:
        known = ", ".join(SUB_VERBS)
        raise UsageError(f"'{sub}' is not an eval command: {known}.", EXAMPLE)
    return await handler(rest.strip(), services, caller)
