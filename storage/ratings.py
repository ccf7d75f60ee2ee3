"""Ratings: one row per (track, person, emoji); removing the reaction removes the row.

The rows mirror the reactions on the message, but a person's rating of a track counts once: it is
their latest reaction still on the message (`counted`). Adding 👍 then 🔥 rates the track 🔥;
removing the 🔥 falls back to the 👍 that is still there; removing both leaves no rating. Every
score (`top_tracks`, a batch's best tracks) is computed from `counted` only.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, func, select
from sqlalchemy.exc import IntegrityError

from domain.records import RatingRecord, TrackRecord
from storage._convert import to_record
from storage.database import Database
from storage.jobs import not_blinded
from storage.schema import Job, Rating, Track


@dataclass(frozen=True)
class TrackScore:
    """A track with the sum and number of its ratings."""

    track: TrackRecord
    score: float
    ratings: int


def counted() -> Select[Rating]:
    """The ratings that count: each person's latest reaction per track (the highest row id)."""
    latest = select(func.max(Rating.id)).group_by(Rating.track_id, Rating.user_id)
    return select(Rating).where(Rating.id.in_(latest.scalar_subquery()))


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


async def track_score(db: Database, track_id: int) -> tuple[float | None, int]:
    """The mean of a track's counted ratings (None without any) and how many people rated it."""
    rating = counted().where(Rating.track_id == track_id).subquery()
    query = select(func.avg(rating.c.score), func.count())
    async with db.session() as session:
        mean, raters = (await session.execute(query)).one()
        return (None if mean is None else float(mean)), int(raters)


async def ratings_for(db: Database, track_ids: Collection[int]) -> list[RatingRecord]:
    """Every rating of the given tracks."""
    query = select(Rating).where(Rating.track_id.in_(list(track_ids))).order_by(Rating.id)
    async with db.session() as session:
        return [to_record(r, RatingRecord) for r in (await session.scalars(query)).all()]


async def top_tracks(
    db: Database, *, since: datetime | None, limit: int = 10, hide_blinded: bool = False
) -> list[TrackScore]:
    """Tracks with the highest summed rating (ratings given since `since`), best first
    (`hide_blinded`: see `storage.jobs.list_jobs`)."""
    rating = counted().subquery()
    totals = select(
        rating.c.track_id, func.sum(rating.c.score).label("score"), func.count().label("n")
    ).group_by(rating.c.track_id)
    if since is not None:
        totals = totals.where(rating.c.created_at >= since)
    ranked = totals.subquery()
    query = (
        select(Track, ranked.c.score, ranked.c.n)
        .join(ranked, ranked.c.track_id == Track.id)
        .order_by(ranked.c.score.desc(), ranked.c.n.desc(), Track.id.desc())
        .limit(limit)
    )
    if hide_blinded:
        query = query.join(Job, Job.id == Track.job_id).where(not_blinded())
    async with db.session() as session:
        rows = (await session.execute(query)).all()
        return [
            TrackScore(to_record(track, TrackRecord), float(score), int(n))
            for track, score, n in rows
        ]
