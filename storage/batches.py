"""Batch repository: a batch and all its jobs are stored in one transaction.

A batch is either wholly in the database or not at all, so a crash while a 2,000-track batch is
being created never leaves half of it behind; once stored, its jobs are ordinary queue rows (at
batch priority) and resume like any other job.
"""

from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import dataclass
from typing import Any, Final, Unpack

from sqlalchemy import case, func, insert, select, tuple_

from domain.records import (
    UNFINISHED_STATUSES,
    BatchDetailChanges,
    BatchRecord,
    BatchStatus,
    JobRecord,
    JobStatus,
    TrackRecord,
)
from domain.samples import SampleRule
from storage import samples
from storage._convert import to_record
from storage._rows import get_row
from storage.database import Database
from storage.ratings import counted
from storage.schema import Batch, Job, Track, utcnow

RUNNING = BatchStatus.RUNNING
DONE = BatchStatus.DONE
CANCELLED = BatchStatus.CANCELLED


@dataclass(frozen=True, slots=True)
class NewJob:
    """One job of a new batch: its request (JSON form) and the notes it starts with."""

    request: dict[str, Any]
    notes: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class BatchTally:
    """Where a batch's jobs and tracks are: the figures its digest and summary show."""

    jobs_by_status: dict[JobStatus, int]
    tracks_requested: int
    tracks_made: int
    tracks_flagged: int  # kept with an audio-check warning
    failures: dict[str, int]  # reason -> jobs failed for it

    @property
    def jobs(self) -> int:
        """Jobs in the batch."""
        return sum(self.jobs_by_status.values())

    @property
    def unfinished(self) -> int:
        """Jobs not yet done, failed or cancelled."""
        return sum(n for s, n in self.jobs_by_status.items() if s in UNFINISHED_STATUSES)

    @property
    def failed_jobs(self) -> int:
        """Jobs that gave up."""
        return self.jobs_by_status.get(JobStatus.FAILED, 0)

    @property
    def finished_jobs(self) -> int:
        """Jobs that will not change any more."""
        return self.jobs - self.unfinished


JOB_INSERT_CHUNK: Final = 500  # jobs stored per INSERT by `create_batch`


async def create_batch(
    db: Database,
    *,
    name: str,
    origin: str,
    jobs: Sequence[NewJob],
    priority: int,
    preset_id: str | None = None,
    seed: int | None = None,
    requested_by: str | None = None,
    channel_id: str | None = None,
    details: dict[str, Any] | None = None,
    evaluation_id: int | None = None,
    sample: SampleRule | None = None,
) -> tuple[BatchRecord, list[int]]:
    """Store a batch and every one of its jobs (QUEUED) at once; returns the batch and job ids.
    `sample`: the batch posts a listening sample (`storage.samples`) rather than every track."""
    tracks = sum(int(job.request.get("variants", 1)) for job in jobs)
    async with db.session() as session:
        batch = Batch(
            name=name,
            status=RUNNING,
            requested_count=tracks,
            origin=origin,
            preset_id=preset_id,
            seed=seed,
            requested_by=requested_by,
            channel_id=channel_id,
            details=details or {},
            evaluation_id=evaluation_id,
        )
        session.add(batch)
        await session.flush()
        if sample is not None:
            samples.add_rule(session, batch.id, sample)
        # Plain multi-row INSERTs a chunk at a time: 10,000 ORM objects at once held some 55 MB
        # (which the allocator then kept) for a 20,000-track batch.
        insert_jobs = insert(Job).returning(Job.id, sort_by_parameter_order=True)
        job_ids: list[int] = []
        for start in range(0, len(jobs), JOB_INSERT_CHUNK):
            rows = [
                {
                    "status": JobStatus.QUEUED,
                    "request": job.request,
                    "origin": origin,
                    "priority": priority,
                    "requested_by": requested_by,
                    "channel_id": channel_id,
                    "batch_id": batch.id,
                    "notes": list(job.notes),
                }
                for job in jobs[start : start + JOB_INSERT_CHUNK]
            ]
            job_ids += (await session.scalars(insert_jobs, rows)).all()
        return _record(batch), job_ids


async def get_batch(db: Database, batch_id: int) -> BatchRecord | None:
    """One batch, or None."""
    return await get_row(db, Batch, batch_id, BatchRecord)


async def list_batches(
    db: Database, *, statuses: Collection[BatchStatus] | None = None, limit: int | None = 20
) -> list[BatchRecord]:
    """Batches, newest first."""
    query = select(Batch).order_by(Batch.id.desc()).limit(limit)
    if statuses is not None:
        query = query.where(Batch.status.in_(list(statuses)))
    async with db.session() as session:
        return [_record(batch) for batch in (await session.scalars(query)).all()]


async def finish_batch(
    db: Database, batch_id: int, *, status: BatchStatus, details: dict[str, Any]
) -> BatchRecord | None:
    """Mark a running batch finished (compare-and-set: None when another process did it first)."""
    async with db.session() as session:
        batch = await session.get(Batch, batch_id)
        if batch is None or batch.status != RUNNING:
            return None
        batch.status = status
        batch.finished_at = utcnow()
        batch.details = {**batch.details, **details}
        await session.flush()
        return _record(batch)


async def update_details(
    db: Database, batch_id: int, **details: Unpack[BatchDetailChanges]
) -> BatchRecord | None:
    """Merge keys into a batch's details."""
    async with db.session() as session:
        batch = await session.get(Batch, batch_id)
        if batch is None:
            return None
        batch.details = {**batch.details, **details}
        await session.flush()
        return _record(batch)


async def settled_batches(db: Database) -> list[BatchRecord]:
    """Running batches none of whose jobs is unfinished any more."""
    unfinished = (
        select(Job.id)
        .where(Job.batch_id == Batch.id)
        .where(Job.status.in_([str(s) for s in UNFINISHED_STATUSES]))
        .exists()
    )
    query = select(Batch).where(Batch.status == RUNNING, ~unfinished).order_by(Batch.id)
    async with db.session() as session:
        return [_record(batch) for batch in (await session.scalars(query)).all()]


async def tally(db: Database, batch_id: int) -> BatchTally:
    """Counts of a batch's jobs by state, its tracks, and its failure reasons."""
    by_status = (
        select(Job.status, func.count()).where(Job.batch_id == batch_id).group_by(Job.status)
    )
    failures = (
        select(Job.error, func.count())
        .where(Job.batch_id == batch_id, Job.status == JobStatus.FAILED)
        .group_by(Job.error)
    )
    tracks = (
        select(func.count(), func.sum(case((Track.qc_verdict != "pass", 1), else_=0)))
        .select_from(Track)
        .join(Job, Job.id == Track.job_id)
        .where(Job.batch_id == batch_id, Track.rejected.is_(False))
    )
    async with db.session() as session:
        statuses = {JobStatus(s): n for s, n in (await session.execute(by_status)).all()}
        reasons = {str(e or "unknown"): n for e, n in (await session.execute(failures)).all()}
        made, flagged = (await session.execute(tracks)).one()
        requested = (await session.get(Batch, batch_id)).requested_count  # type: ignore[union-attr]
    return BatchTally(statuses, requested, int(made or 0), int(flagged or 0), reasons)


async def batch_tracks(db: Database, batch_id: int) -> list[tuple[TrackRecord, JobRecord]]:
    """Every kept track of a batch with its job, oldest first (all at once: small batches only)."""
    return [pair async for page in batch_track_pages(db, batch_id) for pair in page]


async def batch_track_pages(
    db: Database, batch_id: int, *, page_size: int = 100
) -> AsyncIterator[list[tuple[TrackRecord, JobRecord]]]:
    """Every kept track of a batch with its job, oldest first, a page at a time.

    Each page is read in its own short transaction (keyset pagination on job id and variant), so a
    20,000-track batch never holds every record in memory, nor a read open for the whole walk.
    """
    after: tuple[int, int] | None = None
    while True:
        query = (
            select(Track, Job)
            .join(Job, Job.id == Track.job_id)
            .where(Job.batch_id == batch_id, Track.rejected.is_(False))
            .order_by(Track.job_id, Track.variant)
            .limit(page_size)
        )
        if after is not None:
            query = query.where(tuple_(Track.job_id, Track.variant) > after)
        async with db.session() as session:
            rows = (await session.execute(query)).all()
            page = [
                (
                    to_record(track, TrackRecord),
                    to_record(job, JobRecord, status=JobStatus(job.status)),
                )
                for track, job in rows
            ]
        if not page:
            return
        yield page
        if len(page) < page_size:
            return
        last, _ = page[-1]
        after = (last.job_id, last.variant)


async def top_tracks_in_batch(
    db: Database, batch_id: int, *, limit: int = 5
) -> list[tuple[int, float, int]]:
    """(track id, total score, ratings) of a batch's best-rated tracks so far."""
    rating = counted().subquery()  # each person's latest reaction counts once
    score = func.sum(rating.c.score)
    query = (
        select(Track.id, score, func.count(rating.c.id))
        .join(rating, rating.c.track_id == Track.id)
        .join(Job, Job.id == Track.job_id)
        .where(Job.batch_id == batch_id)
        .group_by(Track.id)
        .order_by(score.desc(), Track.id)
        .limit(limit)
    )
    async with db.session() as session:
        rows = (await session.execute(query)).all()
    return [(int(track_id), float(total), int(count)) for track_id, total, count in rows]


async def unfinished_job_ids(db: Database, batch_id: int) -> list[int]:
    """Ids of a batch's jobs still in progress."""
    query = select(Job.id).where(
        Job.batch_id == batch_id, Job.status.in_([str(s) for s in UNFINISHED_STATUSES])
    )
    async with db.session() as session:
        return list((await session.scalars(query)).all())


def _record(batch: Batch) -> BatchRecord:
    return to_record(batch, BatchRecord)


__all__ = [
    "CANCELLED",
    "DONE",
    "RUNNING",
    "BatchTally",
    "NewJob",
    "batch_track_pages",
    "batch_tracks",
    "create_batch",
    "finish_batch",
    "get_batch",
    "list_batches",
    "settled_batches",
    "tally",
    "top_tracks_in_batch",
    "unfinished_job_ids",
    "update_details",
]
