"""Who is asking, and from where: every command gets a `Caller` alongside its text.

Who may do what is decided here, for every transport alike:
- cancelling, pausing, resuming or deleting something is for the person who made it, an admin,
  or the operator (`may_manage`);
- the terminal (`acemusic run`, `chat`, `batch`) is the operator of the bot's host: whoever can
  run it can already read the database and the tokens, so it may do everything;
- a schedule acts as the person who made it;
- approving or rejecting tracks for the catalogue is for approvers (SLACK_APPROVER_USERS), admins
  and the operator (`may_approve`).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

# Asked before a command queues `tracks` more tracks; returns a refusal to show, or None.
Admission = Callable[[int], Awaitable[str | None]]

OPERATOR_ORIGINS: Final = frozenset({"cli", "console"})


@dataclass(frozen=True)
class Caller:
    """The person (or schedule) behind a command and where replies should go."""

    origin: str  # "cli", "console", "slack" or "schedule"
    user_id: str | None = None
    channel_id: str | None = None
    thread_ts: str | None = None
    admit: Admission | None = None  # quota policy of the entry point, if it has one
    admin: bool = False  # an admin of the entry point (SLACK_ADMIN_USERS)
    approver: bool = False  # may approve tracks (SLACK_APPROVER_USERS)

    @property
    def operator(self) -> bool:
        """Whether this is the bot's host operator (the terminal), who may do everything."""
        return self.origin in OPERATOR_ORIGINS

    @property
    def sees_everything(self) -> bool:
        """Admins and the operator see every job and track (others: their own, this channel's)."""
        return self.admin or self.operator

    @property
    def may_approve(self) -> bool:
        """Whether this caller may approve or reject tracks: approvers, admins, the operator."""
        return self.approver or self.sees_everything

    def may_manage(self, owner: str | None) -> bool:
        """Whether this caller may cancel, pause, resume or delete something `owner` made."""
        if self.sees_everything:
            return True
        return self.user_id is not None and self.user_id == owner

    async def refusal(self, tracks: int) -> str | None:
        """Why `tracks` more tracks may not be queued for this caller, or None."""
        return await self.admit(tracks) if self.admit is not None else None
