"""Poll: one `/query_result` call per server carries every task id we have in flight there.

Each answer moves its job on: finished work to DOWNLOADING, failures to a retry or FAILED, tasks
the server has forgotten (or sat on far too long) to the lost-task path. Any error from one
server's poll (429, 4xx, 5xx, timeout, unreadable reply) backs off that server only; one that
stops answering for longer than the failover time hands its tasks to the other servers.
"""

import logging
from collections import defaultdict
from datetime import datetime

from bot.engine.acestep import errors as e
from bot.engine.acestep.wire import TaskPhase, TaskState
from bot.engine.jobs import messages as msg
from bot.engine.jobs.context import EngineContext
from bot.engine.jobs.events import JobEvent, JobEventKind
from bot.engine.jobs.pacing import TaskTiming
from bot.engine.jobs.servers import Server
from bot.engine.jobs.transitions import ON_SERVER, lost, requeue, retry_or_fail
from domain import constants as c
from domain.records import JobRecord, JobStatus
from storage import jobs as jobs_repo

log = logging.getLogger(__name__)

OVERDUE_FACTOR = 3.0  # a task is overdue at 3x its expected wait (plus the grace period)


async def poll(ctx: EngineContext) -> int:
    """Poll every server that is due; returns how many tasks reached an end on the server."""
    on_server = await jobs_repo.list_jobs(
        ctx.db, statuses=ON_SERVER, claimed_by=ctx.claimant, limit=None, oldest_first=True
    )
    by_server: dict[str | None, list[JobRecord]] = defaultdict(list)
    for job in on_server:
        by_server[job.server].append(job)
    finished = 0
    for name, jobs in by_server.items():
        server = ctx.server_named(name)
        if server is None:
            for job in jobs:
                await requeue(ctx, job, msg.server_removed(str(name)))
            continue
        finished += await _poll_server(ctx, server, jobs)
    return finished


async def _poll_server(ctx: EngineContext, server: Server, jobs: list[JobRecord]) -> int:
    now = ctx.clock()
    if not server.poll_due(now) or (server.retry_at is not None and now < server.retry_at):
        return 0
    try:
        states = await server.client.query_results([job.task_id for job in jobs if job.task_id])
    except e.AceStepError as exc:  # whatever it is, it is this server's trouble only
        _poll_failed(server, exc, now)
        await _fail_over_if_due(ctx, server, jobs, now)
        return 0
    server.mark_up()
    by_id = {state.task_id: state for state in states}
    finished = 0
    still: list[tuple[str, TaskTiming]] = []
    for job in jobs:
        state = by_id.get(job.task_id or "")
        ended = await _apply(ctx, server, job, state, now)
        finished += ended
        if job.task_id and ended:
            server.note_finished(job, now)
        elif job.task_id and state is not None and state.phase is not TaskPhase.UNKNOWN:
            still.append((job.task_id, server.timing(job, now)))
    server.observe_poll(now, finished=finished, bounds=ctx.config.poll, tasks=still)
    return finished


def _poll_failed(server: Server, exc: e.AceStepError, now: datetime) -> None:
    """Back the server off (a 429 also holds new work for it); its tasks stay where they are."""
    server.mark_down(now, str(exc))
    if isinstance(exc, e.AceStepQueueFull):
        server.mark_full(now, exc.retry_after)
    log.warning("polling %s failed: %s", server.name, exc)


async def _apply(
    ctx: EngineContext, server: Server, job: JobRecord, state: TaskState | None, now: datetime
) -> int:
    """Act on one task's state; returns 1 when the task ended on the server (success or not)."""
    if state is None or state.phase is TaskPhase.UNKNOWN:
        await _unknown(ctx, job)
        return 0
    if state.phase is TaskPhase.SUCCEEDED:
        await _succeeded(ctx, job, state)
        return 1
    if state.phase is TaskPhase.FAILED:
        reason = state.error_summary or msg.server_failed_no_reason()
        await retry_or_fail(ctx, job, reason, detail=state.error_detail)
        return 1
    await _in_progress(ctx, server, job, state, now)
    return 0


async def _succeeded(ctx: EngineContext, job: JobRecord, state: TaskState) -> None:
    if not state.files:
        await retry_or_fail(ctx, job, msg.no_audio_returned())
        return
    updated = await jobs_repo.update_job(
        ctx.db,
        job.id,
        holder=ctx.claimant,
        expect=ON_SERVER,
        status=JobStatus.DOWNLOADING,
        result=[item.model_dump(mode="json") for item in state.items],
        progress=1.0,
        stage="downloading",
        unknown_polls=0,
    )
    if updated is not None:
        await ctx.events.emit(JobEvent(JobEventKind.DOWNLOADING, updated))


async def _unknown(ctx: EngineContext, job: JobRecord) -> None:
    """Unknown ids read as status 0 forever; after a confirming poll, treat the task as lost."""
    polls = job.unknown_polls + 1
    if polls >= c.UNKNOWN_TASK_CONFIRM_POLLS:
        await lost(ctx, job, msg.task_unknown())
    else:
        await jobs_repo.update_job(
            ctx.db, job.id, holder=ctx.claimant, expect=ON_SERVER, unknown_polls=polls
        )


async def _in_progress(
    ctx: EngineContext, server: Server, job: JobRecord, state: TaskState, now: datetime
) -> None:
    waited = (now - (job.submitted_at or now)).total_seconds()
    expected = (job.queue_position or 1) * server.estimated_job_seconds
    limit = max(OVERDUE_FACTOR * expected, expected + ctx.config.lost_task_grace_s)
    if state.phase is TaskPhase.CUTOFF:
        # Past the server's 1 h cut-off the task reads "failed" yet may still finish: keep waiting.
        limit = max(limit, c.SERVER_JOB_CUTOFF_S + ctx.config.lost_task_grace_s)
    if waited > limit:
        await lost(ctx, job, msg.task_overdue(waited, expected))
        return
    running = bool(state.stage and state.stage != "queued") or bool(state.progress)
    if job.task_id:
        server.note_progress(job.task_id, now, running=running, progress=state.progress)
    status = JobStatus.RUNNING if running else job.status
    changed = (status, state.progress, state.stage) != (job.status, job.progress, job.stage)
    if not changed and not job.unknown_polls:
        return
    updated = await jobs_repo.update_job(
        ctx.db,
        job.id,
        holder=ctx.claimant,
        expect=ON_SERVER,
        status=status,
        progress=state.progress,
        stage=state.stage or job.stage,
        started_at=job.started_at or (now if running else None),
        unknown_polls=0,
    )
    if updated is not None:
        await ctx.events.emit(JobEvent(JobEventKind.PROGRESS, updated))


async def _fail_over_if_due(
    ctx: EngineContext, server: Server, jobs: list[JobRecord], now: datetime
) -> None:
    """Move a silent server's tasks to the queue once another server can take them."""
    if not ctx.given_up(server, now):
        return  # not silent long enough, or nowhere better to go: the server may come back
    log.warning("failing over %d task(s) from %s", len(jobs), server.name)
    for job in jobs:
        await requeue(ctx, job, msg.moved_server(server.name))
