"""`eval start <session> [#channel] [raters=…]`: open a listening session for votes.

READY (every pair rendered) or LISTENING again (e.g. to change the raters, or to post what was not
posted) becomes LISTENING. Only the session's owner, an admin or the operator may start it. From
Slack the pairs are posted into a thread of the session's channel (the caller's, or the one named)
by the Slack process (`bot/adapters/slack/evaluation_posts.py`); from the terminal voting opens
for offline listening (`acemusic eval listen`) and nothing is posted anywhere.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from commands.context import Caller
from commands.errors import UsageError
from commands.evaluation.sessions import find_session, parse_session_name, refused
from commands.ports import CommandServices
from commands.replies import Reply
from domain.evaluations import EvalSessionRecord, EvalStatus, PairState
from storage import evaluations as evaluations_repo

EXAMPLE: Final = "/music eval start q1 #listening raters=<@U123>,<@U456>"
_CHANNEL: Final = re.compile(r"<#(?P<id>[CG][A-Z0-9]+)(?:\|[^>]*)?>")
_RATERS: Final = re.compile(r"\braters\s*=\s*(?P<list>.*)$", re.IGNORECASE | re.DOTALL)
_USER: Final = re.compile(r"<@(?P<id>[UW][A-Z0-9]+)(?:\|[^>]*)?>")
_IDS_HINT: Final = (
    "mention the bot instead (`@ACE Music eval start q1 #listening raters=@ana,@ben` or "
    "`raters=@listeners`) and pick channels, people and the user group from Slack's list, so "
    "they arrive as links"
)
_GROUP: Final = re.compile(r"<!subteam\^(?P<id>[A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class StartRequest:
    """What `eval start` was asked."""

    session: str
    channel_id: str | None = None  # a channel named in the command
    raters: tuple[str, ...] | None = None  # None: keep the session's (empty: anyone)
    rater_group: str | None = None


def parse_start(text: str) -> StartRequest:
    """`<session> [<#C…>] [raters=<@U1>,<@U2> | raters=<!subteam^S1>]`, or a UsageError."""
    name_word, _, rest = text.strip().partition(" ")
    name = parse_session_name(name_word, example=EXAMPLE)
    raters: tuple[str, ...] | None = None
    group: str | None = None
    if found := _RATERS.search(rest):
        raters, group = _parse_raters(found["list"])
        rest = rest[: found.start()]
    channel: str | None = None
    for word in rest.split():
        if match := _CHANNEL.fullmatch(word):
            if channel is not None:
                raise UsageError("Name one channel for the listening thread.", EXAMPLE)
            channel = match["id"]
        elif word.startswith("#"):
            raise UsageError(
                f"'{word}' arrived as plain text, not as a channel: {_IDS_HINT}", EXAMPLE
            )
        else:
            raise UsageError(
                f"'{word}' is not understood here: give a #channel and/or raters=….", EXAMPLE
            )
    return StartRequest(name, channel, raters, group)


def _parse_raters(listed: str) -> tuple[tuple[str, ...], str | None]:
    users = tuple(dict.fromkeys(match["id"] for match in _USER.finditer(listed)))
    groups = [match["id"] for match in _GROUP.finditer(listed)]
    leftover = _GROUP.sub("", _USER.sub("", listed)).replace(",", " ").split()
    if leftover:
        raise UsageError(
            f"'{leftover[0]}' is not a person or a user group Slack sent as a link: {_IDS_HINT}",
            EXAMPLE,
        )
    if len(groups) > 1:
        raise UsageError("Name one user group for raters=.", EXAMPLE)
    if not users and not groups:
        raise UsageError("raters= needs @people or a @user-group.", EXAMPLE)
    return users, (groups[0] if groups else None)


async def eval_start(text: str, services: CommandServices, caller: Caller) -> Reply:
    """eval start <session> [#channel] [raters=@a,@b | raters=@group] — open voting"""
    asked = parse_start(text)
    found = await find_session(services.db, asked.session)
    if isinstance(found, Reply):
        return found
    session = found
    if problem := _not_startable(session, caller):
        return refused(problem)
    pairs = await evaluations_repo.list_pairs(services.db, session.id, states=[PairState.READY])
    if not pairs:
        return refused(f"Listening session '{session.name}' has no pairs to listen to.")
    channel = asked.channel_id or caller.channel_id or session.channel_id
    if problem := _channel_problem(session, channel, caller, services.policy.allowed_channels):
        return refused(problem)
    started = await evaluations_repo.move_session(
        services.db,
        session.id,
        expect={EvalStatus.READY, EvalStatus.LISTENING},
        to=EvalStatus.LISTENING,
        channel_id=channel,
        raters=list(asked.raters) if asked.raters is not None else session.raters,
        rater_group=asked.rater_group if asked.raters is not None else session.rater_group,
        started_at=session.started_at or datetime.now(UTC),
    )
    if started is None:
        return refused(f"Listening session '{session.name}' changed meanwhile; try again.")
    return _started_reply(started, len(pairs), posted=channel is not None)


def _not_startable(session: EvalSessionRecord, caller: Caller) -> str | None:
    """Why this caller may not start the session now, or None."""
    if not caller.may_manage(session.owner):
        return (
            f"Only the person who created listening session '{session.name}' or an admin "
            "may start it."
        )
    if session.status is EvalStatus.CLOSED:
        return f"Listening session '{session.name}' is closed; its votes are final."
    if session.status not in (EvalStatus.READY, EvalStatus.LISTENING):
        return (
            f"Listening session '{session.name}' is not ready yet ({session.status}): its "
            f"pairs are still being made. `eval status {session.name}` shows how far it is."
        )
    return None


def _channel_problem(
    session: EvalSessionRecord, channel: str | None, caller: Caller, allowed: tuple[str, ...]
) -> str | None:
    """Why the pairs may not be posted in `channel`, or None (None channel: not posted)."""
    if channel is not None and allowed and channel not in allowed and not caller.admin:
        places = ", ".join(f"<#{c}>" for c in sorted(allowed))
        return f"Listening sessions can only be posted in {places}."
    if session.thread_ts is not None and channel != session.channel_id:
        return (
            f"Listening session '{session.name}' is already posted in <#{session.channel_id}>; "
            "its votes stay there."
        )
    return None


def who_may_vote(session: EvalSessionRecord) -> str:
    """`anyone`, the people listed, and/or the user group's members."""
    parts = [f"<@{user}>" for user in session.raters]
    if session.rater_group:
        parts.append(f"members of <!subteam^{session.rater_group}>")
    return ", ".join(parts) if parts else "anyone who can use the bot"


def _started_reply(session: EvalSessionRecord, pairs: int, *, posted: bool) -> Reply:
    if posted:
        text = (
            f"Listening session '{session.name}' is open: {pairs} pairs are being posted in "
            f"<#{session.channel_id}> (one thread). Score A and B from 1 to 5."
        )
    else:
        text = (
            f"Listening session '{session.name}' is open for offline listening: {pairs} pairs. "
            f"Nothing was posted to Slack; `acemusic eval listen {session.name}` records scores "
            "typed per pair."
        )
    return Reply(
        title="Listening session",
        text=text,
        fields=(
            ("Who may vote", who_may_vote(session)),
            ("Close with", f"eval close {session.name}"),
        ),
        ephemeral=True,
    )
