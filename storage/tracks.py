"""Track repository: one row per audio file, never two for the same (job, variant)."""

from collections.abc import Collection
from datetime import datetime
from typing import Any, Unpack

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from domain.analysis import Adherence, TrackAnalysis
from domain.approvals import Decision
from domain.records import NewTrack, TrackChanges, TrackRecord
from storage._convert import to_record
from storage._provenance import PROVENANCE_FIELDS, place, task_document
from storage._rows import update_row
from storage.database import Database
from storage.jobs import not_blinded, seen_by
from storage.schema import Job, TaskResult, Track


async def add_track(
    db: Database, *, job_id: int, variant: int, **fields: Unpack[NewTrack]
) -> TrackRecord:
    """Record a downloaded file; if (job_id, variant) exists already, return that row unchanged.

    Its provenance (caption, lyrics, metas, request sent, models …) is not copied onto the row: it
    is the task's stored result, which the track points at (`storage._provenance.place`). Only the
    job's preset and the model names are copied, for grouping (`storage.stats`).
    """
    columns: dict[str, Any] = dict(fields)
    given = {name: columns.pop(name, None) for name in PROVENANCE_FIELDS}
    columns |= analysis_columns(columns.pop("analysis", None), columns.pop("adherence", None))
    try:
        async with db.session() as session:
            source = await session.scalar(
                select(TaskResult).where(
                    TaskResult.job_id == job_id, TaskResult.task_id == columns["task_id"]
                )
            )
            if source is None:  # no result stored for the task: the track brings its own
                document = task_document(given["request_sent"], None)
                source = TaskResult(job_id=job_id, task_id=columns["task_id"], document=document)
                session.add(source)
            document, index = place(source.document, given)
            if document is not source.document:
                source.document = document
            request = await session.scalar(select(Job.request).where(Job.id == job_id))
            preset = (request or {}).get("preset_id")
            track = Track(
                job_id=job_id,
                variant=variant,
                source=source,
                result_index=index,
                preset_id=None if preset is None else str(preset),
                dit_model_name=given["dit_model"],
                lm_model_name=given["lm_model"],
                **columns,
            )
            session.add(track)
            await session.flush()
            return to_record(track, TrackRecord)
    except IntegrityError:
        # Recorded before (a restart), or by another process just now: the first row stands.
        found = await _find(db, job_id=job_id, variant=variant)
        if found is None:
            raise
        return found


async def get_track(db: Database, track_id: int) -> TrackRecord | None:
    """One track, or None."""
    async with db.session() as session:
        track = await session.get(Track, track_id)
        return None if track is None else to_record(track, TrackRecord)


async def get_tracks(
    db: Database, track_ids: Collection[int], *, hide_blinded: bool = False
) -> dict[int, TrackRecord]:
    """The tracks of these ids that exist (`hide_blinded`: see `storage.jobs.list_jobs`)."""
    query = select(Track).where(Track.id.in_(list(track_ids)))
    if hide_blinded:
        query = query.join(Job, Job.id == Track.job_id).where(not_blinded())
    async with db.session() as session:
        return {t.id: to_record(t, TrackRecord) for t in (await session.scalars(query)).all()}


async def list_tracks(
    db: Database,
    *,
    job_ids: Collection[int] | None = None,
    approval: Decision | None = None,
    batch_id: int | None = None,
    since: datetime | None = None,
    include_rejected: bool = False,
    visible_to: tuple[str, str | None] | None = None,
    hide_blinded: bool = False,
    limit: int | None = 50,
    oldest_first: bool = False,
) -> list[TrackRecord]:
    """Tracks matching every filter given, newest first unless asked otherwise (`approval`: only
    tracks whose standing decision it is; `visible_to` and `hide_blinded`: see
    `storage.jobs.list_jobs`)."""
    query = select(Track)
    if visible_to is not None or hide_blinded or batch_id is not None:
        query = query.join(Job, Job.id == Track.job_id)
    if batch_id is not None:
        query = query.where(Job.batch_id == batch_id)
    if visible_to is not None:
        query = query.where(seen_by(*visible_to))
    if hide_blinded:
        query = query.where(not_blinded())
    if job_ids is not None:
        query = query.where(Track.job_id.in_(list(job_ids)))
    if since is not None:
        query = query.where(Track.created_at >= since)
    if approval is not None:
        query = query.where(Track.approval == approval)
    if not include_rejected:
        query = query.where(Track.rejected.is_(False))
    query = query.order_by(Track.id if oldest_first else Track.id.desc()).limit(limit)
    async with db.session() as session:
        return [to_record(t, TrackRecord) for t in (await session.scalars(query)).all()]


async def update_track(
    db: Database, track_id: int, **changes: Unpack[TrackChanges]
) -> TrackRecord | None:
    """Change some columns of a track; None when it does not exist."""
    return await update_row(db, Track, track_id, TrackRecord, **changes)


async def save_analysis(
    db: Database, track_id: int, analysis: TrackAnalysis | None, adherence: Adherence | None
) -> TrackRecord | None:
    """Store (or replace) a track's analysis and adherence; None when the track does not exist.
    None for either clears it."""
    return await update_row(
        db, Track, track_id, TrackRecord, **analysis_columns(analysis, adherence)
    )


def analysis_columns(analysis: TrackAnalysis | None, adherence: Adherence | None) -> dict[str, Any]:
    """The track columns holding an analysis and an adherence (all None for None).

    The adherence's measured length is the track's own `duration_s`, not stored again."""
    measured = analysis or TrackAnalysis(analyser="")
    judged = adherence or Adherence()
    return {
        "analyser": None if analysis is None else analysis.analyser,
        "measured_bpm": measured.tempo_bpm,
        "bpm_confidence": measured.tempo_confidence,
        "measured_key": measured.key,
        "key_confidence": measured.key_confidence,
        "rolloff_hz": measured.rolloff_hz,
        "hf_energy_ratio": measured.hf_energy_ratio,
        "loudness_range_lu": measured.loudness_range_lu,
        "asked_bpm": judged.asked_bpm,
        "folded_bpm": judged.measured_bpm,
        "tempo_ok": judged.tempo_ok,
        "asked_key": judged.asked_key,
        "adherent_key": judged.measured_key,
        "key_ok": judged.key_ok,
        "asked_duration_s": judged.asked_duration_s,
        "length_ok": judged.length_ok,
        "obeys": None if adherence is None else adherence.obeys,
    }


async def _find(db: Database, *, job_id: int, variant: int) -> TrackRecord | None:
    query = select(Track).where(Track.job_id == job_id, Track.variant == variant)
    async with db.session() as session:
        track = (await session.scalars(query)).one_or_none()
        return None if track is None else to_record(track, TrackRecord)
