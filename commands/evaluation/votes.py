"""A rater's vote on a pair: checked, then stored (one per rater and pair, changed until close).

Every way in (the Slack vote form, `acemusic eval listen`) goes through `cast_vote`, so the rules
are the same: the session must be LISTENING, the pair must have its listening files, the rater
must be allowed (the session's list or user group; the caller finds out group membership), scores
are 1–5 and the comment one line of at most 200 characters. The answer never repeats anything but
the rater's own scores.
"""

import re
from dataclasses import dataclass
from typing import Final

from domain.evaluations import EvalPairRecord, EvalSessionRecord, PairState
from storage import evaluations as evaluations_repo
from storage.database import Database
from storage.evaluations import VoteOutcome

COMMENT_MAX: Final = 200
SCORES: Final = range(1, 6)
_VOTE_LINE: Final = re.compile(r"\s*([1-5])\s*[, ]\s*([1-5])(?:\s*[, ]\s*(.*))?\s*", re.DOTALL)


class BadVote(ValueError):
    """A vote that cannot be stored; the message says why, for the rater."""


@dataclass(frozen=True)
class VoteAnswer:
    """What became of a vote, in words for the rater."""

    ok: bool
    text: str
    outcome: VoteOutcome | None = None


def clean_comment(comment: str | None) -> str | None:
    """One line (whitespace collapsed) of at most COMMENT_MAX characters; None when empty."""
    if comment is None:
        return None
    line = " ".join(comment.split())
    if len(line) > COMMENT_MAX:
        raise BadVote(f"The comment is {len(line)} characters; keep it to {COMMENT_MAX}.")
    return line or None


def check_score(name: str, value: object) -> int:
    """A score 1–5 from a form value or typed text."""
    text = str(value).strip() if value is not None else ""
    if not text.isdigit() or int(text) not in SCORES:
        raise BadVote(f"Score {name} from 1 to 5 (got '{text or 'nothing'}').")
    return int(text)


def parse_vote_line(line: str) -> tuple[int, int, str | None]:
    """`4 3`, `4,3` or `4 3 lovely strings` -> (A, B, comment); BadVote otherwise."""
    match = _VOTE_LINE.fullmatch(line)
    if match is None:
        raise BadVote(
            "Type the score of A and of B from 1 to 5, then an optional comment (e.g. `4 3 "
            "warmer strings`); `s` skips the pair, `q` quits."
        )
    return int(match[1]), int(match[2]), clean_comment(match[3])


def rater_refusal(session: EvalSessionRecord, rater: str, *, in_group: bool) -> str | None:
    """Why `rater` may not vote in this session now, or None."""
    if not session.status.votes_open:
        state = "closed" if session.status.value == "closed" else "not open for votes yet"
        return f"Listening session '{session.name}' is {state}; your vote was not recorded."
    if not session.may_rate(rater, in_group=in_group):
        return (
            f"You are not one of the raters of listening session '{session.name}'; ask its "
            "owner to add you."
        )
    return None


async def cast_vote(
    db: Database,
    pair: EvalPairRecord,
    rater: str,
    *,
    score_a: int,
    score_b: int,
    comment: str | None = None,
    in_group: bool = False,
) -> VoteAnswer:
    """Store (or change) `rater`'s vote on `pair` if the rules allow it."""
    session = await evaluations_repo.get_session_by_id(db, pair.session_id)
    if session is None or pair.state is not PairState.READY:
        return VoteAnswer(False, f"{pair.label} cannot be voted on.")
    if problem := rater_refusal(session, rater, in_group=in_group):
        return VoteAnswer(False, problem)
    try:
        scores = check_score("A", score_a), check_score("B", score_b)
        comment = clean_comment(comment)
    except BadVote as error:
        return VoteAnswer(False, str(error))
    outcome = await evaluations_repo.record_vote(
        db, pair.id, rater, score_a=scores[0], score_b=scores[1], comment=comment
    )
    if outcome is VoteOutcome.CLOSED:
        return VoteAnswer(
            False, f"Listening session '{session.name}' closed; your vote was not recorded."
        )
    if outcome is VoteOutcome.NO_PAIR:
        return VoteAnswer(False, f"{pair.label} cannot be voted on.")
    verb = "changed" if outcome is VoteOutcome.CHANGED else "recorded"
    return VoteAnswer(
        True, f"Your vote on {pair.label} is {verb}: A {scores[0]}, B {scores[1]}.", outcome
    )
