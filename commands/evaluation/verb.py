"""`eval <sub-verb> …`: finds the sub-verb's handler (start, close, report on this branch; the
import / prepare / status handlers join the same table)."""

from typing import Final

from commands.context import Caller
from commands.errors import UsageError
from commands.evaluation.close import eval_close
from commands.evaluation.report import eval_report
from commands.evaluation.start import eval_start
from commands.ports import CommandServices
from commands.registry import Handler
from commands.replies import Reply

SUB_VERBS: Final[dict[str, Handler]] = {
    "start": eval_start,
    "close": eval_close,
    "report": eval_report,
}
EXAMPLE: Final = "/music eval report q1"


async def evaluation(text: str, services: CommandServices, caller: Caller) -> Reply:
    """eval start|close|report <session> — the blind listening test against the incumbent"""
    word, _, rest = text.strip().partition(" ")
    handler = SUB_VERBS.get(word.lower())
    if handler is None:
        known = ", ".join(SUB_VERBS)
        said = f"'{word}' is not an eval command" if word else "Say what to do with a session"
        raise UsageError(f"{said}: {known}.", EXAMPLE)
    return await handler(rest.strip(), services, caller)
