"""Dispatch: fill every server's free capacity with queued jobs, most urgent first.

Each server takes at most `capacity` of our tasks at a time, so its own queue stays short: an
interactive request dispatched now waits behind a handful of batch tasks at most, never hundreds.

A server that cannot take a job (`submit_errors` says whose fault a failure is) is skipped for the
rest of the round, and the job goes to the next server at once unless it is now held.

With several workers on one database (`ctx.claimant`, PostgreSQL) the room is counted across all
of them: each job is reserved for a server in the database, under that server's lock, before it
is sent (`storage.claims.reserve`), and the reservation ends when the submission does.
"""

import logging
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from bot.engine.acestep import errors as e
from bot.engine.acestep.client import Submission
from bot.engine.acestep.wire import build_release_payload, match_model
from bot.engine.jobs import doubt
from bot.engine.jobs import messages as msg
from bot.engine.jobs.context import EngineContext
from bot.engine.jobs.events import JobEvent, JobEventKind
from bot.engine.jobs.servers import Server
from bot.engine.jobs.submit_errors import ServerBusy, know_total, submit_failed
from bot.engine.jobs.transitions import fail
from domain.records import JobRecord, JobStatus
from domain.request import GenerationRequest
from storage import claims
from storage import jobs as jobs_repo
from storage import tracks as tracks_repo

log = logging.getLogger(__name__)

QUEUED_ONLY = frozenset({JobStatus.QUEUED})


async def dispatch(ctx: EngineContext) -> int:
    """Send as many queued jobs as the servers have room for; returns how many were sent."""
    now = ctx.clock()
    await doubt.resolve(ctx, now)
    if ctx.claimant is not None:
        return await _dispatch_shared(ctx, ctx.claimant)
    in_flight = await jobs_repo.count_on_server(ctx.db)
    free = {
        server: server.capacity - in_flight.get(server.name, 0)
        for server in ctx.servers
        if server.accepts_work(now)
    }
    free = {server: room for server, room in free.items() if room > 0}
    if not free:
        return 0
    sent = 0
    for job in await jobs_repo.next_queued(ctx.db, limit=sum(free.values()), now=now):
        if await _place(ctx, job, free, in_flight) is not None:
            sent += 1
        elif not any(free.values()):
            break
    return sent


async def _dispatch_shared(ctx: EngineContext, holder: str) -> int:
    """Several workers: reserve one job at a time for the roomiest server (all workers' tasks
    counted), send it, end the reservation; until no server has room or no job waits."""
    mine = await jobs_repo.count_on_server(ctx.db, claimed_by=holder)
    skipped: set[Server] = set()
    sent = 0
    for _ in range(sum(server.capacity for server in ctx.servers)):
        now = ctx.clock()
        candidates = [s for s in ctx.servers if s not in skipped and s.accepts_work(now)]
        candidates.sort(key=lambda s: s.estimated_job_seconds)  # stable: the faster first
        reservation = await claims.reserve(
            ctx.db,
            holder=holder,
            servers=[(server.name, server.capacity) for server in candidates],
            now=now,
            until=now + timedelta(seconds=ctx.config.claim_ttl_s),
        )
        server = None if reservation is None else ctx.server_named(reservation.server)
        if reservation is None or server is None:
            break
        try:
            idle = mine.get(server.name, 0) == 0
            accepted = await _submit(ctx, reservation.job, server, idle=idle)
        except ServerBusy:
            skipped.add(server)
            accepted = False
        finally:
            await claims.end_reservation(ctx.db, reservation.job.id, holder=holder)
        if accepted:
            sent += 1
            mine[server.name] = mine.get(server.name, 0) + 1
    return sent


async def _place(
    ctx: EngineContext, job: JobRecord, free: dict[Server, int], in_flight: dict[str, int]
) -> Server | None:
    """Send the job to the roomiest server, or the next one if that one is busy; None if unsent."""
    while (server := _roomiest(free)) is not None:
        try:
            accepted = await _submit(ctx, job, server, idle=in_flight.get(server.name, 0) == 0)
        except ServerBusy as busy:
            free[server] = 0
            fresh = None if busy.held else await jobs_repo.get_job(ctx.db, job.id)
            if fresh is None or fresh.status is not JobStatus.QUEUED:
                return None
            job = fresh  # untouched by that server: try the next one now
            continue
        if not accepted:
            return None
        in_flight[server.name] = in_flight.get(server.name, 0) + 1
        free[server] -= 1
        return server
    return None


def _roomiest(free: dict[Server, int]) -> Server | None:
    """The server with the most free slots (ties: the faster one)."""
    candidates = [server for server, room in free.items() if room > 0]
    if not candidates:
        return None
    return max(candidates, key=lambda s: (free[s], -s.estimated_job_seconds))


async def _submit(ctx: EngineContext, job: JobRecord, server: Server, *, idle: bool) -> bool:
    """Send one job to one server; True when the server accepted it.

    Raises `ServerBusy` when the server cannot take work now; the job then waits for another
    server or for later, and nothing is counted against it unless it is the job's own fault.
    """
    now = ctx.clock()
    request = job.generation
    try:
        model = await _resolve_model(ctx, server, request.model, now)
        job = await _enhance(ctx, server, job, request)
        payload = await _payload(ctx, job, request, model)
        await know_total(server, now)
        submission = await server.client.release_task(payload)
    except _ModelUnavailable as exc:
        await fail(ctx, job, str(exc), expect=QUEUED_ONLY)
        return False
    except ValueError as exc:  # a body the server would misread: the job's own problem
        await fail(ctx, job, msg.refused_by_bot(str(exc)), expect=QUEUED_ONLY)
        return False
    except e.AceStepError as exc:
        return await submit_failed(ctx, job, server, exc, now)
    server.mark_up()
    server.note_accepted()
    return await _submitted(ctx, job, server, submission, payload, idle=idle)


async def _submitted(
    ctx: EngineContext,
    job: JobRecord,
    server: Server,
    submission: Submission,
    payload: dict[str, Any],
    *,
    idle: bool,
) -> bool:
    """Store the task id the moment it is known."""
    now = ctx.clock()
    updated = await jobs_repo.update_job(
        ctx.db,
        job.id,
        holder=ctx.claimant,
        expect=QUEUED_ONLY,
        status=JobStatus.SUBMITTED,
        server=server.name,
        task_id=submission.task_id,
        queue_position=submission.queue_position,
        submitted_at=now,
        submissions=job.submissions + 1,
        payload_sent=payload,
        unknown_polls=0,
        not_before=None,
        reserved_server=None,  # on the server now: counted there (several workers)
        stage="queued on the server",
    )
    if updated is None:  # cancelled while we were sending; the server's result will be ignored
        log.info(
            "job %s was cancelled while being submitted as task %s", job.id, submission.task_id
        )
        return False
    if idle:
        server.reset_poll_pace(now, ctx.config.poll, server.timing(updated, now))
    await ctx.events.emit(JobEvent(JobEventKind.SUBMITTED, updated))
    return True


class _ModelUnavailable(Exception):
    """The requested model is not on this server."""


async def _resolve_model(
    ctx: EngineContext, server: Server, wanted: str | None, now: datetime
) -> str | None:
    """The server's own name for the requested model (it silently swaps unknown names)."""
    if wanted is None:
        return None
    models = server.models
    if (
        models is None
        or server.models_at is None
        or (now - server.models_at > timedelta(seconds=ctx.config.model_cache_s))
    ):
        models = server.models = await server.client.models()
        server.models_at = now
    try:
        return match_model(wanted, models.names)
    except ValueError as exc:
        raise _ModelUnavailable(msg.model_missing(wanted, server.name, str(exc))) from exc


async def _enhance(
    ctx: EngineContext, server: Server, job: JobRecord, request: GenerationRequest
) -> JobRecord:
    """Ask the server's LM to enrich the prompt once per job; fall back to the user's words."""
    if not request.enhance or job.enhancement is not None:
        return job
    try:
        formatted = await server.client.format_input(
            caption=request.caption,
            lyrics=request.lyrics,
            duration_s=request.duration_s,
            bpm=request.bpm,
            key_scale=request.key_scale,
            time_signature=request.time_signature,
            language=None if request.instrumental else request.language,
        )
        enhancement: dict[str, Any] = {"used": True, **asdict(formatted)}
        note = msg.enhancement_used()
    except (e.AceStepServerError, e.AceStepMalformedReply, e.AceStepRejected) as exc:
        enhancement = {"used": False, "reason": str(exc)}
        note = msg.enhancement_unavailable(str(exc))
    updated = await jobs_repo.update_job(
        ctx.db,
        job.id,
        holder=ctx.claimant,
        expect=QUEUED_ONLY,
        enhancement=enhancement,
        notes=[*job.notes, note],
    )
    return updated or job


async def _payload(
    ctx: EngineContext, job: JobRecord, request: GenerationRequest, model: str | None
) -> dict[str, Any]:
    """The wire body: the request with enhancement applied, for the variants still missing."""
    missing = max(request.variants - await _accepted_tracks(ctx, job), 1)
    effective = _with_enhancement(request.model_copy(update={"variants": missing}), job.enhancement)
    return dict(build_release_payload(effective, model=model))


def _with_enhancement(
    request: GenerationRequest, enhancement: dict[str, Any] | None
) -> GenerationRequest:
    """The LM's caption (and lyrics, and any musical field the person left open), if valid."""
    if not enhancement or not enhancement.get("used"):
        return request
    fields = request.model_dump()
    fields["caption"] = enhancement.get("caption") or request.caption
    if not request.instrumental and enhancement.get("lyrics"):
        fields["lyrics"] = enhancement["lyrics"]
    for name, lm_name in (
        ("bpm", "bpm"),
        ("key_scale", "key_scale"),
        ("time_signature", "time_signature"),
    ):
        if fields[name] is None and enhancement.get(lm_name) is not None:
            fields[name] = enhancement[lm_name]
    try:
        return GenerationRequest.model_validate(fields)
    except ValidationError:
        log.info("the LM's suggestions do not validate; keeping only its caption if it fits")
        with_caption = {**request.model_dump(), "caption": fields["caption"]}
        try:
            return GenerationRequest.model_validate(with_caption)
        except ValidationError:
            return request


async def _accepted_tracks(ctx: EngineContext, job: JobRecord) -> int:
    if job.submissions == 0:
        return 0
    tracks = await tracks_repo.list_tracks(ctx.db, job_ids=[job.id], limit=None)
    return len(tracks)
