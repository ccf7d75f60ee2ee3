"""Moves of one job between states that several engine steps share, each with its event.

Every move is a compare-and-set on the job's current status (`storage.jobs.update_job(expect=…)`),
so a job cancelled or finished by another path in the meantime is left alone.
"""

from collections.abc import Collection
from datetime import timedelta
from typing import Any

from bot.engine.jobs import messages as msg
from bot.engine.jobs.context import EngineContext
from bot.engine.jobs.events import JobEvent, JobEventKind
from domain.records import JobRecord, JobStatus
from storage import jobs as jobs_repo

ON_SERVER = frozenset({JobStatus.SUBMITTED, JobStatus.RUNNING})
RETRY_BACKOFF_BASE_S = 2.0
RETRY_BACKOFF_MAX_S = 120.0


async def requeue(
    ctx: EngineContext,
    job: JobRecord,
    note: str,
    *,
    expect: Collection[JobStatus] = ON_SERVER,
    delay_s: float = 0.0,
    **counters: Any,
) -> JobRecord | None:
    """Send a job back to the queue, forgetting its task; `note` is kept for people to read."""
    now = ctx.clock()
    updated = await jobs_repo.update_job(
        ctx.db,
        job.id,
        holder=ctx.claimant,
        expect=expect,
        status=JobStatus.QUEUED,
        server=None,
        task_id=None,
        queue_position=None,
        unknown_polls=0,
        progress=None,
        stage=None,
        result=None,
        not_before=now + timedelta(seconds=delay_s) if delay_s else None,
        notes=[*job.notes, note],
        **counters,
    )
    if updated is not None:
        await ctx.events.emit(JobEvent(JobEventKind.REQUEUED, updated, message=note))
    return updated


async def fail(
    ctx: EngineContext,
    job: JobRecord,
    error: str,
    *,
    detail: str | None = None,
    expect: Collection[JobStatus] | None = None,
    **counters: Any,
) -> JobRecord | None:
    """Give up on a job with a reason people can act on."""
    updated = await jobs_repo.update_job(
        ctx.db,
        job.id,
        holder=ctx.claimant,
        expect=expect if expect is not None else {job.status},
        status=JobStatus.FAILED,
        error=error,
        error_detail=detail,
        finished_at=ctx.clock(),
        stage=None,
        **counters,
    )
    if updated is not None:
        await ctx.events.emit(JobEvent(JobEventKind.FAILED, updated, message=error))
    return updated


async def count_server_error(
    ctx: EngineContext, job: JobRecord, reason: str, *, expect: Collection[JobStatus]
) -> int | None:
    """One more server error met by `job` (the server's trouble, not the job's attempts): the new
    count, or None when it reached ACESTEP_SERVER_ERROR_LIMIT and the job failed with `reason`."""
    errors = job.server_errors + 1
    if errors < ctx.config.server_error_limit:
        return errors
    gave_up = msg.server_errors_gave_up(errors, reason)
    await fail(ctx, job, gave_up, expect=expect, server_errors=errors)
    return None


async def retry_or_fail(
    ctx: EngineContext,
    job: JobRecord,
    reason: str,
    *,
    detail: str | None = None,
    expect: Collection[JobStatus] = ON_SERVER,
) -> JobRecord | None:
    """Count one failed attempt; try again after a back-off, or fail after `max_attempts`."""
    failures = job.failures + 1
    if failures >= ctx.config.max_attempts:
        return await fail(
            ctx,
            job,
            msg.server_failed(failures, reason),
            detail=detail,
            expect=expect,
            failures=failures,
        )
    delay = min(RETRY_BACKOFF_BASE_S**failures, RETRY_BACKOFF_MAX_S)
    return await requeue(
        ctx,
        job,
        msg.retrying(reason, failures),
        expect=expect,
        delay_s=delay,
        failures=failures,
        error_detail=detail,
    )


async def lost(ctx: EngineContext, job: JobRecord, reason: str) -> JobRecord | None:
    """The server lost the task: send it again once, then give up with the reason."""
    if job.lost_count >= 1:
        return await fail(ctx, job, msg.lost_twice(reason), expect=ON_SERVER)
    return await requeue(ctx, job, msg.resubmitted(reason), lost_count=job.lost_count + 1)
