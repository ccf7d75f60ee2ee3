"""Who may use the bot where, and how many tracks a person may ask for per day."""

from dataclasses import dataclass
from datetime import UTC, datetime, time

from bot.settings import Settings
from storage import jobs as jobs_repo
from storage.database import Database


@dataclass(frozen=True)
class Refusal:
    """Why a request was refused, in plain words (sent privately to the person)."""

    text: str


@dataclass(frozen=True)
class AccessPolicy:
    """Allow-lists (empty: everyone/everywhere), admins, and the daily track quota."""

    allowed_channels: frozenset[str]
    allowed_users: frozenset[str]
    admins: frozenset[str]
    daily_tracks: int  # 0: no limit

    @classmethod
    def from_settings(cls, settings: Settings) -> "AccessPolicy":
        return cls(
            frozenset(settings.slack_allowed_channels),
            frozenset(settings.slack_allowed_users),
            frozenset(settings.slack_admin_users),
            settings.daily_track_quota,
        )

    def check(self, *, user_id: str, channel_id: str | None) -> Refusal | None:
        """A refusal when the person or the channel is not allowed."""
        if user_id in self.admins:
            return None
        if self.allowed_users and user_id not in self.allowed_users:
            return Refusal("Sorry, you are not on the list of people who can use this bot.")
        if self.allowed_channels and channel_id not in self.allowed_channels:
            allowed = ", ".join(f"<#{c}>" for c in sorted(self.allowed_channels))
            return Refusal(f"This bot only works in {allowed}.")
        return None

    async def check_quota(
        self, db: Database, *, user_id: str, tracks: int, now: datetime
    ) -> Refusal | None:
        """A refusal when `tracks` more would take the person past today's quota (UTC day)."""
        if not self.daily_tracks or user_id in self.admins:
            return None
        midnight = datetime.combine(now.astimezone(UTC).date(), time(), tzinfo=UTC)
        used = await jobs_repo.tracks_requested(db, requested_by=user_id, since=midnight)
        if used + tracks <= self.daily_tracks:
            return None
        left = max(self.daily_tracks - used, 0)
        return Refusal(
            f"That would be {tracks} more track(s), but you have {left} of your "
            f"{self.daily_tracks} for today left (the count resets at 00:00 UTC). "
            "Ask for fewer variants, or ask an admin."
        )
