"""Ratings: one row per (track, person, emoji); removing the reaction removes the row."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from storage._convert import to_record
from storage.database import Database
from storage.records import RatingRecord, TrackRecord
from storage.schema import Rating, Track


@dataclass(frozen=True)
class TrackScore:
    """A track with the sum and number of its ratings."""

    track: TrackRecord
    score: float
    ratings: int


async def add_rating(
    db: Database, *, track_id: int, user_id: str, emoji: str, score: float
) -> bool:
    """Record a reaction as a rating; False when that person already gave that emoji."""
    try:
        async with db.session() as session:
            session.add(Rating(track_id=track_id, user_id=user_id, emoji=emoji, score=score))
    except IntegrityError:
        return False
    return True


async def remove_rating(db: Database, *, track_id: int, user_id: str, emoji: str) -> bool:
    """Delete a rating; False when there was none."""
    query = delete(Rating).where(
        Rating.track_id == track_id, Rating.user_id == user_id, Rating.emoji == emoji
    )
    async with db.session() as session:
        result = await session.execute(query)
        return bool(getattr(result, "rowcount", 0))


async def ratings_for(db: Database, track_ids: Collection[int]) -> list[RatingRecord]:
    """Every rating of the given tracks."""
    query = select(Rating).where(Rating.track_id.in_(list(track_ids))).order_by(Rating.id)
    async with db.session() as session:
        return [to_record(r, RatingRecord) for r in (await session.scalars(query)).all()]


async def top_tracks(db: Database, *, since: datetime | None, limit: int = 10) -> list[TrackScore]:
    """Tracks with the highest summed rating (ratings given since `since`), best first."""
    totals = select(
        Rating.track_id, func.sum(Rating.score).label("score"), func.count().label("n")
    ).group_by(Rating.track_id)
    if since is not None:
        totals = totals.where(Rating.created_at >= since)
    ranked = totals.subquery()
    query = (
        select(Track, ranked.c.score, ranked.c.n)
        .join(ranked, ranked.c.track_id == Track.id)
        .order_by(ranked.c.score.desc(), ranked.c.n.desc(), Track.id.desc())
        .limit(limit)
    )
    async with db.session() as session:
        rows = (await session.execute(query)).all()
        return [
            TrackScore(to_record(track, TrackRecord), float(score), int(n))
            for track, score, n in rows
        ]
