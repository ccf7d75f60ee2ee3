"""Daily track quotas, for every entry point: people's requests and their schedules' runs.

A quota counts the tracks a person asked for since 00:00 UTC (failed and cancelled jobs made
none). With SCHEDULE_DAILY_TRACK_QUOTA at 0, a schedule's runs count against its creator's
DAILY_TRACK_QUOTA together with what they ask for by hand (and admins have no limit). With it set,
scheduled runs have that separate budget per creator — admins included, since nobody watches an
unattended run — and hand-made requests count apart from them.
"""

from datetime import UTC, datetime, time

from commands import messages as msg
from commands.ports import CommandPolicy
from storage import jobs as jobs_repo
from storage.database import Database

SCHEDULE_ORIGIN = "schedule"


async def over_quota(
    db: Database,
    *,
    user_id: str,
    tracks: int,
    quota: int,
    now: datetime,
    scheduled: bool | None = None,
    setting: str = "DAILY_TRACK_QUOTA",
) -> str | None:
    """Why `tracks` more would take `user_id` past `quota` today (0: no limit), or None.

    `scheduled`: count only scheduled runs (True), only the rest (False), or everything (None).
    """
    if not quota:
        return None
    midnight = datetime.combine(now.astimezone(UTC).date(), time(), tzinfo=UTC)
    origin = SCHEDULE_ORIGIN if scheduled else None
    used = await jobs_repo.tracks_requested(
        db,
        requested_by=user_id,
        since=midnight,
        origin=origin,
        exclude_origin=SCHEDULE_ORIGIN if scheduled is False else None,
    )
    if used + tracks <= quota:
        return None
    return msg.over_quota(tracks, max(quota - used, 0), quota, setting)


async def schedule_refusal(
    db: Database, policy: CommandPolicy, *, creator: str, tracks: int, now: datetime
) -> str | None:
    """Why a run of `creator`'s schedule making `tracks` tracks may not start today, or None."""
    if policy.schedule_daily_track_quota:
        return await over_quota(
            db,
            user_id=creator,
            tracks=tracks,
            quota=policy.schedule_daily_track_quota,
            now=now,
            scheduled=True,
            setting="SCHEDULE_DAILY_TRACK_QUOTA",
        )
    if creator in policy.admin_users:
        return None
    return await over_quota(
        db, user_id=creator, tracks=tracks, quota=policy.daily_track_quota, now=now
    )
