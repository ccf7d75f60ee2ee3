"""Slack bookkeeping: job cards, track posts, what each message is, buffered reactions, seen keys.

Everything the Slack adapter must remember across a restart lives here, so a card is updated and a
track posted exactly once even when the bot is killed in the middle.
"""

from datetime import datetime, timedelta
from typing import Unpack

from sqlalchemy import Select, SQLColumnExpression, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from domain.records import (
    CardChanges,
    JobRecord,
    JobStatus,
    MessageKind,
    PendingReactionRecord,
    SlackCardRecord,
    SlackMessageRecord,
    TrackPostChanges,
    TrackPostRecord,
    TrackPostState,
)
from storage._convert import to_record
from storage._rows import get_row, update_row
from storage.database import Database
from storage.schema import (
    Job,
    SeenKey,
    SlackCard,
    SlackMessage,
    SlackPendingReaction,
    SlackTrackPost,
    Track,
)

SLACK_ORIGIN = "slack"


# --- Cards -----------------------------------------------------------------------------------


async def ensure_card(
    db: Database, *, job_id: int, channel_id: str, thread_ts: str | None
) -> SlackCardRecord:
    """The job's card row, created (not yet posted) if it does not exist."""
    async with db.session() as session:
        card = await session.get(SlackCard, job_id)
        if card is None:
            card = SlackCard(job_id=job_id, channel_id=channel_id, thread_ts=thread_ts)
            session.add(card)
            await session.flush()
        return to_record(card, SlackCardRecord)


async def get_card(db: Database, job_id: int) -> SlackCardRecord | None:
    """A job's card, if it has one."""
    return await get_row(db, SlackCard, job_id, SlackCardRecord)


async def update_card(
    db: Database, job_id: int, **changes: Unpack[CardChanges]
) -> SlackCardRecord | None:
    """Change some columns of a card."""
    return await update_row(db, SlackCard, job_id, SlackCardRecord, **changes)


async def adopt_orphan_jobs(db: Database) -> int:
    """Give a card row to every Slack job that lacks one (the process died right after enqueue)."""
    query = (
        select(Job)
        .outerjoin(SlackCard, SlackCard.job_id == Job.id)
        .where(Job.origin == SLACK_ORIGIN, Job.channel_id.is_not(None), SlackCard.job_id.is_(None))
        .where(Job.batch_id.is_(None))
    )
    async with db.session() as session:
        orphans = (await session.scalars(query)).all()
        for job in orphans:
            session.add(
                SlackCard(job_id=job.id, channel_id=job.channel_id, thread_ts=job.thread_ts)
            )
        return len(orphans)


async def cards_to_refresh(
    db: Database, *, now: datetime
) -> list[tuple[SlackCardRecord, JobRecord]]:
    """Cards not yet posted or not yet showing their job's final state, and due for a try."""
    query = (
        select(SlackCard, Job)
        .join(Job, Job.id == SlackCard.job_id)
        .where(or_(SlackCard.ts.is_(None), SlackCard.final.is_(False)))
        .where(or_(SlackCard.next_attempt_at.is_(None), SlackCard.next_attempt_at <= now))
        .order_by(SlackCard.job_id)
    )
    async with db.session() as session:
        rows = (await session.execute(query)).all()
        return [
            (
                to_record(card, SlackCardRecord),
                to_record(job, JobRecord, status=JobStatus(job.status)),
            )
            for card, job in rows
        ]


async def latest_job_in_thread(db: Database, *, channel_id: str, thread_ts: str) -> int | None:
    """The newest job whose card is the thread's root or sits in that thread."""
    query = select(func.max(SlackCard.job_id)).where(
        SlackCard.channel_id == channel_id,
        or_(SlackCard.ts == thread_ts, SlackCard.thread_ts == thread_ts),
    )
    async with db.session() as session:
        return (await session.execute(query)).scalar_one_or_none()


# --- Track posts -----------------------------------------------------------------------------


def unposted_tracks(
    channel_id: SQLColumnExpression[str], thread_ts: SQLColumnExpression[str | None]
) -> Select[int, int, str, str | None]:
    """Kept tracks of finished jobs that have no post row yet, with where each should go.

    The caller joins the message the tracks are posted under (a job's card, a batch's digest)
    and passes its channel and thread columns."""
    return (
        select(Track.id, Track.job_id, channel_id, thread_ts)
        .join(Job, Job.id == Track.job_id)
        .outerjoin(SlackTrackPost, SlackTrackPost.track_id == Track.id)
        .where(Job.status == JobStatus.DONE, Track.rejected.is_(False))
        .where(SlackTrackPost.track_id.is_(None))
        .order_by(Track.job_id, Track.variant)
    )


async def add_pending_posts(db: Database, *queries: Select[int, int, str, str | None]) -> int:
    """A pending post row for each (track, job, channel, thread) the queries return."""
    async with db.session() as session:
        rows = [row for query in queries for row in (await session.execute(query)).all()]
        session.add_all(
            SlackTrackPost(
                track_id=track_id,
                job_id=job_id,
                channel_id=channel_id,
                thread_ts=thread_ts,
                state=TrackPostState.PENDING,
            )
            for track_id, job_id, channel_id, thread_ts in rows
        )
    return len(rows)


async def queue_track_posts(db: Database) -> int:
    """A post row, in the card's thread, for every kept track of a finished Slack job.

    Only cards still open are looked at (a card turns final once each of its job's tracks has a
    post row that settled), so each publisher pass costs what is in flight, not the history: the
    jobs are picked by id from the open cards, never found by scanning every finished job."""
    open_cards = select(SlackCard.job_id).where(
        SlackCard.ts.is_not(None), SlackCard.final.is_(False)
    )
    query = (
        unposted_tracks(SlackCard.channel_id, func.coalesce(SlackCard.thread_ts, SlackCard.ts))
        .join(SlackCard, SlackCard.job_id == Job.id)
        .where(Job.id.in_(open_cards))
    )
    return await add_pending_posts(db, query)


async def due_track_posts(
    db: Database, *, now: datetime, states: set[TrackPostState], limit: int = 50
) -> list[TrackPostRecord]:
    """Posts in one of `states` that are due: interactive jobs' first, then oldest track first."""
    query = (
        select(SlackTrackPost)
        .join(Job, Job.id == SlackTrackPost.job_id)
        .where(SlackTrackPost.state.in_(states))
        .where(or_(SlackTrackPost.next_attempt_at.is_(None), SlackTrackPost.next_attempt_at <= now))
        .order_by(Job.priority, SlackTrackPost.track_id)  # a person's tracks before a batch's
        .limit(limit)
    )
    async with db.session() as session:
        return [to_record(p, TrackPostRecord) for p in (await session.scalars(query)).all()]


async def update_track_post(
    db: Database, track_id: int, **changes: Unpack[TrackPostChanges]
) -> TrackPostRecord | None:
    """Change some columns of a track post."""
    return await update_row(db, SlackTrackPost, track_id, TrackPostRecord, **changes)


async def claim_track_post(
    db: Database, track_id: int, *, holder: str, now: datetime, until: datetime
) -> TrackPostRecord | None:
    """Take (or keep) posting this track for one `serve` process until `until`: the post as it
    stands now, or None while another process holds it. One conditional UPDATE, so two serves
    sharing the database never both upload the same track."""
    query = (
        update(SlackTrackPost)
        .where(SlackTrackPost.track_id == track_id)
        .where(
            or_(
                SlackTrackPost.claimed_by.is_(None),
                SlackTrackPost.claimed_by == holder,
                SlackTrackPost.claimed_until < now,
            )
        )
        .values(claimed_by=holder, claimed_until=until)
    )
    async with db.session(row_locks=True) as session:
        if (await session.execute(query)).rowcount != 1:  # type: ignore[attr-defined]
            return None
        post = await session.get(SlackTrackPost, track_id)
        return None if post is None else to_record(post, TrackPostRecord)


async def posts_for_job(db: Database, job_id: int) -> list[TrackPostRecord]:
    """Every post of one job's tracks."""
    query = select(SlackTrackPost).where(SlackTrackPost.job_id == job_id)
    async with db.session() as session:
        return [to_record(p, TrackPostRecord) for p in (await session.scalars(query)).all()]


async def unresolved_posts_in(db: Database, channel_id: str) -> int:
    """Shared tracks in a channel whose message ts is not known yet."""
    query = (
        select(func.count())
        .select_from(SlackTrackPost)
        .where(SlackTrackPost.channel_id == channel_id)
        .where(SlackTrackPost.state.in_({TrackPostState.UPLOADING, TrackPostState.SHARED}))
    )
    async with db.session() as session:
        return int((await session.execute(query)).scalar_one())


# --- Messages --------------------------------------------------------------------------------


async def remember_message(
    db: Database,
    *,
    channel_id: str,
    ts: str,
    kind: MessageKind,
    job_id: int | None = None,
    track_id: int | None = None,
    batch_id: int | None = None,
    thread_ts: str | None = None,
) -> None:
    """Record what a message is (kept as first recorded if it is already known)."""
    try:
        async with db.session() as session:
            session.add(
                SlackMessage(
                    channel_id=channel_id,
                    ts=ts,
                    kind=kind,
                    job_id=job_id,
                    track_id=track_id,
                    batch_id=batch_id,
                    thread_ts=thread_ts,
                )
            )
    except IntegrityError:
        return


async def find_message(db: Database, *, channel_id: str, ts: str) -> SlackMessageRecord | None:
    """What the bot knows about a message, if anything."""
    async with db.session() as session:
        message = await session.get(SlackMessage, (channel_id, ts))
        return None if message is None else to_record(message, SlackMessageRecord)


# --- Reactions waiting for their message -----------------------------------------------------


async def add_pending_reaction(
    db: Database, *, channel_id: str, ts: str, user_id: str, emoji: str, added: bool
) -> None:
    """Keep a reaction until the message it is on is matched to a track."""
    async with db.session() as session:
        session.add(
            SlackPendingReaction(
                channel_id=channel_id, ts=ts, user_id=user_id, emoji=emoji, added=added
            )
        )


async def take_pending_reactions(
    db: Database, *, channel_id: str, ts: str
) -> list[PendingReactionRecord]:
    """Remove and return the reactions that were waiting for this message, oldest first."""
    query = (
        select(SlackPendingReaction)
        .where(SlackPendingReaction.channel_id == channel_id, SlackPendingReaction.ts == ts)
        .order_by(SlackPendingReaction.id)
    )
    async with db.session() as session:
        rows = (await session.scalars(query)).all()
        records = [to_record(row, PendingReactionRecord) for row in rows]
        for row in rows:
            await session.delete(row)
        return records


# --- Keys already handled --------------------------------------------------------------------


async def claim_key(db: Database, key: str, *, now: datetime, window_s: float | None) -> bool:
    """True the first time `key` is claimed (or once `window_s` has passed since the last time)."""
    try:
        async with db.session() as session:
            seen = await session.get(SeenKey, key)
            if seen is None:
                session.add(SeenKey(key=key, seen_at=now))
                return True
            if window_s is not None and now - seen.seen_at >= timedelta(seconds=window_s):
                seen.seen_at = now
                return True
            return False
    except IntegrityError:  # another process claimed it between our read and our write
        return False


async def forget_keys_before(db: Database, moment: datetime) -> int:
    """Drop keys older than `moment` (Slack stops retrying an event after minutes)."""
    async with db.session() as session:
        result = await session.execute(delete(SeenKey).where(SeenKey.seen_at < moment))
        return int(getattr(result, "rowcount", 0) or 0)
