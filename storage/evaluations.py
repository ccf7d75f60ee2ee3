"""Listening-test repository: sessions, reference tracks, pairs and votes.

The rules that keep a test honest live here, inside the transactions that write the rows:
- importing a file twice into a session adds nothing (unique session + content hash);
- a rater has one vote per pair, changed in place; a vote is stored only while the session is
  LISTENING, checked in the same transaction as the write, so no vote slips in after close;
- a session moves between states by compare-and-set (`move_session`), so two people closing at
  once, or two processes finishing a prepare, do it once.
"""

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Unpack

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from domain.evaluations import (
    SIDES,
    EvalPairChanges,
    EvalPairRecord,
    EvalReferenceRecord,
    EvalSessionChanges,
    EvalSessionRecord,
    EvalStatus,
    EvalVoteRecord,
    NewReference,
    PairState,
)
from domain.records import JobRecord, JobStatus
from storage._convert import to_record
from storage._rows import update_row
from storage.database import Database
from storage.schema import Batch, EvalPair, EvalReference, EvalSession, EvalVote, Job, utcnow


class VoteOutcome(StrEnum):
    """What became of a vote."""

    RECORDED = "recorded"  # the rater's first vote on the pair
    CHANGED = "changed"  # the rater's earlier vote on the pair was replaced
    CLOSED = "closed"  # the session does not take votes now (not started, or closed)
    NO_PAIR = "no_pair"  # no such pair, or it has no listening files


@dataclass(frozen=True, slots=True)
class NewPair:
    """A pair to create for a reference: the ACE-Step job making its candidates."""

    reference_id: int
    zone: str
    job_id: int | None


async def get_or_create_session(
    db: Database, name: str, *, origin: str, owner: str | None, seed: int
) -> tuple[EvalSessionRecord, bool]:
    """The session called `name`, created (COLLECTING) when there is none; (record, created)."""
    existing = await get_session(db, name)
    if existing is not None:
        return existing, False
    try:
        async with db.session() as session:
            row = EvalSession(
                name=name, status=EvalStatus.COLLECTING, origin=origin, owner=owner, seed=seed
            )
            session.add(row)
            await session.flush()
            return _session(row), True
    except IntegrityError:  # created by someone else in between
        found = await get_session(db, name)
        if found is None:
            raise
        return found, False


async def get_session(db: Database, name: str) -> EvalSessionRecord | None:
    """The session called `name`, or None."""
    async with db.session() as session:
        row = await session.scalar(select(EvalSession).where(EvalSession.name == name))
        return None if row is None else _session(row)


async def get_session_by_id(db: Database, session_id: int) -> EvalSessionRecord | None:
    """One session by id, or None."""
    async with db.session() as session:
        row = await session.get(EvalSession, session_id)
        return None if row is None else _session(row)


async def list_sessions(
    db: Database, *, statuses: Collection[EvalStatus] | None = None, limit: int | None = 20
) -> list[EvalSessionRecord]:
    """Sessions, newest first."""
    query = select(EvalSession).order_by(EvalSession.id.desc()).limit(limit)
    if statuses is not None:
        query = query.where(EvalSession.status.in_(list(statuses)))
    async with db.session() as session:
        return [_session(row) for row in (await session.scalars(query)).all()]


async def update_session(
    db: Database, session_id: int, **changes: Unpack[EvalSessionChanges]
) -> EvalSessionRecord | None:
    """Set some columns of a session; the changed record, or None when it does not exist."""
    return await update_row(db, EvalSession, session_id, EvalSessionRecord, **changes)


async def move_session(
    db: Database,
    session_id: int,
    *,
    expect: Collection[EvalStatus],
    to: EvalStatus,
    **changes: Unpack[EvalSessionChanges],
) -> EvalSessionRecord | None:
    """Move a session to `to` if it is in one of `expect` (compare-and-set); None otherwise."""
    async with db.session() as session:
        row = await session.get(EvalSession, session_id)
        if row is None or row.status not in expect:
            return None
        row.status = to
        for name, value in changes.items():
            setattr(row, name, value)
        await session.flush()
        return _session(row)


async def add_reference(
    db: Database, session_id: int, **reference: Unpack[NewReference]
) -> tuple[EvalReferenceRecord, bool]:
    """Store a reference; when the session already has this content, the existing one and False."""
    query = select(EvalReference).where(
        EvalReference.session_id == session_id, EvalReference.sha256 == reference["sha256"]
    )
    async with db.session() as session:
        existing = await session.scalar(query)
        if existing is not None:
            return _reference(existing), False
        row = EvalReference(session_id=session_id, **reference)
        session.add(row)
        await session.flush()
        return _reference(row), True


async def list_references(
    db: Database, session_id: int, *, zones: Collection[str] | None = None
) -> list[EvalReferenceRecord]:
    """A session's references, by zone then import order."""
    query = (
        select(EvalReference)
        .where(EvalReference.session_id == session_id)
        .order_by(EvalReference.zone, EvalReference.id)
    )
    if zones is not None:
        query = query.where(EvalReference.zone.in_(list(zones)))
    async with db.session() as session:
        return [_reference(row) for row in (await session.scalars(query)).all()]


async def get_reference(db: Database, reference_id: int) -> EvalReferenceRecord | None:
    """One reference, or None."""
    async with db.session() as session:
        row = await session.get(EvalReference, reference_id)
        return None if row is None else _reference(row)


async def create_pairs(
    db: Database, session_id: int, pairs: Sequence[NewPair], *, seed: int
) -> list[EvalPairRecord]:
    """Create pairs (WAITING, or NO_CANDIDATE without a job) numbered after the session's last,
    in an order shuffled with `seed`, so pair numbers say nothing about zone or import order.
    A reference that already has a pair is skipped."""
    async with db.session() as session:
        taken = set(
            (
                await session.scalars(
                    select(EvalPair.reference_id).where(EvalPair.session_id == session_id)
                )
            ).all()
        )
        fresh = [pair for pair in pairs if pair.reference_id not in taken]
        random.Random(seed).shuffle(fresh)
        last = await session.scalar(
            select(func.max(EvalPair.number)).where(EvalPair.session_id == session_id)
        )
        rows = [
            EvalPair(
                session_id=session_id,
                reference_id=pair.reference_id,
                number=(last or 0) + offset,
                zone=pair.zone,
                job_id=pair.job_id,
                state=PairState.WAITING if pair.job_id is not None else PairState.NO_CANDIDATE,
                reason=None if pair.job_id is not None else "no ACE-Step job was made",
            )
            for offset, pair in enumerate(fresh, start=1)
        ]
        session.add_all(rows)
        await session.flush()
        return [_pair(row) for row in rows]


async def update_pair(
    db: Database, pair_id: int, **changes: Unpack[EvalPairChanges]
) -> EvalPairRecord | None:
    """Set some columns of a pair; the changed record, or None when it does not exist."""
    if changes.get("ace_side") not in (None, *SIDES):
        raise ValueError(f"ace_side must be A or B, got {changes.get('ace_side')!r}")
    return await update_row(db, EvalPair, pair_id, EvalPairRecord, **changes)


async def get_pair(db: Database, pair_id: int) -> EvalPairRecord | None:
    """One pair, or None."""
    async with db.session() as session:
        row = await session.get(EvalPair, pair_id)
        return None if row is None else _pair(row)


async def get_pair_by_number(db: Database, session_id: int, number: int) -> EvalPairRecord | None:
    """A session's pair by its label number, or None."""
    query = select(EvalPair).where(EvalPair.session_id == session_id, EvalPair.number == number)
    async with db.session() as session:
        row = await session.scalar(query)
        return None if row is None else _pair(row)


async def list_pairs(
    db: Database, session_id: int, *, states: Collection[PairState] | None = None
) -> list[EvalPairRecord]:
    """A session's pairs in label order."""
    query = select(EvalPair).where(EvalPair.session_id == session_id).order_by(EvalPair.number)
    if states is not None:
        query = query.where(EvalPair.state.in_(list(states)))
    async with db.session() as session:
        return [_pair(row) for row in (await session.scalars(query)).all()]


async def pairs_for_jobs(db: Database, job_ids: Collection[int]) -> list[EvalPairRecord]:
    """The pairs whose candidates these jobs make."""
    if not job_ids:
        return []
    query = select(EvalPair).where(EvalPair.job_id.in_(list(job_ids))).order_by(EvalPair.id)
    async with db.session() as session:
        return [_pair(row) for row in (await session.scalars(query)).all()]


async def record_vote(
    db: Database,
    pair_id: int,
    rater: str,
    *,
    score_a: int,
    score_b: int,
    comment: str | None = None,
) -> VoteOutcome:
    """Store or change `rater`'s vote on a pair, only while its session is LISTENING (checked in
    the same transaction as the write, so a close that commits first wins)."""
    for score in (score_a, score_b):
        if isinstance(score, bool) or not 1 <= score <= 5:
            raise ValueError(f"scores are 1–5, got {score!r}")
    async with db.session() as session:
        pair = await session.get(EvalPair, pair_id)
        if pair is None or pair.state is not PairState.READY:
            return VoteOutcome.NO_PAIR
        owner = await session.get(EvalSession, pair.session_id)
        if owner is None or not owner.status.votes_open:
            return VoteOutcome.CLOSED
        existing = await session.scalar(
            select(EvalVote).where(EvalVote.pair_id == pair_id, EvalVote.rater == rater)
        )
        if existing is not None:
            existing.score_a, existing.score_b, existing.comment = score_a, score_b, comment
            existing.updated_at = utcnow()
            return VoteOutcome.CHANGED
        session.add(
            EvalVote(
                session_id=pair.session_id,
                pair_id=pair_id,
                rater=rater,
                score_a=score_a,
                score_b=score_b,
                comment=comment,
            )
        )
        return VoteOutcome.RECORDED


async def get_vote(db: Database, pair_id: int, rater: str) -> EvalVoteRecord | None:
    """A rater's vote on a pair, or None."""
    query = select(EvalVote).where(EvalVote.pair_id == pair_id, EvalVote.rater == rater)
    async with db.session() as session:
        row = await session.scalar(query)
        return None if row is None else to_record(row, EvalVoteRecord)


async def list_votes(db: Database, session_id: int) -> list[EvalVoteRecord]:
    """Every vote of a session, by pair then rater."""
    query = (
        select(EvalVote)
        .where(EvalVote.session_id == session_id)
        .order_by(EvalVote.pair_id, EvalVote.rater)
    )
    async with db.session() as session:
        return [to_record(row, EvalVoteRecord) for row in (await session.scalars(query)).all()]


async def voter_counts(db: Database, session_id: int) -> dict[int, int]:
    """Pair id -> how many raters have voted on it (what the vote card shows; never the scores)."""
    query = (
        select(EvalVote.pair_id, func.count())
        .where(EvalVote.session_id == session_id)
        .group_by(EvalVote.pair_id)
    )
    async with db.session() as session:
        return {int(pair): int(n) for pair, n in (await session.execute(query)).all()}


async def candidate_jobs(db: Database, session_id: int) -> list[JobRecord]:
    """Every job of every batch made for the session (`eval prepare`), oldest first: what the
    candidates cost, all K variants of each, picked or not."""
    query = (
        select(Job)
        .join(Batch, Batch.id == Job.batch_id)
        .where(Batch.evaluation_id == session_id)
        .order_by(Job.id)
    )
    async with db.session() as session:
        return [
            to_record(row, JobRecord, status=JobStatus(row.status))
            for row in (await session.scalars(query)).all()
        ]


def blinded_batch_ids() -> Select[int]:
    """Ids of batches making candidates for a session that is not closed yet: their tracks must
    not be listed to raters (`/music tracks`, `/music top`, Home) before the session closes."""
    return (
        select(Batch.id)
        .join(EvalSession, EvalSession.id == Batch.evaluation_id)
        .where(EvalSession.status != EvalStatus.CLOSED)
    )


def _session(row: EvalSession) -> EvalSessionRecord:
    return to_record(row, EvalSessionRecord)


def _reference(row: EvalReference) -> EvalReferenceRecord:
    return to_record(row, EvalReferenceRecord)


def _pair(row: EvalPair) -> EvalPairRecord:
    return to_record(row, EvalPairRecord)


def session_settings(
    *, zones: Sequence[str] | None, per_zone: int | None, best_of: int
) -> dict[str, Any]:
    """What `eval prepare` was asked, as stored on the session."""
    return {
        "zones": None if zones is None else list(zones),
        "per_zone": per_zone,
        "best_of": best_of,
    }


__all__ = [
    "NewPair",
    "VoteOutcome",
    "add_reference",
    "blinded_batch_ids",
    "candidate_jobs",
    "create_pairs",
    "get_or_create_session",
    "get_pair",
    "get_pair_by_number",
    "get_reference",
    "get_session",
    "get_session_by_id",
    "get_vote",
    "list_pairs",
    "list_references",
    "list_sessions",
    "list_votes",
    "move_session",
    "pairs_for_jobs",
    "record_vote",
    "session_settings",
    "update_pair",
    "update_session",
    "voter_counts",
]
