"""Who is asking, and from where: every command gets a `Caller` alongside its text."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

# Asked before a command queues `tracks` more tracks; returns a refusal to show, or None.
Admission = Callable[[int], Awaitable[str | None]]


@dataclass(frozen=True)
class Caller:
    """The person (or schedule) behind a command and where replies should go."""

    origin: str  # "cli", "console", "slack" or "schedule"
    user_id: str | None = None
    channel_id: str | None = None
    thread_ts: str | None = None
    admit: Admission | None = None  # quota policy of the entry point, if it has one

    async def refusal(self, tracks: int) -> str | None:
        """Why `tracks` more tracks may not be queued for this caller, or None."""
        return await self.admit(tracks) if self.admit is not None else None
