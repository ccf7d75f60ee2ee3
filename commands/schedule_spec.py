"""When a schedule runs (pure, no I/O): `daily 09:00 …`, `weekdays 9:30 …`, `every monday 08:00 …`,
`cron "0 9 * * 1-5" …`, with `tz=Asia/Bangkok` anywhere.

Every form becomes a normalised 5-field cron expression; APScheduler's `CronTrigger` computes the
fire times from it in the schedule's time zone (daylight-saving changes included). Weekdays are
stored as names: APScheduler counts numeric weekdays from Monday = 0, standard cron from
Sunday = 0, so numbers in a person's cron expression are translated to names first.
"""

import itertools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from commands.errors import UsageError
from commands.messages import schedule_too_often
from domain.schedules import next_fire, trigger_for

EXAMPLE: Final = "/music schedule daily 09:00 hotel-lobby x20 tz=Asia/Bangkok"
GAP_SAMPLES: Final = 48  # consecutive fire times whose gaps are checked against the minimum
DAYS: Final = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # standard cron order
FULL_DAYS: Final = {
    "sunday": "sun",
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
}
_TZ = re.compile(r"(?:^|\s)tz=(\S+)", re.IGNORECASE)
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_CRON = re.compile(r'^cron\s+["\u201c\u201d\']([^"\u201c\u201d\']+)["\u201c\u201d\']\s*(.*)$', re.I)


@dataclass(frozen=True)
class ScheduleSpec:
    """A parsed schedule: the cron expression, its zone, the batch to run, and a description."""

    expression: str
    timezone: str
    batch_text: str
    description: str


def parse_schedule(text: str, *, default_tz: str) -> ScheduleSpec:
    """Read what follows `/music schedule`; UsageError with an example when it cannot."""
    zone, rest = _zone(text, default_tz)
    cron = _CRON.match(rest)
    if cron is not None:
        expression = normalise_cron(cron[1])
        spec = ScheduleSpec(expression, zone, cron[2].strip(), f"cron '{expression}'")
    else:
        spec = _named_form(rest, zone)
    if not spec.batch_text:
        raise UsageError("What should each run make? Add a preset and a count.", EXAMPLE)
    return ScheduleSpec(spec.expression, zone, spec.batch_text, f"{spec.description} ({zone})")


def fire_times(expression: str, timezone: str, after: datetime, count: int) -> list[datetime]:
    """Up to `count` consecutive fire times strictly after `after`, in UTC."""
    times: list[datetime] = []
    moment: datetime | None = after
    while moment is not None and len(times) < count:
        moment = next_fire(expression, timezone, moment)
        if moment is not None:
            times.append(moment)
    return times


def check_interval(spec: ScheduleSpec, minimum: timedelta, now: datetime) -> None:
    """UsageError when two of the schedule's next `GAP_SAMPLES` fire times come closer than
    `minimum` (every daily pattern repeats within them, so a closer pair would show)."""
    times = fire_times(spec.expression, spec.timezone, now, GAP_SAMPLES)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    if gaps and min(gaps) < minimum:
        minutes = minimum.total_seconds() / 60
        raise UsageError(schedule_too_often(minutes), EXAMPLE)


def _zone(text: str, default_tz: str) -> tuple[str, str]:
    found = _TZ.search(text)
    zone = found[1] if found else default_tz
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"'{zone}' is not a time zone. Use a name such as Asia/Bangkok or Asia/Singapore.",
            EXAMPLE,
        ) from None
    rest = _TZ.sub(" ", text).strip() if found else text.strip()
    return zone, rest


def _named_form(text: str, zone: str) -> ScheduleSpec:
    words = text.split()
    if not words:
        raise UsageError("When should it run? e.g. `daily 09:00`.", EXAMPLE)
    head = words[0].lower()
    if head == "every" and len(words) >= 2:
        days = _days(words[1])
        return _at(words[2:], ",".join(days), f"every {', '.join(days)}")
    kinds = {"daily": ("*", "every day"), "weekdays": ("mon-fri", "every weekday")}
    kinds["weekends"] = ("sat,sun", "every weekend day")
    if head in kinds:
        field, description = kinds[head]
        return _at(words[1:], field, description)
    raise UsageError(
        f"'{words[0]}' is not a schedule. Start with daily, weekdays, weekends, every <day> "
        'or cron "…".',
        EXAMPLE,
    )


def _at(words: list[str], day_field: str, description: str) -> ScheduleSpec:
    if not words:
        raise UsageError(f"At what time {description}? e.g. 09:00.", EXAMPLE)
    hour, minute = _time(words[0])
    expression = f"{minute} {hour} * * {day_field}"
    return ScheduleSpec(
        expression, "", " ".join(words[1:]), f"{description} at {hour:02d}:{minute:02d}"
    )


def _time(word: str) -> tuple[int, int]:
    found = _TIME.match(word)
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        raise UsageError(f"'{word}' is not a time of day: use 24-hour HH:MM, e.g. 09:00.", EXAMPLE)
    return int(found[1]), int(found[2])


def _days(word: str) -> list[str]:
    days = []
    for part in word.lower().split(","):
        name = part.strip().rstrip("s") if part.strip() not in ("tues", "thurs") else part[:3]
        day = FULL_DAYS.get(name) or (name if name in DAYS else None)
        if day is None:
            raise UsageError(f"'{part}' is not a day. Use monday … sunday (or mon … sun).", EXAMPLE)
        days.append(day)
    return list(dict.fromkeys(days))


def normalise_cron(expression: str) -> str:
    """A person's 5-field cron expression, checked, with weekday numbers turned into names."""
    fields = expression.split()
    if len(fields) != 5:
        raise UsageError(
            f"'{expression}' has {len(fields)} fields; cron needs 5: minute hour day month "
            "weekday.",
            EXAMPLE,
        )
    fields[4] = _weekday_field(fields[4])
    normalised = " ".join(fields)
    try:
        trigger_for(normalised, "UTC")
    except ValueError as exc:
        raise UsageError(
            f"'{expression}' is not a valid cron expression: {exc}.", EXAMPLE
        ) from None
    return normalised


def _weekday_field(field: str) -> str:
    if field == "*" or not any(ch.isdigit() for ch in field):
        return field.lower()
    names: list[str] = []
    for part in field.split(","):
        low, _, high = part.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            raise UsageError(f"Weekday '{part}': use numbers 0-7 or names, e.g. 1-5.", EXAMPLE)
        start, end = int(low), int(high or low)
        if not (0 <= start <= 7 and 0 <= end <= 7 and start <= end):
            raise UsageError(
                f"Weekday '{part}': numbers go from 0 (Sunday) to 7 (Sunday).", EXAMPLE
            )
        names += [DAYS[day % 7] for day in range(start, end + 1)]
    return ",".join(dict.fromkeys(names))
