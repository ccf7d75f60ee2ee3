"""Listening samples of big batches: which batches post a sample, and which tracks they post.

The choice is stored, one row per chosen track (the track is the key, so it is never chosen
twice), before any post is queued: a restart, a retry or a second process draws nothing twice,
and the digest's thread gets exactly the chosen tracks. What to choose is decided in
`domain.samples`; here the batch's jobs and tracks are read and the choice written in one
transaction.
"""

from collections import defaultdict
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.records import JobStatus
from domain.samples import (
    Candidate,
    MorePicked,
    SampleCounts,
    SampleRule,
    group_jobs,
    sample_units,
    spread,
)
from storage.database import Database
from storage.schema import (
    Batch,
    BatchSample,
    BatchSampleTrack,
    Job,
    SlackBatchDigest,
    SlackTrackPost,
    Track,
)

PASSED = "pass"


def add_rule(session: AsyncSession, batch_id: int, rule: SampleRule) -> None:
    """Mark a batch being created as sampled (called inside its creating transaction)."""
    session.add(
        BatchSample(batch_id=batch_id, per_group=rule.per_group, max_tracks=rule.max_tracks)
    )


async def get_rule(db: Database, batch_id: int) -> SampleRule | None:
    """How a batch is sampled, or None when it posts every track."""
    async with db.session() as session:
        row = await session.get(BatchSample, batch_id)
        return None if row is None else SampleRule(row.per_group, row.max_tracks)


async def counts(db: Database, batch_id: int) -> SampleCounts | None:
    """A sampled batch's rule and how many tracks are chosen; None when it posts every track."""
    query = select(func.count(), func.sum(case((BatchSampleTrack.round > 0, 1), else_=0))).where(
        BatchSampleTrack.batch_id == batch_id
    )
    async with db.session() as session:
        row = await session.get(BatchSample, batch_id)
        if row is None:
            return None
        picked, asked = (await session.execute(query)).one()
    return SampleCounts(SampleRule(row.per_group, row.max_tracks), int(picked), int(asked or 0))


async def draw_due(db: Database, batch_id: int) -> int:
    """Choose the automatic sample's tracks from every part of the batch whose jobs have all
    finished and that has not been drawn yet; how many were chosen. A part with no kept track is
    looked at again later; a track made after its part was drawn is not added (it stays in the
    library, and `/music batch N sample K` may choose it)."""
    try:
        async with db.session() as session:
            sample = await session.get(BatchSample, batch_id)
            batch = await session.get(Batch, batch_id)
            if sample is None or batch is None:
                return 0
            jobs = (
                await session.execute(
                    select(Job.id, Job.status).where(Job.batch_id == batch_id).order_by(Job.id)
                )
            ).all()
            rows: dict[str, Any] = batch.details.get("job_rows") or {}
            groups = group_jobs([(job_id, rows.get(str(job_id))) for job_id, _ in jobs])
            units = sample_units(groups, SampleRule(sample.per_group, sample.max_tracks))
            drawn = set(
                (
                    await session.scalars(
                        select(BatchSampleTrack.unit)
                        .where(BatchSampleTrack.batch_id == batch_id, BatchSampleTrack.round == 0)
                        .distinct()
                    )
                ).all()
            )
            finished = {job_id for job_id, status in jobs if JobStatus(status).finished}
            ready = [
                unit
                for unit in units
                if unit.key not in drawn and all(job in finished for job in unit.job_ids)
            ]
            if not ready:
                return 0
            by_job, taken = await _candidates(session, batch_id)
            picks = []
            for unit in ready:
                pool = [c for job in unit.job_ids for c in by_job[job] if c.track_id not in taken]
                for track_id in spread(pool, unit.picks):
                    taken.add(track_id)
                    picks.append(
                        BatchSampleTrack(
                            track_id=track_id, batch_id=batch_id, round=0, unit=unit.key
                        )
                    )
            session.add_all(picks)
            return len(picks)
    except IntegrityError:  # another process drew the same part first: its choice stands
        return 0


async def draw_more(
    db: Database, batch_id: int, count: int, *, picked_by: str | None
) -> MorePicked:
    """Choose `count` more tracks of a batch, evenly over those neither posted nor chosen yet,
    preferring tracks that passed the audio check; the digest is opened again to show them."""
    async with db.session() as session:
        by_job, taken = await _candidates(session, batch_id)
        posted = set(
            (
                await session.scalars(
                    select(SlackTrackPost.track_id)
                    .join(Job, Job.id == SlackTrackPost.job_id)
                    .where(Job.batch_id == batch_id)
                )
            ).all()
        )
        pool = [
            c
            for job in sorted(by_job)
            for c in by_job[job]
            if c.track_id not in taken and c.track_id not in posted
        ]
        chosen = spread(pool, count)
        if chosen:
            last = await session.scalar(
                select(func.max(BatchSampleTrack.round)).where(
                    BatchSampleTrack.batch_id == batch_id
                )
            )
            session.add_all(
                BatchSampleTrack(
                    track_id=track_id,
                    batch_id=batch_id,
                    round=int(last or 0) + 1,
                    picked_by=picked_by,
                )
                for track_id in chosen
            )
            await session.execute(
                update(SlackBatchDigest)
                .where(SlackBatchDigest.batch_id == batch_id)
                .values(final=False, next_attempt_at=None)
            )
    return MorePicked(tuple(chosen), len(pool))


async def picked_ids(db: Database, batch_id: int) -> list[int]:
    """The tracks chosen for posting from a batch, in the order they were chosen."""
    query = (
        select(BatchSampleTrack.track_id)
        .where(BatchSampleTrack.batch_id == batch_id)
        .order_by(BatchSampleTrack.round, BatchSampleTrack.track_id)
    )
    async with db.session() as session:
        return list((await session.scalars(query)).all())


async def _candidates(
    session: AsyncSession, batch_id: int
) -> tuple[defaultdict[int, list[Candidate]], set[int]]:
    """The kept tracks of a batch's finished jobs by job (in take order), and those chosen."""
    query = (
        select(Track.id, Track.job_id, Track.qc_verdict)
        .join(Job, Job.id == Track.job_id)
        .where(Job.batch_id == batch_id, Job.status == JobStatus.DONE, Track.rejected.is_(False))
        .order_by(Track.job_id, Track.variant)
    )
    by_job: defaultdict[int, list[Candidate]] = defaultdict(list)
    for track_id, job_id, verdict in (await session.execute(query)).all():
        by_job[job_id].append(Candidate(track_id, verdict == PASSED))
    taken = set(
        (
            await session.scalars(
                select(BatchSampleTrack.track_id).where(BatchSampleTrack.batch_id == batch_id)
            )
        ).all()
    )
    return by_job, taken
