"""The catalogue: each track's unique title, the delivery files exports wrote, what an export
selects.

Titles are inserted once under a unique constraint (`catalogue_titles.title`): the first title a
track gets is kept, and a clash (another track holding the same words) takes the next letter.
Delivery rows are keyed by their file's path: exporting again to the same folder updates the row.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from domain.approvals import Decision
from domain.catalogue import DeliveryRecord, ExportFilter
from domain.records import JobRecord, JobStatus, TrackRecord
from storage._convert import to_record
from storage.database import Database
from storage.jobs import not_blinded
from storage.ratings import counted
from storage.schema import Batch, CatalogueTitle, Delivery, Job, Track

TITLE_ATTEMPTS = 26


@dataclass(frozen=True)
class Candidate:
    """A track an export selected, with what its manifest row needs."""

    track: TrackRecord
    job: JobRecord
    batch_name: str | None
    blinded: bool  # a candidate of a listening test that is not closed yet
    ratings: int
    mean_score: float | None


async def title_for(db: Database, track_id: int, make: Callable[[int], str]) -> str:
    """The track's catalogue title: the stored one, else `make(attempt)` stored (attempt 0, then
    1, 2 … while another track holds that title)."""
    for attempt in range(TITLE_ATTEMPTS):
        async with db.session() as session:
            found = await session.get(CatalogueTitle, track_id)
            if found is not None:
                return found.title
        try:
            async with db.session() as session:
                session.add(CatalogueTitle(track_id=track_id, title=make(attempt)))
        except IntegrityError:
            continue  # the title is another track's, or this track got one just now
    raise RuntimeError(f"no free catalogue title for track {track_id}")


async def delivery_at(db: Database, path: str) -> DeliveryRecord | None:
    """The delivery recorded at `path`, or None."""
    async with db.session() as session:
        row = await session.scalar(select(Delivery).where(Delivery.path == path))
        return None if row is None else to_record(row, DeliveryRecord)


async def record_delivery(db: Database, *, path: str, **columns: Any) -> DeliveryRecord:
    """Insert or update the delivery at `path`."""
    async with db.session() as session:
        row = await session.scalar(select(Delivery).where(Delivery.path == path))
        if row is None:
            row = Delivery(path=path, **columns)
            session.add(row)
        else:
            for name, value in columns.items():
                setattr(row, name, value)
        await session.flush()
        return to_record(row, DeliveryRecord)


async def export_candidates(db: Database, selection: ExportFilter) -> list[Candidate]:
    """Tracks the selection takes, oldest first (tracks superseded by a
    regeneration are never taken)."""
    rating = counted().subquery()
    summary = (
        select(
            rating.c.track_id,
            func.count().label("n"),
            func.avg(rating.c.score).label("mean"),
        )
        .group_by(rating.c.track_id)
        .subquery()
    )
    blinded = ~not_blinded()
    query = (
        select(Track, Job, Batch.name, blinded, summary.c.n, summary.c.mean)
        .join(Job, Job.id == Track.job_id)
        .outerjoin(Batch, Batch.id == Job.batch_id)
        .outerjoin(summary, summary.c.track_id == Track.id)
        .where(Track.rejected.is_(False))
        .order_by(Track.id)
    )
    if selection.min_score is None:
        query = query.where(Track.approval == Decision.APPROVED)
    else:
        query = query.where(summary.c.mean >= selection.min_score)
    if selection.since is not None:
        query = query.where(Track.created_at >= selection.since)
    async with db.session() as session:
        rows = (await session.execute(query)).all()
        return [
            Candidate(
                track=to_record(track, TrackRecord),
                job=to_record(job, JobRecord, status=JobStatus(job.status)),
                batch_name=batch_name,
                blinded=bool(hidden),
                ratings=int(n or 0),
                mean_score=None if mean is None else round(float(mean), 2),
            )
            for track, job, batch_name, hidden, n, mean in rows
            # the request is stored packed (not queryable JSON): the preset is matched here
            if selection.preset_id is None or job.request.get("preset_id") == selection.preset_id
        ]
