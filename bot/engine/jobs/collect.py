"""Collect: download every variant of a finished task, check it, and record it as a track.

Idempotent by construction: a track is keyed by (job, variant) and variants are numbered from the
task's result, so a process killed half-way re-downloads only what it had not recorded yet.
A take that fails the audio check is made again (a bounded number of times); a server that made
fewer variants than asked (its GPU tier caps batch size) is asked for the rest.

A download always ends; `download_errors` says how for each kind of failure.
"""

import asyncio
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from audiofile.codec import AudioDecodeError, probe_audio
from bot.engine.acestep import errors as e
from bot.engine.acestep.wire import ResultItem
from bot.engine.audio import rules
from bot.engine.audio.analysis import CheckedFile, check_and_analyse
from bot.engine.audio.qc import normalise_loudness
from bot.engine.audio.rules import AdherenceMode
from bot.engine.jobs import messages as msg
from bot.engine.jobs.context import EngineContext
from bot.engine.jobs.download_errors import disk_failed, download_failed, server_ready
from bot.engine.jobs.events import JobEvent, JobEventKind
from bot.engine.jobs.naming import output_path
from bot.engine.jobs.servers import Server
from bot.engine.jobs.transitions import requeue
from domain import constants as c
from domain.analysis import adherence
from domain.records import JobRecord, JobStatus, NewTrack, TrackRecord
from domain.request import GenerationRequest
from storage import jobs as jobs_repo
from storage import tracks as tracks_repo

log = logging.getLogger(__name__)

DOWNLOADING_ONLY = frozenset({JobStatus.DOWNLOADING})


async def downloading(ctx: EngineContext) -> list[JobRecord]:
    """Every job in DOWNLOADING (finished on its server, files not yet all recorded) that this
    engine drives."""
    return await jobs_repo.list_jobs(
        ctx.db, statuses=DOWNLOADING_ONLY, claimed_by=ctx.claimant, limit=None, oldest_first=True
    )


async def collect(ctx: EngineContext, jobs: list[JobRecord] | None = None) -> int:
    """Fetch and check the files of these jobs (default: every job in DOWNLOADING); returns how
    many jobs completed."""
    if jobs is None:
        jobs = await downloading(ctx)
    if not jobs:
        return 0
    gate = asyncio.Semaphore(ctx.config.download_concurrency)

    async def one(job: JobRecord) -> bool:
        async with gate:
            return await collect_job(ctx, job)

    return sum(await asyncio.gather(*(one(job) for job in jobs)))


async def collect_job(ctx: EngineContext, job: JobRecord) -> bool:
    """Download, check and record one job's files; True when the job is now DONE."""
    server = ctx.server_named(job.server)
    if server is None:
        await requeue(ctx, job, msg.server_removed(str(job.server)), expect=DOWNLOADING_ONLY)
        return False
    if not await server_ready(ctx, server, job):
        return False
    items = [ResultItem.model_validate(raw) for raw in job.result or []]
    files = [item for item in items if item.file]
    existing = await tracks_repo.list_tracks(
        ctx.db, job_ids=[job.id], include_rejected=True, limit=None, oldest_first=True
    )
    previous = [track for track in existing if track.task_id != job.task_id]
    recorded = {track.variant: track for track in existing if track.task_id == job.task_id}
    try:
        new_tracks = []
        for index, item in enumerate(files):
            variant = len(previous) + index + 1  # numbered from the result: stable on restart
            seed = own_seed(item, index, len(files))
            track = recorded.get(variant) or await _fetch_variant(
                ctx, server, job, item, variant=variant, seed=seed
            )
            new_tracks.append(track)
    except e.AceStepError as exc:
        await download_failed(ctx, server, job, exc)
        return False
    except OSError as exc:  # our own disk: full, read-only, no permission
        await disk_failed(ctx, job, exc)
        return False
    return await _settle(ctx, job, previous, new_tracks, asked=_asked_for(job))


async def _fetch_variant(
    ctx: EngineContext,
    server: Server,
    job: JobRecord,
    item: ResultItem,
    *,
    variant: int,
    seed: str | None,
) -> TrackRecord:
    """Download one file, check it, and record it as variant `variant` of the job."""
    request = job.generation
    extension = _extension(item, request)
    placeholder = server.placeholder or is_placeholder(item)
    dest = output_path(
        ctx.config.output_dir, job, request, variant, extension, placeholder=placeholder
    )
    downloaded = await server.client.download(item.file, dest)
    checked = await ctx.audio.run(check_and_analyse, dest, expected_duration_s=request.duration_s)
    delivery = await _delivery_copy(ctx, dest, request)
    fields = _provenance(
        job,
        item,
        seed=seed,
        now=ctx.clock(),
        server=server,
        path=dest,
        size=downloaded.size,
        checked=checked,
        delivery=delivery,
        placeholder=placeholder,
    )
    fields = judged_adherence(fields, ctx.config.qc_adherence)
    return await tracks_repo.add_track(ctx.db, job_id=job.id, variant=variant, **fields)


def judged_adherence(fields: NewTrack, mode: AdherenceMode) -> NewTrack:
    """The track's verdict and problems once its tempo and key adherence count (QC_ADHERENCE):
    a miss warns, or fails the take (strict) so `_settle` makes it again like any failed take.
    Without an adherence (no analysis) the fields are returned unchanged."""
    verdict, problems = rules.judge_adherence(
        fields.get("qc_verdict"),
        tuple(fields.get("qc_problems", ())),
        fields.get("adherence"),
        mode,
    )
    if verdict == fields.get("qc_verdict") and list(problems) == fields.get("qc_problems"):
        return fields
    qc = dict(fields.get("qc") or {}) | {"verdict": verdict, "problems": list(problems)}
    return {**fields, "qc_verdict": verdict, "qc_problems": list(problems), "qc": qc}


def _extension(item: ResultItem, request: GenerationRequest) -> str:
    """The file's real format: the server silently turns unknown formats into FLAC."""
    return item.file_extension().lstrip(".") or request.audio_format


def _provenance(
    job: JobRecord,
    item: ResultItem,
    *,
    seed: str | None,
    now: datetime,
    server: Server,
    path: Path,
    size: int,
    checked: CheckedFile,
    delivery: Path | None,
    placeholder: bool,
) -> NewTrack:
    """Every column of a track row besides its key: what was asked, what came back, checks,
    what the analysis measured and how that compares with the request."""
    info = _probe(path)
    payload = job.payload_sent or {}
    report = checked.report
    request = job.generation
    return {
        "file_path": str(path),
        "file_size": size,
        "audio_format": path.suffix.lstrip("."),
        "server": server.name,
        "task_id": job.task_id or "",
        "caption": item.prompt or str(payload.get("prompt", "")),
        "lyrics": item.lyrics or str(payload.get("lyrics", "")),
        "metas": dict(item.metas),
        "request_sent": payload,
        "seed": seed,
        "lm_model": item.lm_model,
        "dit_model": item.dit_model,
        "generation_info": item.generation_info,
        "remote_file": item.file,
        "duration_s": info.get("duration_s"),
        "sample_rate": info.get("sample_rate"),
        "channels": info.get("channels"),
        "submitted_at": job.submitted_at,
        "generated_at": now,
        "downloaded_at": now,
        "qc_verdict": report.verdict,
        "qc": report.to_json(),
        "qc_problems": list(report.problems),
        "placeholder": placeholder,
        "delivery_path": str(delivery) if delivery else None,
        "analysis": checked.analysis,
        "adherence": adherence(
            checked.analysis,
            asked_bpm=request.bpm,
            asked_key=request.key_scale,
            asked_duration_s=request.duration_s,
            duration_s=info.get("duration_s"),
        ),
    }


def own_seed(item: ResultItem, index: int, files: int) -> str | None:
    """This file's seed: the server lists one seed per take, in file order, on every item.

    When the counts differ (the server drops takes it finds silent) the position cannot be trusted,
    so the whole list is kept.
    """
    seeds = item.seeds()
    return str(seeds[index]) if len(seeds) == files else item.seed


def is_placeholder(item: ResultItem) -> bool:
    """Whether the built-in stand-in (not an AI model) made this file."""
    return (item.dit_model or "").startswith(c.PLACEHOLDER_MODEL_PREFIX)


def _probe(path: Path) -> dict[str, Any]:
    try:
        info = probe_audio(path)
    except AudioDecodeError:
        return {}
    return {
        "duration_s": info.duration_s,
        "sample_rate": info.sample_rate,
        "channels": info.channels,
    }


async def _delivery_copy(
    ctx: EngineContext, source: Path, request: GenerationRequest
) -> Path | None:
    """A loudness-normalised copy next to the original, when a target is configured."""
    target = ctx.config.loudness_target_lufs
    if target is None:
        return None
    dest = source.with_name(f"{source.stem}.delivery{source.suffix}")
    fmt = request.audio_format if source.suffix == f".{request.audio_format}" else "flac"
    try:
        await ctx.audio.run(normalise_loudness, source, dest, target_lufs=target, fmt=fmt)
    except AudioDecodeError as exc:
        log.warning("no delivery copy of %s: %s", source.name, exc)
        return None
    return dest


def _asked_for(job: JobRecord) -> int:
    """How many variants the last submission asked the server for."""
    return int((job.payload_sent or {}).get("batch_size", job.variants))


async def _settle(
    ctx: EngineContext,
    job: JobRecord,
    previous: list[TrackRecord],
    new_tracks: list[TrackRecord],
    *,
    asked: int,
) -> bool:
    """Finish the job, or send it back for missing or failed takes."""
    failed = [track for track in new_tracks if track.qc_verdict == "fail"]
    if failed and job.qc_regenerations < ctx.config.qc_max_regenerations:
        for track in failed:
            await tracks_repo.update_track(ctx.db, track.id, rejected=True)
        problems = "; ".join(failed[0].qc_problems) or "unusable audio"
        await requeue(
            ctx,
            job,
            msg.regenerating(problems),
            expect=DOWNLOADING_ONLY,
            qc_regenerations=job.qc_regenerations + 1,
        )
        return False
    kept = [track for track in [*previous, *new_tracks] if not track.rejected]
    if len(kept) < job.variants:
        await requeue(ctx, job, msg.topping_up(len(new_tracks), asked), expect=DOWNLOADING_ONLY)
        return False
    return await _done(ctx, job, kept)


async def _done(ctx: EngineContext, job: JobRecord, tracks: list[TrackRecord]) -> bool:
    notes = list(job.notes)
    if any(t.qc_verdict == "fail" for t in tracks):
        notes.append(msg.accepted_despite_check())
    updated = await jobs_repo.update_job(
        ctx.db,
        job.id,
        holder=ctx.claimant,
        expect=DOWNLOADING_ONLY,
        status=JobStatus.DONE,
        finished_at=ctx.clock(),
        stage="done",
        notes=notes,
    )
    if updated is None:
        return False
    await ctx.events.emit(JobEvent(JobEventKind.DONE, updated, tracks=tuple(tracks)))
    return True
