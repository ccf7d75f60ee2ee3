"""Approval: whether a track may go to the venues' catalogue, who decided, and how.

A decision is one row of history (`ApprovalRecord`); a track's approval is its newest decision
that has not been undone (removing the ✅ reaction undoes the decision that reaction made). The
track row keeps a copy of that current state so listings and exports can filter on it.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final


class Decision(StrEnum):
    """What an approver decided about a track."""

    APPROVED = "approved"  # may be delivered to venues
    REJECTED = "rejected"  # must not be delivered


class ApprovalSource(StrEnum):
    """How a decision was made."""

    REACTION = "reaction"  # the approval emoji on the track's Slack message
    COMMAND = "command"  # `/music approve …` / `reject …` (Slack, console or `acemusic run`)
    AUTO = "auto"  # a preset's auto-approval rule


@dataclass(frozen=True, slots=True)
class ApprovalRecord:
    """One decision about one track."""

    id: int
    track_id: int
    decision: Decision
    user_id: str
    source: ApprovalSource
    created_at: datetime
    forced: bool = False  # approved although the track failed its audio check
    note: str | None = None
    undone_at: datetime | None = None
    undone_by: str | None = None


AUTO_USER: Final = "auto"  # the user id of the auto-approval rule's decisions
_SLACK_USER: Final = re.compile(r"[UW][A-Z0-9]{2,}")


def mention(user_id: str) -> str:
    """Who decided, as a reply shows it: a Slack mention `<@U123>` (adapters without Slack show
    it as @U123), `@name` for the operator at the terminal, or the auto-approval rule."""
    if user_id == AUTO_USER:
        return "the auto-approval rule"
    return f"<@{user_id}>" if _SLACK_USER.fullmatch(user_id) else f"@{user_id}"


def describe(decision: Decision, user_id: str | None, at: datetime | None) -> str:
    """`approved by <@U123> on 2026-12-05` / `rejected by @cli on 2026-12-05`."""
    text = str(decision)
    if user_id:
        text += f" by {mention(user_id)}"
    if at is not None:
        text += f" on {at.date().isoformat()}"
    return text
