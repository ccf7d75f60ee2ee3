"""The scheduler with a clock the test moves (no sleeping): each run fires once, restarts do not
repeat it, a run missed within the grace window is made once, older ones are skipped."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.engine.schedules.runner import RunOutcome, ScheduleRunner
from domain.records import ScheduleRecord
from domain.schedules import next_fire
from storage import schedules as schedules_repo
from storage.database import Database
from tests.postgres import BACKENDS

NINE = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
GRACE = timedelta(minutes=60)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Recorder:
    """A `fire` callback that records its calls and says which batch it "started"."""

    def __init__(self) -> None:
        self.runs: list[tuple[int, datetime]] = []

    async def __call__(self, schedule: ScheduleRecord, fire_time: datetime) -> RunOutcome:
        self.runs.append((schedule.id, fire_time))
        return RunOutcome(batch_id=100 + len(self.runs))


async def daily_at_nine(db: Database) -> ScheduleRecord:
    return await schedules_repo.create_schedule(
        db,
        channel_id="C1",
        created_by="U1",
        expression="0 9 * * *",
        timezone="UTC",
        batch_text="spa x2",
        description="every day at 09:00 (UTC)",
        next_run_at=NINE,
        max_tracks_per_run=200,
    )


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The scheduler's tests run on SQLite and on a real PostgreSQL server."""
    return str(request.param)


def runner(db: Database, clock: Clock, fire: Recorder) -> ScheduleRunner:
    return ScheduleRunner(db, fire, clock=clock, grace=GRACE)


async def test_fires_at_its_time_exactly_once(db: Database) -> None:
    schedule, clock, fire = await daily_at_nine(db), Clock(NINE - timedelta(minutes=1)), Recorder()
    loop = runner(db, clock, fire)
    assert await loop.run_due() == []
    clock.now = NINE
    assert await loop.run_due() == [(schedule.id, NINE)]
    assert await loop.run_due() == []  # the same minute again: nothing
    stored = await schedules_repo.get_schedule(db, schedule.id)
    assert stored is not None
    assert (stored.runs, stored.last_run_at, stored.last_batch_id) == (1, NINE, 101)
    assert stored.next_run_at == NINE + timedelta(days=1)
    clock.now = NINE + timedelta(days=1, seconds=5)
    assert await loop.run_due() == [(schedule.id, NINE + timedelta(days=1))]
    assert fire.runs == [(schedule.id, NINE), (schedule.id, NINE + timedelta(days=1))]


async def test_a_restarted_process_does_not_fire_the_same_run_again(db: Database) -> None:
    schedule, clock, fire = await daily_at_nine(db), Clock(NINE), Recorder()
    assert await runner(db, clock, fire).run_due() == [(schedule.id, NINE)]
    clock.now = NINE + timedelta(minutes=3)
    restarted = runner(db, clock, Recorder())  # a new process on the same database
    assert await restarted.run_due() == []


async def test_two_processes_racing_start_one_run(db: Database) -> None:
    schedule = await daily_at_nine(db)  # both processes saw it due at 09:00
    assert await schedules_repo.claim_run(db, schedule.id, fire_time=NINE, next_run_at=None)
    assert not await schedules_repo.claim_run(db, schedule.id, fire_time=NINE, next_run_at=None)
    stored = await schedules_repo.get_schedule(db, schedule.id)
    assert stored is not None
    assert stored.runs == 1


async def test_many_runners_at_the_same_moment_start_one_run(db: Database) -> None:
    """Several processes' scheduler loops at once (side by side on PostgreSQL): one batch."""
    schedule = await daily_at_nine(db)
    clock = Clock(NINE + timedelta(seconds=5))
    fires = [Recorder() for _ in range(5)]
    started = await asyncio.gather(*(runner(db, clock, fire).run_due() for fire in fires))
    assert sorted(run for runs in started for run in runs) == [(schedule.id, NINE)]
    assert sum(len(fire.runs) for fire in fires) == 1


async def test_a_run_missed_within_grace_runs_once_at_start_up(db: Database) -> None:
    schedule, fire = await daily_at_nine(db), Recorder()
    clock = Clock(NINE + timedelta(minutes=40))  # the bot was down at 09:00, back at 09:40
    assert await runner(db, clock, fire).run_due() == [(schedule.id, NINE)]
    stored = await schedules_repo.get_schedule(db, schedule.id)
    assert stored is not None
    assert stored.next_run_at == NINE + timedelta(days=1)


async def test_a_run_missed_beyond_grace_is_skipped(db: Database) -> None:
    schedule, fire = await daily_at_nine(db), Recorder()
    clock = Clock(NINE + timedelta(hours=3))
    assert await runner(db, clock, fire).run_due() == []
    assert fire.runs == []
    stored = await schedules_repo.get_schedule(db, schedule.id)
    assert stored is not None
    assert (stored.runs, stored.next_run_at) == (0, NINE + timedelta(days=1))


async def test_many_missed_runs_make_at_most_one(db: Database) -> None:
    schedule, fire = await daily_at_nine(db), Recorder()
    # Down for three days; back 10 minutes after the third 09:00.
    clock = Clock(NINE + timedelta(days=3, minutes=10))
    loop = runner(db, clock, fire)
    # The oldest due run (day 0) is too late: skipped, straight to the next fire after now.
    assert await loop.run_due() == []
    stored = await schedules_repo.get_schedule(db, schedule.id)
    assert stored is not None
    assert stored.next_run_at == NINE + timedelta(days=4)
    assert fire.runs == []


async def test_paused_does_not_fire_and_resume_does_not_burst(db: Database) -> None:
    schedule, clock, fire = await daily_at_nine(db), Clock(NINE), Recorder()
    await schedules_repo.set_status(db, schedule.id, schedules_repo.PAUSED, next_run_at=None)
    loop = runner(db, clock, fire)
    clock.now = NINE + timedelta(days=2)
    assert await loop.run_due() == []
    resumed_at = NINE + timedelta(days=2, hours=1)
    following = next_fire("0 9 * * *", "UTC", resumed_at)
    await schedules_repo.set_status(db, schedule.id, schedules_repo.ACTIVE, next_run_at=following)
    clock.now = resumed_at
    assert await loop.run_due() == []  # no make-up runs for the paused days
    clock.now = NINE + timedelta(days=3)
    assert await loop.run_due() == [(schedule.id, NINE + timedelta(days=3))]


async def test_a_failing_run_is_recorded_and_the_schedule_goes_on(db: Database) -> None:
    schedule, clock = await daily_at_nine(db), Clock(NINE)

    async def broken(_schedule: ScheduleRecord, _when: datetime) -> RunOutcome:
        raise RuntimeError("database on fire")

    assert await ScheduleRunner(db, broken, clock=clock, grace=GRACE).run_due() == [
        (schedule.id, NINE)
    ]
    stored = await schedules_repo.get_schedule(db, schedule.id)
    assert stored is not None
    assert stored.last_problem is not None
    assert "database on fire" in stored.last_problem
    assert stored.next_run_at == NINE + timedelta(days=1)


async def test_a_stored_schedule_never_runs_closer_than_the_minimum_interval(db: Database) -> None:
    every_minute = await schedules_repo.create_schedule(
        db,
        channel_id="C1",
        created_by="U1",
        expression="* * * * *",  # stored before the minimum interval was enforced
        timezone="UTC",
        batch_text="spa x200",
        description="cron '* * * * *' (UTC)",
        next_run_at=NINE,
        max_tracks_per_run=200,
    )
    clock, fire = Clock(NINE), Recorder()
    loop = ScheduleRunner(db, fire, clock=clock, grace=GRACE, min_interval=timedelta(minutes=60))
    for minute in range(0, 61):
        clock.now = NINE + timedelta(minutes=minute)
        await loop.run_due()
    assert fire.runs == [(every_minute.id, NINE), (every_minute.id, NINE + timedelta(hours=1))]
    clock.now = NINE + timedelta(minutes=61)
    await loop.run_due()
    stored = await schedules_repo.get_schedule(db, every_minute.id)
    assert stored is not None
    assert stored.runs == 2
    assert stored.last_problem is not None
    assert "SCHEDULE_MIN_INTERVAL_MINUTES" in stored.last_problem


async def test_a_deleted_schedule_cannot_be_paused_or_resumed_back(db: Database) -> None:
    """A pause that read the schedule before an unschedule committed must not resurrect it."""
    schedule = await daily_at_nine(db)
    deleted = await schedules_repo.set_status(
        db, schedule.id, schedules_repo.DELETED, next_run_at=None
    )
    assert deleted is not None
    for status in (schedules_repo.PAUSED, schedules_repo.ACTIVE):
        assert await schedules_repo.set_status(db, schedule.id, status, next_run_at=NINE) is None
    stored = await schedules_repo.get_schedule(db, schedule.id)
    assert stored is not None
    assert stored.status is schedules_repo.DELETED
