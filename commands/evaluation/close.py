"""`eval close <session>`: end voting. Only the owner, an admin or the operator may close.

LISTENING becomes CLOSED by compare-and-set, in the same database as the votes, so a vote that
arrives after the close commits is refused (`storage.evaluations.record_vote` checks the state in
its own transaction). The Slack process notices the closed session and posts the report in the
listening thread; `eval report` gives it anywhere.
"""

from datetime import UTC, datetime
from typing import Final

from commands.context import Caller
from commands.evaluation.sessions import find_session, only_session, refused
from commands.ports import CommandServices
from commands.replies import Reply
from domain.evaluations import EvalStatus
from storage import evaluations as evaluations_repo

EXAMPLE: Final = "/music eval close q1"


async def eval_close(text: str, services: CommandServices, caller: Caller) -> Reply:
    """eval close <session> — end voting (the owner or an admin); the report follows"""
    name = only_session(text, example=EXAMPLE)
    found = await find_session(services.db, name)
    if isinstance(found, Reply):
        return found
    session = found
    if not caller.may_manage(session.owner):
        return refused(
            f"Only the person who created listening session '{name}' or an admin may close it."
        )
    if session.status is EvalStatus.CLOSED:
        return refused(f"Listening session '{name}' is already closed. `eval report {name}`.")
    closed = await evaluations_repo.move_session(
        services.db,
        session.id,
        expect={EvalStatus.LISTENING},
        to=EvalStatus.CLOSED,
        closed_at=datetime.now(UTC),
        closed_by=caller.user_id or caller.origin,
    )
    if closed is None:
        return refused(
            f"Listening session '{name}' is not open for votes ({session.status}); "
            f"start it with `eval start {name}`."
        )
    votes = await evaluations_repo.list_votes(services.db, session.id)
    raters = len({vote.rater for vote in votes})
    pairs = len({vote.pair_id for vote in votes})
    return Reply(
        title="Listening session closed",
        text=(
            f"Listening session '{name}' is closed: {len(votes)} vote(s) recorded from "
            f"{raters} rater(s) on {pairs} pair(s). `eval report {name}` gives the report."
        ),
        ephemeral=True,
    )
