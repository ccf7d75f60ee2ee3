"""Who may cancel, unschedule, pause, resume and list: owner or admin; operators do everything."""

from datetime import UTC, datetime, timedelta

from bot.services import Services
from commands.cancel import cancel_batch
from commands.context import Caller
from commands.replies import Reply
from commands.router import handle
from domain.records import JobStatus
from domain.request import GenerationRequest
from storage import batches as batches_repo
from storage import jobs as jobs_repo
from storage import schedules as schedules_repo

OWNER = Caller("slack", user_id="U1", channel_id="C1")
OTHER = Caller("slack", user_id="U2", channel_id="C2")
ADMIN = Caller("slack", user_id="U9", channel_id="C2", admin=True)
CLI = Caller("cli", user_id="cli")


async def say(services: Services, text: str, caller: Caller) -> Reply:
    return await handle(text, services, caller)


async def _job(services: Services, caller: Caller) -> int:
    request = GenerationRequest(caption="lounge", duration_s=10, variants=1)
    job = await services.engine.enqueue(
        request, origin=caller.origin, requested_by=caller.user_id, channel_id=caller.channel_id
    )
    return job.id


async def test_only_the_owner_an_admin_or_the_operator_may_cancel_a_job(
    services: Services,
) -> None:
    first, second, third = [await _job(services, OWNER) for _ in range(3)]
    refused = await say(services, f"/music cancel {first}", OTHER)
    assert not refused.ok
    assert "only the person who made it or an admin" in refused.text
    assert (await jobs_repo.get_job(services.db, first)).status is JobStatus.QUEUED  # type: ignore[union-attr]
    assert (await say(services, f"/music cancel {first}", OWNER)).ok
    assert (await say(services, f"/music cancel {second}", ADMIN)).ok
    assert (await say(services, f"/music cancel {third}", CLI)).ok
    statuses = [(await jobs_repo.get_job(services.db, i)).status for i in (first, second, third)]  # type: ignore[union-attr]
    assert statuses == [JobStatus.CANCELLED] * 3


async def test_only_the_owner_or_an_admin_may_cancel_a_batch(services: Services) -> None:
    started = await say(services, "/music batch spa x2 10s wav", OWNER)
    assert started.batch_id is not None
    unfinished = await batches_repo.unfinished_job_ids(services.db, started.batch_id)
    refused = await cancel_batch(services, OTHER, started.batch_id)
    assert not refused.ok
    assert "only the person who made it or an admin" in refused.text
    assert await batches_repo.unfinished_job_ids(services.db, started.batch_id) == unfinished
    by_text = await say(services, f"/music cancel batch {started.batch_id}", OWNER)
    assert by_text.ok, by_text.plain()
    assert f"{len(unfinished)} unfinished job(s) cancelled" in by_text.text
    assert await batches_repo.unfinished_job_ids(services.db, started.batch_id) == []


async def test_only_the_owner_or_an_admin_may_unschedule_pause_or_resume(
    services: Services,
) -> None:
    made = await say(services, "/music schedule daily 09:00 spa x2", OWNER)
    assert made.ok, made.plain()
    for verb in ("pause", "resume", "unschedule"):
        refused = await say(services, f"/music {verb} 1", OTHER)
        assert not refused.ok, verb
        assert "only the person who made it or an admin" in refused.text
        record = await schedules_repo.get_schedule(services.db, 1)
        assert record is not None
        assert record.status == "active"
    assert (await say(services, "/music pause 1", ADMIN)).ok
    assert (await say(services, "/music resume 1", OWNER)).ok
    assert (await say(services, "/music unschedule 1", CLI)).ok


async def test_jobs_and_tracks_list_only_your_own_and_this_channels_for_non_admins(
    services: Services,
) -> None:
    mine = await _job(services, OWNER)
    here = await _job(services, Caller("slack", user_id="U3", channel_id="C2"))
    elsewhere = await _job(services, Caller("slack", user_id="U3", channel_id="C3"))
    listed = await say(services, "/music jobs", OTHER)
    assert [line.split()[0] for line in listed.lines] == [f"#{here}"]
    owner_view = await say(services, "/music jobs", Caller("slack", user_id="U1", channel_id="C3"))
    assert [line.split()[0] for line in owner_view.lines] == [f"#{elsewhere}", f"#{mine}"]
    for caller in (ADMIN, CLI):
        assert len((await say(services, "/music jobs", caller)).lines) == 3


async def test_a_schedule_that_fires_more_often_than_the_minimum_is_refused(
    services: Services,
) -> None:
    for spec in ('cron "* * * * *"', 'cron "*/30 * * * *"', 'cron "0,59 9 * * *"'):
        refused = await say(services, f"/music schedule {spec} spa x2", OWNER)
        assert not refused.ok, spec
        assert "at most once every 60 minutes" in refused.text
        assert "Example:" in refused.plain() or "/music schedule daily" in refused.plain()
    assert (await say(services, '/music schedule cron "0 */2 * * *" spa x2', OWNER)).ok
    services.settings.schedule_min_interval_minutes = 5
    assert (await say(services, '/music schedule cron "*/5 * * * *" spa x2', OWNER)).ok
    assert await schedules_repo.list_schedules(services.db) != []


async def test_scheduled_runs_count_against_the_creators_daily_quota(services: Services) -> None:
    from commands.schedule import fire_schedule

    services.settings.daily_track_quota = 2
    assert (await say(services, "/music schedule daily 09:00 spa x2 10s wav", OWNER)).ok
    record = await schedules_repo.get_schedule(services.db, 1)
    assert record is not None
    fire = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    first = await fire_schedule(services, record, fire)
    assert first.batch_id is not None
    second = await fire_schedule(services, record, fire + timedelta(days=0, hours=1))
    assert second.batch_id is None
    assert second.problem is not None
    assert "2 of your 2" not in second.problem  # the creator has none left
    assert "0 of your 2" in second.problem
    assert len(await batches_repo.list_batches(services.db)) == 1


async def test_a_separate_schedule_quota_applies_when_set(services: Services) -> None:
    from commands.schedule import fire_schedule

    services.settings.daily_track_quota = 100
    services.settings.schedule_daily_track_quota = 3
    assert (await say(services, "/music schedule daily 09:00 spa x2 10s wav", ADMIN)).ok
    record = await schedules_repo.get_schedule(services.db, 1)
    assert record is not None
    fire = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert (await fire_schedule(services, record, fire)).batch_id is not None
    over = await fire_schedule(services, record, fire)
    assert over.batch_id is None
    assert over.problem is not None
    assert "SCHEDULE_DAILY_TRACK_QUOTA" in over.problem


async def test_a_schedule_runs_only_while_its_creator_and_channel_are_allowed(
    services: Services,
) -> None:
    from commands.schedule import fire_schedule

    assert (await say(services, "/music schedule daily 09:00 spa x2 10s wav", OWNER)).ok
    record = await schedules_repo.get_schedule(services.db, 1)
    assert record is not None
    fire = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    for setting, value, named in (
        ("slack_allowed_users", ["U2"], "SLACK_ALLOWED_USERS"),
        ("slack_schedule_users", ["U2"], "SLACK_SCHEDULE_USERS"),
        ("slack_allowed_channels", ["C2"], "SLACK_ALLOWED_CHANNELS"),
    ):
        setattr(services.settings, setting, value)
        outcome = await fire_schedule(services, record, fire)
        assert outcome.batch_id is None, setting
        assert outcome.problem is not None
        assert named in outcome.problem
        setattr(services.settings, setting, [])
    services.settings.slack_admin_users = ["U1"]
    services.settings.slack_allowed_users = ["U2"]
    assert (await fire_schedule(services, record, fire)).batch_id is not None  # admins may
    assert await batches_repo.list_batches(services.db) != []


async def test_tracks_list_only_your_own_and_this_channels_for_non_admins(
    services: Services,
) -> None:
    from storage import tracks as tracks_repo
    from tests.storage.test_tracks_and_leases import track_fields

    here = await _job(services, Caller("slack", user_id="U3", channel_id="C2"))
    elsewhere = await _job(services, Caller("slack", user_id="U3", channel_id="C3"))
    for job_id in (here, elsewhere):
        await tracks_repo.add_track(services.db, job_id=job_id, variant=1, **track_fields())
    listed = await say(services, "/music tracks", OTHER)
    assert [f"(job {here} v1)" in line for line in listed.lines] == [True]
    assert len((await say(services, "/music tracks", ADMIN)).lines) == 2
