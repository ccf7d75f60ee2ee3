"""What the `eval` sub-verbs share: the session-name rule, finding a session, refusals."""

import re
from typing import Final

from commands.errors import UsageError
from commands.replies import Reply
from domain.evaluations import EvalSessionRecord
from storage import evaluations as evaluations_repo
from storage.database import Database

SESSION_NAME: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
NAME_RULE: Final = (
    "a session name is 1–64 characters: lower-case letters, digits, '-' and '_', "
    "starting with a letter or digit"
)


def parse_session_name(word: str, *, example: str) -> str:
    """A session name (lower-cased), or a UsageError naming the rule."""
    name = word.strip().lower()
    if not name:
        raise UsageError("Name the listening session.", example)
    if not SESSION_NAME.fullmatch(name):
        raise UsageError(f"'{word.strip()}' is not a session name: {NAME_RULE}.", example)
    return name


async def find_session(db: Database, name: str) -> EvalSessionRecord | Reply:
    """The session called `name`, or a refusal saying there is none."""
    session = await evaluations_repo.get_session(db, name)
    if session is None:
        return refused(f"There is no listening session '{name}'. `eval` lists the sessions.")
    return session


def refused(text: str) -> Reply:
    """A private answer saying why nothing was done."""
    return Reply(text=text, ephemeral=True, ok=False)


def only_session(text: str, *, example: str) -> str:
    """The one session name a sub-verb takes (`eval close q1`), or a UsageError."""
    words = text.split()
    if len(words) > 1:
        raise UsageError(f"'{words[1]}' is not understood here: give only the session.", example)
    return parse_session_name(words[0] if words else "", example=example)
