"""Schedule times: every form becomes a cron expression that fires when people expect."""

from datetime import UTC, datetime

import pytest

from commands.errors import UsageError
from commands.schedule_spec import normalise_cron, parse_schedule
from domain.schedules import next_fire

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(
    ("text", "expression", "batch", "description"),
    [
        ("daily 09:00 hotel-lobby x20", "0 9 * * *", "hotel-lobby x20", "every day at 09:00"),
        ("weekdays 7:30 quick-service x10", "30 7 * * mon-fri", "quick-service x10", "weekday"),
        ("weekends 18:05 lounge bar x4", "5 18 * * sat,sun", "lounge bar x4", "weekend"),
        ("every monday 08:00 spa x30", "0 8 * * mon", "spa x30", "every mon at 08:00"),
        ("every mon,Thursday 08:00 spa", "0 8 * * mon,thu", "spa", "every mon, thu"),
        ('cron "0 9 * * 1-5" cafe x10', "0 9 * * mon,tue,wed,thu,fri", "cafe x10", "cron"),
        ("cron '*/15 * * * 0' cafe", "*/15 * * * sun", "cafe", "cron"),
    ],
)
def test_forms(text: str, expression: str, batch: str, description: str) -> None:
    spec = parse_schedule(text, default_tz="UTC")
    assert spec.expression == expression
    assert spec.batch_text == batch
    assert description in spec.description
    assert spec.timezone == "UTC"


def test_time_zone_anywhere_and_the_default() -> None:
    spec = parse_schedule("daily 09:00 tz=Asia/Bangkok spa x2", default_tz="UTC")
    assert (spec.timezone, spec.batch_text) == ("Asia/Bangkok", "spa x2")
    assert "(Asia/Bangkok)" in spec.description
    assert parse_schedule("daily 09:00 spa", default_tz="Asia/Tokyo").timezone == "Asia/Tokyo"


def test_next_fire_is_in_the_schedules_zone() -> None:
    fire = next_fire("0 9 * * *", "Asia/Bangkok", NOW)  # 12:00 UTC = 19:00 in Bangkok
    assert fire == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 09:00 Bangkok next morning


def test_next_fire_is_strictly_after() -> None:
    at_nine = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert next_fire("0 9 * * *", "UTC", at_nine) == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_weekday_numbers_mean_what_they_mean_in_cron() -> None:
    # Standard cron: 1 = Monday. (APScheduler alone would read 1 as Tuesday.)
    fire = next_fire(normalise_cron("0 9 * * 1"), "UTC", NOW)
    assert fire is not None
    assert fire.strftime("%A") == "Monday"
    sunday = next_fire(normalise_cron("0 9 * * 7"), "UTC", NOW)
    assert sunday is not None
    assert sunday.strftime("%A") == "Sunday"


def test_daylight_saving_is_followed() -> None:
    # 09:00 in New York is 14:00 UTC in winter and 13:00 UTC in summer.
    winter = next_fire("0 9 * * *", "America/New_York", datetime(2026, 1, 10, tzinfo=UTC))
    summer = next_fire("0 9 * * *", "America/New_York", datetime(2026, 7, 10, tzinfo=UTC))
    assert winter is not None
    assert winter.hour == 14
    assert summer is not None
    assert summer.hour == 13


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("daily 25:00 spa", "'25:00' is not a time of day"),
        ("daily 9 spa", "'9' is not a time of day"),
        ("every funday 08:00 spa", "'funday' is not a day"),
        ("daily 09:00 spa tz=Mars/Olympus", "'Mars/Olympus' is not a time zone"),
        ('cron "0 9 * *" spa', "cron needs 5"),
        ('cron "0 99 * * *" spa', "not a valid cron expression"),
        ('cron "0 9 * * 9" spa', "numbers go from 0 (Sunday) to 7"),
        ("daily 09:00", "What should each run make?"),
        ("hourly spa", "'hourly' is not a schedule"),
        ("", "When should it run?"),
    ],
)
def test_errors_are_specific(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_schedule(text, default_tz="UTC")
    assert message in caught.value.message
    assert caught.value.example.startswith("/music schedule")
