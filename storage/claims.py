"""Claims: several engine workers share one PostgreSQL database, each job driven by one of them.

A worker claims a job (`claimed_by`, `claimed_until`) when it reserves it for a server, and keeps
the claim while the job is unfinished by renewing it every few seconds. A claim that has expired
(its worker was killed, or lost the database) is taken over by another worker. Nothing here
waits on another worker: candidate rows are locked with `FOR UPDATE SKIP LOCKED`, so two workers
looking at the same moment get different jobs.

Capacity is shared through the database: before a worker sends a job to a server it *reserves* it
(`reserved_server`) while holding that server's advisory lock, after counting the server's tasks
of every worker (submitted or running there, reserved for it, or held in doubt about it). The
reservation counts until the task id is stored (or the submission ends otherwise), so the workers
together never have more tasks on a server than its capacity.

On SQLite (one engine process at a time, under the engine lease) these functions are not used.
"""

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.records import UNFINISHED_STATUSES, JobRecord, JobStatus
from storage.database import Database
from storage.jobs import _record
from storage.schema import Job

ON_SERVER = (JobStatus.SUBMITTED, JobStatus.RUNNING)
SERVER_LOCK_CLASS = 0x4143  # first key of the per-server advisory locks ("AC")


@dataclass(frozen=True)
class Reservation:
    """A queued job this worker now sends to `server`; `busy` counts the server's other tasks."""

    job: JobRecord
    server: str
    busy: int


def _free(holder: str, now: datetime) -> ColumnElement[bool]:
    """A claim this worker may take: nobody's, its own, or expired."""
    return or_(Job.claimed_by.is_(None), Job.claimed_by == holder, Job.claimed_until < now)


async def renew(db: Database, *, holder: str, until: datetime) -> int:
    """Extend every claim of this worker on an unfinished job; returns how many."""
    query = (
        update(Job)
        .where(Job.claimed_by == holder, Job.status.in_([str(s) for s in UNFINISHED_STATUSES]))
        .values(claimed_until=until)
    )
    async with db.session(row_locks=True) as session:
        result = await session.execute(query)
        return int(result.rowcount)  # type: ignore[attr-defined]


async def take_over(
    db: Database, *, holder: str, now: datetime, until: datetime, limit: int = 100
) -> list[JobRecord]:
    """Claim unfinished jobs whose worker is gone (claim expired) or that nobody drives.

    Queued jobs without a reservation need no driver (any worker may reserve them), so only jobs
    on a server, downloading, held in doubt or caught in the middle of a submission are taken.
    Returns them as they were found: a job whose `reserved_server` is set was being sent when
    its worker stopped (the caller holds it in doubt about that server).
    """
    stale = or_(Job.claimed_by.is_(None), Job.claimed_until < now)
    needs_driver = or_(
        Job.status.in_([str(s) for s in (*ON_SERVER, JobStatus.DOWNLOADING)]),
        and_(
            Job.status == JobStatus.QUEUED,
            or_(Job.reserved_server.is_not(None), Job.doubt_server.is_not(None)),
        ),
    )
    ids_query = (
        select(Job.id)
        .where(needs_driver, stale, or_(Job.claimed_by.is_(None), Job.claimed_by != holder))
        .order_by(Job.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    async with db.session(row_locks=True) as session:
        ids = list((await session.scalars(ids_query)).all())
        if not ids:
            return []
        found = await _jobs(session, ids)
        await session.execute(
            update(Job).where(Job.id.in_(ids)).values(claimed_by=holder, claimed_until=until)
        )
        moved_on = [job.id for job in found if job.status is not JobStatus.QUEUED]
        if moved_on:  # a reservation its worker had no time to end: the job left the queue
            await session.execute(
                update(Job).where(Job.id.in_(moved_on)).values(reserved_server=None)
            )
        return found


async def reserve(
    db: Database,
    *,
    holder: str,
    servers: Sequence[tuple[str, int]],
    now: datetime,
    until: datetime,
) -> Reservation | None:
    """Take the most urgent dispatchable job for the server with the most free room.

    `servers`: (name, capacity) of the servers this worker may send to now, best first (ties
    go to the earlier one). Under every one of those servers' advisory locks, their tasks of all
    workers are counted; None when none has room or no job is waiting.
    """
    if not servers:
        return None
    names = [name for name, _ in servers]
    async with db.session(row_locks=True) as session:
        await _lock_servers(session, names)
        busy = await _busy(session, names)
        rooms = [(capacity - busy.get(name, 0), -index, name) for index, (name, capacity) in
                 enumerate(servers)]  # fmt: skip
        room, _, server = max(rooms)
        if room <= 0:
            return None
        job_id = await session.scalar(
            select(Job.id)
            .where(Job.status == JobStatus.QUEUED, _free(holder, now))
            .where(Job.doubt_server.is_(None), Job.reserved_server.is_(None))
            .where(or_(Job.not_before.is_(None), Job.not_before <= now))
            .order_by(Job.priority, Job.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if job_id is None:
            return None
        await session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(claimed_by=holder, claimed_until=until, reserved_server=server)
        )
        [job] = await _jobs(session, [job_id])
        return Reservation(job, server, busy.get(server, 0))


async def end_reservation(db: Database, job_id: int, *, holder: str) -> None:
    """The submission is over (task stored, or refused, or held): free the reserved room."""
    query = (
        update(Job)
        .where(Job.id == job_id, Job.claimed_by == holder, Job.reserved_server.is_not(None))
        .values(reserved_server=None)
    )
    async with db.session(row_locks=True) as session:
        await session.execute(query)


async def release(db: Database, *, holder: str) -> int:
    """Give up every claim of this worker (on shutdown), so others take its jobs at once."""
    query = (
        update(Job)
        .where(Job.claimed_by == holder, Job.status.in_([str(s) for s in UNFINISHED_STATUSES]))
        .values(claimed_by=None, claimed_until=None)
    )
    async with db.session(row_locks=True) as session:
        result = await session.execute(query)
        return int(result.rowcount)  # type: ignore[attr-defined]


def server_lock_key(name: str) -> int:
    """The second key of a server's advisory lock: a stable 32-bit number from its name."""
    value = zlib.crc32(name.encode())
    return value - (1 << 32) if value >= 1 << 31 else value


async def _lock_servers(session: AsyncSession, names: Sequence[str]) -> None:
    """Every server's advisory lock, in one order for all workers (no deadlock)."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: the transaction holds the whole database already
    for key in sorted({server_lock_key(name) for name in names}):
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:class, :key)"),
            {"class": SERVER_LOCK_CLASS, "key": key},
        )


async def _busy(session: AsyncSession, names: Sequence[str]) -> dict[str, int]:
    """Tasks of every worker per server: on it, being sent to it, or sent with the reply lost.

    One statement, so one snapshot: under READ COMMITTED separate counts could each miss a job
    that moved between them (a submission stored between counting the servers' tasks and
    counting the reservations), and the server would get one task too many.
    """
    queued = Job.status == JobStatus.QUEUED
    holder = case(
        (Job.status.in_([str(s) for s in ON_SERVER]), Job.server),
        (queued & Job.reserved_server.is_not(None), Job.reserved_server),
        (queued, Job.doubt_server),
        else_=None,
    ).label("held_by")
    query = (
        select(holder, func.count())
        .where(Job.status.in_([str(s) for s in (*ON_SERVER, JobStatus.QUEUED)]))
        .where(
            or_(
                Job.status.in_([str(s) for s in ON_SERVER]),
                Job.reserved_server.is_not(None),
                Job.doubt_server.is_not(None),
            )
        )
        .group_by(holder)
    )
    return {
        name: int(count)
        for name, count in (await session.execute(query)).all()
        if name is not None and name in names
    }


async def _jobs(session: AsyncSession, ids: Sequence[int]) -> list[JobRecord]:
    rows = (await session.scalars(select(Job).where(Job.id.in_(list(ids))).order_by(Job.id))).all()
    return [_record(row) for row in rows]
