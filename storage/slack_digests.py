"""Slack bookkeeping for batches: each batch's digest message, and its tracks' posts in the
digest's thread. Like job cards, the rows survive a restart, so a digest is posted once and then
only edited, and every track of the batch is posted exactly once."""

from datetime import datetime
from typing import Unpack

from sqlalchemy import func, literal, or_, select

from domain.records import (
    POSTED_STATES,
    SETTLED_POST_STATES,
    BatchDigestRecord,
    BatchRecord,
    DigestChanges,
    TrackPostState,
)
from storage._convert import to_record
from storage._rows import get_row, update_row
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
from storage.slack import add_pending_posts, unposted_tracks


async def ensure_digest(db: Database, *, batch_id: int, channel_id: str) -> BatchDigestRecord:
    """The batch's digest row, created (not yet posted) if it does not exist."""
    async with db.session() as session:
        digest = await session.get(SlackBatchDigest, batch_id)
        if digest is None:
            digest = SlackBatchDigest(batch_id=batch_id, channel_id=channel_id)
            session.add(digest)
            await session.flush()
        return to_record(digest, BatchDigestRecord)


async def get_digest(db: Database, batch_id: int) -> BatchDigestRecord | None:
    """A batch's digest, if it has one."""
    return await get_row(db, SlackBatchDigest, batch_id, BatchDigestRecord)


async def update_digest(
    db: Database, batch_id: int, **changes: Unpack[DigestChanges]
) -> BatchDigestRecord | None:
    """Change some columns of a digest."""
    return await update_row(db, SlackBatchDigest, batch_id, BatchDigestRecord, **changes)


async def adopt_orphan_batches(db: Database, *, origins: set[str]) -> int:
    """A digest row for every batch with a channel that lacks one (crash right after creation)."""
    query = (
        select(Batch)
        .outerjoin(SlackBatchDigest, SlackBatchDigest.batch_id == Batch.id)
        .where(Batch.origin.in_(origins), Batch.channel_id.is_not(None))
        .where(SlackBatchDigest.batch_id.is_(None))
    )
    async with db.session() as session:
        orphans = (await session.scalars(query)).all()
        for batch in orphans:
            session.add(SlackBatchDigest(batch_id=batch.id, channel_id=batch.channel_id))
        return len(orphans)


async def digests_to_refresh(
    db: Database, *, now: datetime
) -> list[tuple[BatchDigestRecord, BatchRecord]]:
    """Digests not yet posted or not yet showing their batch's end, and due for a try."""
    query = (
        select(SlackBatchDigest, Batch)
        .join(Batch, Batch.id == SlackBatchDigest.batch_id)
        .where(or_(SlackBatchDigest.ts.is_(None), SlackBatchDigest.final.is_(False)))
        .where(
            or_(SlackBatchDigest.next_attempt_at.is_(None), SlackBatchDigest.next_attempt_at <= now)
        )
        .order_by(SlackBatchDigest.batch_id)
    )
    async with db.session() as session:
        rows = (await session.execute(query)).all()
        return [
            (to_record(digest, BatchDigestRecord), to_record(batch, BatchRecord))
            for digest, batch in rows
        ]


async def queue_batch_track_posts(db: Database) -> int:
    """A post row, in the digest's thread, for every kept track of a batch whose digest is up;
    of a batch that posts a listening sample, only for the tracks chosen (`storage.samples`).
    A listening test's candidates (batches with `evaluation_id`) are never posted: blinding.

    Only digests still open are looked at, one batch at a time (a digest turns final once every
    track it posts has settled; choosing more tracks opens it again), so a publisher pass costs
    the batches in flight, not a scan of every finished job the database has ever held."""
    sampled = (
        select(BatchSample.batch_id).where(BatchSample.batch_id == SlackBatchDigest.batch_id)
    ).exists()
    open_digests = (
        select(SlackBatchDigest.batch_id, SlackBatchDigest.channel_id, SlackBatchDigest.ts, sampled)
        .join(Batch, Batch.id == SlackBatchDigest.batch_id)
        .where(SlackBatchDigest.ts.is_not(None), SlackBatchDigest.final.is_(False))
        .where(Batch.evaluation_id.is_(None))
    )
    async with db.session() as session:
        digests = (await session.execute(open_digests)).all()
    queries = []
    for batch_id, channel_id, ts, is_sampled in digests:
        query = unposted_tracks(literal(channel_id), literal(ts))
        if is_sampled:
            query = query.join(BatchSampleTrack, BatchSampleTrack.track_id == Track.id).where(
                BatchSampleTrack.batch_id == batch_id
            )
        else:
            query = query.where(Job.batch_id == batch_id)
        queries.append(query)
    return await add_pending_posts(db, *queries)


async def posted_in_batch(db: Database, batch_id: int) -> tuple[int, int]:
    """How many of a batch's tracks are in Slack already, and how many Slack refused for good."""
    query = (
        select(SlackTrackPost.state, func.count())
        .join(Job, Job.id == SlackTrackPost.job_id)
        .where(Job.batch_id == batch_id, SlackTrackPost.state.in_(SETTLED_POST_STATES))
        .group_by(SlackTrackPost.state)
    )
    async with db.session() as session:
        counts = {state: int(n) for state, n in (await session.execute(query)).all()}
    posted = sum(counts.get(state, 0) for state in POSTED_STATES)
    return posted, counts.get(TrackPostState.FAILED, 0)
