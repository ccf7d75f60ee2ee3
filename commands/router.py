"""The one command path every entry point uses: text in, `Reply` out.

Slack, the console and `acemusic run` all call `handle()`. Input problems come back as a specific
usage reply; anything unexpected is left to the adapter's single error handler.
"""

import re

from commands.approvals import approve, reject
from commands.batch import batch
from commands.cancel import cancel
from commands.context import Caller
from commands.errors import UsageError
from commands.evaluation.verb import evaluation
from commands.export import export
from commands.generate import generate
from commands.help import help_handler
from commands.listing import jobs, tracks
from commands.ports import CommandServices
from commands.presets import presets
from commands.ratings import top
from commands.registry import Command, Registry
from commands.replies import Reply, usage_reply
from commands.schedule import pause, resume, schedule, schedules, unschedule
from commands.stats.verb import stats
from commands.status import status

_PREFIX = re.compile(r"^\s*/music\b", re.IGNORECASE)


def _help_lines() -> list[str]:
    """Every command's help line (for `help`, which is one of them)."""
    return REGISTRY.help_lines()


REGISTRY = Registry(
    [
        Command(("help", "?"), help_handler(_help_lines)),
        Command(("status",), status),
        Command(("cancel",), cancel),
        Command(("presets",), presets),
        Command(("jobs",), jobs),
        Command(("tracks",), tracks),
        Command(("top",), top),
        Command(("approve",), approve),
        Command(("reject",), reject),
        Command(("stats",), stats),
        Command(("batch",), batch),
        Command(("schedule",), schedule),
        Command(("schedules",), schedules),
        Command(("unschedule",), unschedule),
        Command(("pause",), pause),
        Command(("resume",), resume),
        Command(("eval",), evaluation),
        Command(("export",), export),
    ],
    default=Command(("generate",), generate),
)


async def handle(text: str, services: CommandServices, caller: Caller) -> Reply:
    """Answer one message (`/music …` or just `…`)."""
    body = _PREFIX.sub("", text, count=1).strip()
    command, rest = REGISTRY.find(body)
    try:
        return await command.handler(rest, services, caller)
    except UsageError as error:
        return usage_reply(error.message, error.example)
