"""Schedule repository. A run is claimed with a compare-and-set on `next_run_at`, so one fire
time starts at most one batch — even with two processes, or after a restart."""

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select, update

from domain.records import ScheduleRecord, ScheduleStatus
from storage._convert import to_record
from storage._rows import get_row
from storage.database import Database
from storage.schema import Schedule

ACTIVE = ScheduleStatus.ACTIVE
PAUSED = ScheduleStatus.PAUSED
DELETED = ScheduleStatus.DELETED


async def create_schedule(
    db: Database,
    *,
    channel_id: str,
    created_by: str,
    expression: str,
    timezone: str,
    batch_text: str,
    description: str,
    next_run_at: datetime,
    max_tracks_per_run: int,
) -> ScheduleRecord:
    """Store an active schedule."""
    async with db.session() as session:
        row = Schedule(
            channel_id=channel_id,
            created_by=created_by,
            expression=expression,
            timezone=timezone,
            batch_text=batch_text,
            description=description,
            status=ACTIVE,
            next_run_at=next_run_at,
            max_tracks_per_run=max_tracks_per_run,
        )
        session.add(row)
        await session.flush()
        return _record(row)


async def get_schedule(db: Database, schedule_id: int) -> ScheduleRecord | None:
    """One schedule, or None."""
    return await get_row(db, Schedule, schedule_id, ScheduleRecord)


async def list_schedules(
    db: Database,
    *,
    channel_id: str | None = None,
    statuses: Collection[ScheduleStatus] = (ACTIVE, PAUSED),
) -> list[ScheduleRecord]:
    """Schedules in the given states (of one channel, when given), oldest first."""
    query = select(Schedule).where(Schedule.status.in_(list(statuses))).order_by(Schedule.id)
    if channel_id is not None:
        query = query.where(Schedule.channel_id == channel_id)
    async with db.session() as session:
        return [_record(row) for row in (await session.scalars(query)).all()]


async def set_status(
    db: Database, schedule_id: int, status: ScheduleStatus, *, next_run_at: datetime | None
) -> ScheduleRecord | None:
    """Pause, resume (with its next run) or delete a schedule. A deleted schedule stays deleted:
    None when it does not exist or was deleted (checked in the same transaction as the write,
    so a pause racing an unschedule cannot bring it back)."""
    async with db.session() as session:
        row = await session.get(Schedule, schedule_id)
        if row is None or row.status is ScheduleStatus.DELETED:
            return None
        row.status = status
        row.next_run_at = next_run_at
        await session.flush()
        return _record(row)


async def due_schedules(db: Database, *, now: datetime) -> list[ScheduleRecord]:
    """Active schedules whose next run is due."""
    query = (
        select(Schedule)
        .where(Schedule.status == ACTIVE, Schedule.next_run_at <= now)
        .order_by(Schedule.next_run_at, Schedule.id)
    )
    async with db.session() as session:
        return [_record(row) for row in (await session.scalars(query)).all()]


async def next_due_at(db: Database) -> datetime | None:
    """The earliest next run of any active schedule."""
    query = select(Schedule.next_run_at).where(Schedule.status == ACTIVE)
    query = query.order_by(Schedule.next_run_at).limit(1)
    async with db.session() as session:
        return (await session.execute(query)).scalar_one_or_none()


async def claim_run(
    db: Database, schedule_id: int, *, fire_time: datetime, next_run_at: datetime | None
) -> bool:
    """Take the run due at `fire_time` (True), unless another process or an earlier pass did."""
    query = (
        update(Schedule)
        .where(Schedule.id == schedule_id, Schedule.status == ACTIVE)
        .where(Schedule.next_run_at == fire_time)
        .values(next_run_at=next_run_at, last_run_at=fire_time, runs=Schedule.runs + 1)
    )
    async with db.session() as session:
        result = await session.execute(query)
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def skip_run(
    db: Database, schedule_id: int, *, fire_time: datetime, next_run_at: datetime | None
) -> bool:
    """Move past a run that was missed by too much, without running it (compare-and-set)."""
    query = (
        update(Schedule)
        .where(Schedule.id == schedule_id, Schedule.next_run_at == fire_time)
        .values(next_run_at=next_run_at)
    )
    async with db.session() as session:
        result = await session.execute(query)
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def record_outcome(
    db: Database, schedule_id: int, *, batch_id: int | None, problem: str | None
) -> None:
    """What the last run did: the batch it started, or why it could not start one."""
    async with db.session() as session:
        row = await session.get(Schedule, schedule_id)
        if row is not None:
            row.last_batch_id = batch_id if batch_id is not None else row.last_batch_id
            row.last_problem = problem
            await session.flush()


def _record(row: Schedule) -> ScheduleRecord:
    return to_record(row, ScheduleRecord)
