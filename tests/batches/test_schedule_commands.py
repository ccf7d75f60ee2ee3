"""Schedule verbs through the command path, and one run of a schedule starting its batch."""

from datetime import UTC, datetime

from bot.services import Services
from commands.context import Caller
from commands.replies import Reply
from commands.router import handle
from commands.schedule import fire_schedule
from storage import batches as batches_repo
from storage import schedules as schedules_repo

SLACK = Caller("slack", user_id="U1", channel_id="C1")


async def say(services: Services, text: str, caller: Caller = SLACK) -> Reply:
    return await handle(text, services, caller)


async def test_schedule_is_saved_listed_paused_resumed_and_deleted(services: Services) -> None:
    made = await say(services, "/music schedule daily 09:00 spa x4 tz=Asia/Bangkok")
    assert made.ok, made.plain()
    assert made.title == "Schedule #1 saved: every day at 09:00 (Asia/Bangkok)."
    assert "4 tracks" in made.text
    [record] = await schedules_repo.list_schedules(services.db)
    assert (record.expression, record.timezone, record.batch_text) == (
        "0 9 * * *",
        "Asia/Bangkok",
        "spa x4",
    )
    assert record.next_run_at is not None
    assert record.next_run_at.minute == 0
    assert record.next_run_at.hour == 2  # 09:00 in Bangkok is 02:00 UTC

    listed = await say(services, "/music schedules")
    assert len(listed.lines) == 1
    assert "#1 every day at 09:00" in listed.lines[0]
    assert "Schedule #1 paused" in (await say(services, "/music pause 1")).text
    paused = await schedules_repo.get_schedule(services.db, 1)
    assert paused is not None
    assert (paused.status, paused.next_run_at) == ("paused", None)
    assert "resumed" in (await say(services, "/music resume 1")).text
    resumed = await schedules_repo.get_schedule(services.db, 1)
    assert resumed is not None
    assert resumed.next_run_at is not None
    assert "deleted" in (await say(services, "/music unschedule 1")).text
    assert (await say(services, "/music schedules")).lines == ()
    gone = await say(services, "/music pause 1")
    assert not gone.ok
    assert "no schedule #1" in gone.text


async def test_schedules_that_could_never_run_are_refused(services: Services) -> None:
    too_big = await say(services, "/music schedule daily 09:00 spa x500")
    assert not too_big.ok
    assert "at most 200 tracks" in too_big.text
    unknown = await say(services, "/music schedule daily 09:00 moonbase x5")
    assert not unknown.ok
    assert "moonbase" in unknown.text
    no_channel = await say(services, "/music schedule daily 09:00 spa x2", Caller("cli"))
    assert not no_channel.ok
    assert "channel" in no_channel.text
    assert await schedules_repo.list_schedules(services.db) == []


async def test_only_allowed_people_may_schedule(services: Services) -> None:
    services.settings.slack_schedule_users = ["U9"]
    refused = await say(services, "/music schedule daily 09:00 spa x2")
    assert not refused.ok
    assert "SLACK_SCHEDULE_USERS" in refused.text
    allowed = await say(services, "/music schedule daily 09:00 spa x2", Caller("slack", "U9", "C1"))
    assert allowed.ok


async def test_a_run_starts_a_batch_in_the_schedules_channel(services: Services) -> None:
    await say(services, "/music schedule weekdays 07:30 cafe x3 10s wav")
    record = await schedules_repo.get_schedule(services.db, 1)
    assert record is not None
    outcome = await fire_schedule(services, record, datetime(2026, 11, 24, 7, 30, tzinfo=UTC))
    assert outcome.problem is None
    assert outcome.batch_id == 1
    batch = await batches_repo.get_batch(services.db, 1)
    assert batch is not None
    assert (batch.origin, batch.channel_id, batch.requested_count) == ("schedule", "C1", 3)
    assert batch.details["schedule_id"] == 1
    assert batch.name == "cafe (schedule #1)"
