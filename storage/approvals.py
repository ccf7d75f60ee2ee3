"""Approval decisions: history rows in `track_approvals`, the current state copied on the track.

A track's approval is its newest decision not undone. Every change goes through `decide` or
`undo`, which write the history row and the track's copy in one transaction, so the two never
disagree.
"""

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.approvals import ApprovalRecord, ApprovalSource, Decision
from storage._convert import to_record
from storage.database import Database
from storage.schema import ApprovalNotice, Track, TrackApproval, utcnow


async def decide(
    db: Database,
    track_ids: Sequence[int],
    decision: Decision,
    *,
    user_id: str,
    source: ApprovalSource,
    forced: bool = False,
    note: str | None = None,
    at: datetime | None = None,
) -> list[ApprovalRecord]:
    """Record one decision per track (in the order given) and make it the tracks' current one.
    Tracks that do not exist are skipped; callers check existence first to say so."""
    when = at or utcnow()
    made: list[ApprovalRecord] = []
    async with db.session() as session:
        existing = set(
            (await session.scalars(select(Track.id).where(Track.id.in_(list(track_ids))))).all()
        )
        for track_id in track_ids:
            if track_id not in existing:
                continue
            row = TrackApproval(
                track_id=track_id,
                decision=decision,
                user_id=user_id,
                source=source,
                forced=forced,
                note=note,
                created_at=when,
            )
            session.add(row)
            await session.flush()
            await _copy_current(session, track_id)
            made.append(to_record(row, ApprovalRecord))
    return made


async def undo(
    db: Database,
    track_id: int,
    *,
    user_id: str,
    source: ApprovalSource,
    decision: Decision,
    by: str | None = None,
    at: datetime | None = None,
) -> ApprovalRecord | None:
    """Undo the newest live decision `user_id` made on the track by `source` (e.g. the ✅ they
    just removed); the track falls back to its newest decision still standing, or to none.
    None when there was no such decision."""
    query = _newest_live(track_id, user_id=user_id, source=source, decision=decision)
    async with db.session() as session:
        row = (await session.scalars(query)).first()
        if row is None:
            return None
        row.undone_at = at or utcnow()
        row.undone_by = by or user_id
        await session.flush()
        await _copy_current(session, track_id)
        return to_record(row, ApprovalRecord)


async def current(db: Database, track_ids: Collection[int]) -> dict[int, ApprovalRecord]:
    """The standing decision of each track that has one (track id -> its newest live decision)."""
    newest = (
        select(func.max(TrackApproval.id))
        .where(TrackApproval.track_id.in_(list(track_ids)), TrackApproval.undone_at.is_(None))
        .group_by(TrackApproval.track_id)
    )
    query = select(TrackApproval).where(TrackApproval.id.in_(newest.scalar_subquery()))
    async with db.session() as session:
        rows = (await session.scalars(query)).all()
        return {row.track_id: to_record(row, ApprovalRecord) for row in rows}


async def history(db: Database, track_id: int) -> list[ApprovalRecord]:
    """Every decision about a track, oldest first, undone ones included."""
    query = select(TrackApproval).where(TrackApproval.track_id == track_id)
    async with db.session() as session:
        rows = (await session.scalars(query.order_by(TrackApproval.id))).all()
        return [to_record(row, ApprovalRecord) for row in rows]


async def live_decision(
    db: Database, track_id: int, *, user_id: str, source: ApprovalSource, decision: Decision
) -> ApprovalRecord | None:
    """This person's newest decision of this kind on the track that is not undone, if any."""
    query = _newest_live(track_id, user_id=user_id, source=source, decision=decision)
    async with db.session() as session:
        row = (await session.scalars(query)).first()
        return None if row is None else to_record(row, ApprovalRecord)


async def decided_by_people(db: Database, track_id: int) -> bool:
    """Whether a person (not the auto-approval rule) ever decided about the track, undone or not:
    the rule then leaves it alone."""
    query = select(func.count()).where(
        TrackApproval.track_id == track_id, TrackApproval.source != ApprovalSource.AUTO
    )
    async with db.session() as session:
        return bool(await session.scalar(query))


async def claim_notice(db: Database, key: str, *, at: datetime | None = None) -> bool:
    """True the first time a private notice `key` is claimed (then it is never given again)."""
    try:
        async with db.session() as session:
            if await session.get(ApprovalNotice, key) is not None:
                return False
            session.add(ApprovalNotice(key=key, told_at=at or utcnow()))
            return True
    except IntegrityError:  # another process claimed it between our read and our write
        return False


def _newest_live(
    track_id: int, *, user_id: str, source: ApprovalSource, decision: Decision
) -> Select[TrackApproval]:
    """This person's newest decision of this kind on the track that is not undone."""
    return (
        select(TrackApproval)
        .where(
            TrackApproval.track_id == track_id,
            TrackApproval.user_id == user_id,
            TrackApproval.source == source,
            TrackApproval.decision == decision,
            TrackApproval.undone_at.is_(None),
        )
        .order_by(TrackApproval.id.desc())
        .limit(1)
    )


async def _copy_current(session: AsyncSession, track_id: int) -> None:
    """Copy the track's newest live decision (or none) onto its row."""
    query = (
        select(TrackApproval)
        .where(TrackApproval.track_id == track_id, TrackApproval.undone_at.is_(None))
        .order_by(TrackApproval.id.desc())
        .limit(1)
    )
    newest = (await session.scalars(query)).first()
    await session.execute(
        update(Track)
        .where(Track.id == track_id)
        .values(
            approval=None if newest is None else newest.decision,
            approval_by=None if newest is None else newest.user_id,
            approval_at=None if newest is None else newest.created_at,
        )
    )


async def approved_stamp(db: Database) -> tuple[int, datetime | None]:
    """How many tracks stand approved and when the newest of them was approved: a cheap mark
    that changes whenever the approved set may have (what the delivery keeper watches)."""
    query = select(func.count(), func.max(Track.approval_at)).where(
        Track.approval == Decision.APPROVED
    )
    async with db.session() as session:
        count, newest = (await session.execute(query)).one()
        return int(count), newest
