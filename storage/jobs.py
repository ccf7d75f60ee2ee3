"""Job repository: the durable queue. Every function opens (and commits) its own transaction."""

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Unpack

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.records import UNFINISHED_STATUSES, JobChanges, JobRecord, JobStatus
from storage._convert import to_record
from storage._provenance import task_document
from storage.database import Database
from storage.evaluations import blinded_batch_ids
from storage.schema import Job, TaskResult, utcnow


async def create_job(
    db: Database,
    *,
    request: dict[str, Any],
    origin: str,
    priority: int = 0,
    requested_by: str | None = None,
    channel_id: str | None = None,
    thread_ts: str | None = None,
    parent_track_id: int | None = None,
    batch_id: int | None = None,
    notes: Sequence[str] = (),
) -> JobRecord:
    """Store a new job in QUEUED; nothing is sent anywhere before this row exists."""
    async with db.session() as session:
        job = Job(
            status=JobStatus.QUEUED,
            request=request,
            origin=origin,
            priority=priority,
            requested_by=requested_by,
            channel_id=channel_id,
            thread_ts=thread_ts,
            parent_track_id=parent_track_id,
            batch_id=batch_id,
            notes=list(notes),
        )
        session.add(job)
        await session.flush()
        return _record(job)


async def get_job(db: Database, job_id: int) -> JobRecord | None:
    """One job, or None when there is no such id."""
    async with db.session(row_locks=True) as session:  # a read: runs beside other workers
        job = await session.get(Job, job_id)
        return None if job is None else _record(job)


async def list_jobs(
    db: Database,
    *,
    statuses: Collection[JobStatus] | None = None,
    requested_by: str | None = None,
    batch_id: int | None = None,
    ids: Collection[int] | None = None,
    visible_to: tuple[str, str | None] | None = None,
    hide_blinded: bool = False,
    claimed_by: str | None = None,
    limit: int | None = 50,
    oldest_first: bool = False,
) -> list[JobRecord]:
    """Jobs matching every filter given, newest first unless asked otherwise.

    `claimed_by`: only the jobs that engine worker drives (several workers, `storage.claims`).
    `visible_to` (user id, channel id): only jobs that person asked for or that were made in that
    channel. `hide_blinded`: leave out the candidates of listening sessions not yet closed.
    """
    query = select(Job)
    if visible_to is not None:
        query = query.where(seen_by(*visible_to))
    if hide_blinded:
        query = query.where(not_blinded())
    if statuses is not None:
        query = query.where(Job.status.in_([str(s) for s in statuses]))
    if requested_by is not None:
        query = query.where(Job.requested_by == requested_by)
    if batch_id is not None:
        query = query.where(Job.batch_id == batch_id)
    if ids is not None:
        query = query.where(Job.id.in_(list(ids)))
    if claimed_by is not None:
        query = query.where(Job.claimed_by == claimed_by)
    query = query.order_by(Job.id if oldest_first else Job.id.desc()).limit(limit)
    async with db.session(row_locks=True) as session:  # a read: runs beside other workers
        return [_record(job) for job in (await session.scalars(query)).all()]


async def next_queued(db: Database, *, limit: int, now: datetime) -> list[JobRecord]:
    """Queued jobs that may be dispatched now: most urgent priority first, then oldest first.

    Jobs whose last submission is in doubt wait until it is resolved (`list_in_doubt`).
    """
    query = (
        select(Job)
        .where(Job.status == JobStatus.QUEUED, Job.doubt_server.is_(None))
        .where(or_(Job.not_before.is_(None), Job.not_before <= now))
        .order_by(Job.priority, Job.id)
        .limit(limit)
    )
    async with db.session(row_locks=True) as session:
        return [_record(job) for job in (await session.scalars(query)).all()]


async def list_in_doubt(db: Database, *, claimed_by: str | None = None) -> list[JobRecord]:
    """Queued jobs whose last submission timed out: held until its server is asked about it
    (`claimed_by`: only those that engine worker drives)."""
    query = (
        select(Job)
        .where(Job.status == JobStatus.QUEUED, Job.doubt_server.is_not(None))
        .order_by(Job.id)
    )
    if claimed_by is not None:
        query = query.where(Job.claimed_by == claimed_by)
    async with db.session(row_locks=True) as session:
        return [_record(job) for job in (await session.scalars(query)).all()]


async def next_retry_at(db: Database, *, now: datetime) -> datetime | None:
    """When the earliest queued job that is waiting out a back-off may be sent again."""
    query = select(func.min(Job.not_before)).where(
        Job.status == JobStatus.QUEUED, Job.not_before > now
    )
    async with db.session(row_locks=True) as session:
        return (await session.execute(query)).scalar_one_or_none()


async def update_job(
    db: Database,
    job_id: int,
    *,
    expect: Collection[JobStatus] | None = None,
    holder: str | None = None,
    **changes: Unpack[JobChanges],
) -> JobRecord | None:
    """Apply `changes` if the job is in one of the `expect`ed states; None when it was not.

    This compare-and-set is what keeps two code paths from moving one job twice (a cancel racing a
    download, say): the loser sees None and leaves the job alone. A `result` is kept once per
    task in `task_results` (with the request sent), where the task's tracks read it too.

    `holder` (several workers, `storage.claims`): the worker making the change. It is refused
    (None) when another worker has claimed the job since: a worker that stalled past its claim
    and was taken over cannot overwrite what the new one did.
    """
    async with db.session(row_locks=True) as session:
        # the row is locked before it is read: the check and the write are one step for every
        # worker (PostgreSQL runs these transactions side by side; see storage.database)
        locked = await session.scalar(select(Job.id).where(Job.id == job_id).with_for_update())
        job = None if locked is None else await session.get(Job, job_id, populate_existing=True)
        if job is None or (expect is not None and job.status not in expect):
            return None
        if holder is not None and job.claimed_by not in (None, holder):
            return None
        for name, value in changes.items():
            if name == "result":
                continue
            if not hasattr(Job, name):
                raise AttributeError(f"jobs has no column {name!r}")
            setattr(job, name, value)
        if "result" in changes:
            await _keep_result(session, job, changes["result"])
        job.updated_at = utcnow()
        await session.flush()
        return _record(job)


async def _keep_result(session: AsyncSession, job: Job, result: list[Any] | None) -> None:
    """Point the job at its current task's stored result (made or replaced), or at none."""
    if result is None:
        job.source = None
        return
    task_id = job.task_id or ""
    source = await session.scalar(
        select(TaskResult).where(TaskResult.job_id == job.id, TaskResult.task_id == task_id)
    )
    if source is None:
        source = TaskResult(job_id=job.id, task_id=task_id, document=task_document(None, None))
        session.add(source)
    source.document = task_document(job.payload_sent, list(result), source.document["extra"])
    job.source = source


async def count_by_status(db: Database, *, batch_id: int | None = None) -> dict[JobStatus, int]:
    """How many jobs are in each state (states with none are absent)."""
    query = select(Job.status, func.count()).group_by(Job.status)
    if batch_id is not None:
        query = query.where(Job.batch_id == batch_id)
    async with db.session() as session:
        rows = (await session.execute(query)).all()
    return {JobStatus(status): count for status, count in rows}


async def count_on_server(db: Database, *, claimed_by: str | None = None) -> dict[str, int]:
    """Tasks in flight (submitted or running) per server name (`claimed_by`: of one worker)."""
    query = (
        select(Job.server, func.count())
        .where(Job.status.in_([JobStatus.SUBMITTED, JobStatus.RUNNING]))
        .group_by(Job.server)
    )
    if claimed_by is not None:
        query = query.where(Job.claimed_by == claimed_by)
    async with db.session(row_locks=True) as session:
        rows = (await session.execute(query)).all()
    return {server: count for server, count in rows if server is not None}


async def count_unfinished(db: Database) -> int:
    """Jobs that are not done, failed or cancelled."""
    counts = await count_by_status(db)
    return sum(n for status, n in counts.items() if status in UNFINISHED_STATUSES)


async def tracks_requested(
    db: Database,
    *,
    requested_by: str,
    since: datetime,
    origin: str | None = None,
    exclude_origin: str | None = None,
) -> int:
    """Tracks a person asked for since a moment (failed and cancelled jobs made none), from one
    origin only, or from every origin but one, when given."""
    query = (
        select(Job.request)
        .where(Job.requested_by == requested_by, Job.created_at >= since)
        .where(Job.status.not_in([JobStatus.FAILED, JobStatus.CANCELLED]))
    )
    if origin is not None:
        query = query.where(Job.origin == origin)
    if exclude_origin is not None:
        query = query.where(Job.origin != exclude_origin)
    async with db.session() as session:
        requests = (await session.scalars(query)).all()
    return sum(int(request.get("variants", 1)) for request in requests)


async def queued_ahead(db: Database, job: JobRecord) -> int:
    """Queued jobs that will be dispatched before `job` (same ordering as `next_queued`)."""
    query = (
        select(func.count())
        .select_from(Job)
        .where(Job.status == JobStatus.QUEUED)
        .where(
            or_(
                Job.priority < job.priority,
                (Job.priority == job.priority) & (Job.id < job.id),
            )
        )
    )
    async with db.session() as session:
        return int((await session.execute(query)).scalar_one())


def _record(job: Job) -> JobRecord:
    return to_record(job, JobRecord, status=JobStatus(job.status))


def not_blinded() -> ColumnElement[bool]:
    """Jobs that are not making candidates for a listening session still open: what raters may
    be shown (a listing naming a candidate's preset or caption would unblind the test)."""
    return or_(Job.batch_id.is_(None), Job.batch_id.not_in(blinded_batch_ids()))


def seen_by(user_id: str, channel_id: str | None) -> ColumnElement[bool]:
    """Jobs a person asked for, or made in a channel."""
    mine = Job.requested_by == user_id
    return or_(mine, Job.channel_id == channel_id) if channel_id else mine
