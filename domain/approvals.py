"""Approval: whether a track may go to the venues' catalogue, who decided, and how.

A decision is one row of history (`ApprovalRecord`); a track's approval is its newest decision
that has not been undone (removing the ✅ reaction undoes the decision that reaction made). The
track row keeps a copy of that current state so listings and exports can filter on it.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


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
