"""When a schedule fires next (pure, no I/O): APScheduler's `CronTrigger` over a normalised 5-field
cron expression in the schedule's time zone (daylight-saving changes included).

Shared by the schedule command (which parses and validates) and the engine's scheduler (which
fires them).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger


def trigger_for(expression: str, timezone: str) -> CronTrigger:
    """APScheduler's trigger for a normalised expression."""
    return CronTrigger.from_crontab(expression, timezone=ZoneInfo(timezone))


def next_fire(expression: str, timezone: str, after: datetime) -> datetime | None:
    """The first fire time strictly after `after` (aware), in UTC; None if there is none."""
    # Fire times fall on whole minutes, so "from one second later" means "strictly after".
    fire: datetime | None = trigger_for(expression, timezone).get_next_fire_time(
        None, after + timedelta(seconds=1)
    )
    return None if fire is None else fire.astimezone(UTC)


@dataclass(frozen=True)
class RunOutcome:
    """What one run of a schedule did: the batch it started, or why it started none."""

    batch_id: int | None
    problem: str | None = None
