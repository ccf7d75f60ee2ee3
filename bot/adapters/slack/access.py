"""Who may use the bot where, and how many tracks a person may ask for per day.

Every Slack entry point (slash command, mention, buttons, the form, thread replies, reactions)
checks `check` first; who may act on whose things is decided by the commands (`Caller`).
"""

from dataclasses import dataclass
from datetime import datetime

from bot.settings import Settings
from commands.quota import over_quota
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
    schedules_apart: bool = False  # SCHEDULE_DAILY_TRACK_QUOTA set: scheduled runs count apart
    approvers: frozenset[str] = frozenset()  # SLACK_APPROVER_USERS (admins approve too)

    @classmethod
    def from_settings(cls, settings: Settings) -> "AccessPolicy":
        return cls(
            frozenset(settings.slack_allowed_channels),
            frozenset(settings.slack_allowed_users),
            frozenset(settings.slack_admin_users),
            settings.daily_track_quota,
            bool(settings.schedule_daily_track_quota),
            frozenset(settings.slack_approver_users),
        )

    def is_admin(self, user_id: str) -> bool:
        """Whether this person is in SLACK_ADMIN_USERS."""
        return user_id in self.admins

    def is_approver(self, user_id: str) -> bool:
        """Whether this person may approve or reject tracks (SLACK_APPROVER_USERS or an admin)."""
        return user_id in self.approvers or user_id in self.admins

    def check_person(self, user_id: str) -> Refusal | None:
        """A refusal when the person is not allowed anywhere (e.g. for the Home tab)."""
        if user_id in self.admins or not self.allowed_users or user_id in self.allowed_users:
            return None
        return Refusal("Sorry, you are not on the list of people who can use this bot.")

    def check(self, *, user_id: str, channel_id: str | None) -> Refusal | None:
        """A refusal when the person or the channel is not allowed."""
        if user_id in self.admins:
            return None
        if refusal := self.check_person(user_id):
            return refusal
        if self.allowed_channels and channel_id not in self.allowed_channels:
            allowed = ", ".join(f"<#{c}>" for c in sorted(self.allowed_channels))
            return Refusal(f"This bot only works in {allowed}.")
        return None

    async def check_quota(
        self, db: Database, *, user_id: str, tracks: int, now: datetime
    ) -> Refusal | None:
        """A refusal when `tracks` more would take the person past today's quota (UTC day)."""
        if user_id in self.admins:
            return None
        refusal = await over_quota(
            db,
            user_id=user_id,
            tracks=tracks,
            quota=self.daily_tracks,
            now=now,
            scheduled=False if self.schedules_apart else None,
        )
        return Refusal(refusal) if refusal else None
