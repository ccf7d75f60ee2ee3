"""Who is asking, and from where: every command gets a `Caller` alongside its text."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    """The person (or schedule) behind a command and where replies should go."""

    origin: str  # "cli", "console", "slack" or "schedule"
    user_id: str | None = None
    channel_id: str | None = None
    thread_ts: str | None = None
