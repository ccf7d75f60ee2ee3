"""Submissions that fail: whose fault it is.

The job's, when the server refuses what it sent (400, 413, 415, 422): it fails at once. Anything
else is the server's trouble: the server is backed off and `ServerBusy` tells dispatch to try the
next server, or that the job is now held — after a 5xx (for 2, 4, 8 … up to 300 s, bounded by
`server_error_limit`), or while a submission whose reply was lost is checked (`doubt`).
"""

import logging
from datetime import datetime, timedelta

from bot.engine.acestep import errors as e
from bot.engine.jobs import doubt
from bot.engine.jobs import messages as msg
from bot.engine.jobs.context import EngineContext
from bot.engine.jobs.servers import Server
from bot.engine.jobs.transitions import count_server_error, fail
from domain.records import JobRecord, JobStatus
from storage import jobs as jobs_repo

log = logging.getLogger(__name__)

QUEUED_ONLY = frozenset({JobStatus.QUEUED})
RELEASE = "POST /release_task"
BODY_REFUSED = frozenset({400, 413, 415, 422})  # the server refuses what the job sent
HOLD_BACKOFF_BASE_S = 2.0
HOLD_BACKOFF_MAX_S = 300.0


class ServerBusy(Exception):
    """The chosen server cannot take work right now; the job stays queued.

    `held` says the job must now wait (its submission is in doubt, or it is backing off);
    otherwise it is untouched and may go to another server straight away.
    """

    def __init__(self, *, held: bool = False) -> None:
        super().__init__("server busy")
        self.held = held


async def submit_failed(
    ctx: EngineContext, job: JobRecord, server: Server, exc: e.AceStepError, now: datetime
) -> bool:
    """Decide whose fault a failed submission is; raises `ServerBusy` when it is the server's."""
    if _refuses_body(exc):
        server.mark_up()
        await fail(ctx, job, msg.rejected_by_server(str(exc)), expect=QUEUED_ONLY)
        return False
    _server_trouble(server, exc, now)
    held = exc.endpoint == RELEASE
    if held and doubt.reply_lost(exc):
        await doubt.hold(ctx, job, server, str(exc))
    elif held and isinstance(exc, e.AceStepServerError | e.AceStepRejected):
        await _hold_for_server(ctx, job, server, str(exc), now)
    else:
        held = False
    raise ServerBusy(held=held) from exc


def _refuses_body(exc: e.AceStepError) -> bool:
    """A 4xx that refuses what this job sent (sending it again would not help)."""
    return (
        isinstance(exc, e.AceStepRejected)
        and exc.endpoint == RELEASE
        and exc.status_code in BODY_REFUSED
    )


async def _hold_for_server(
    ctx: EngineContext, job: JobRecord, server: Server, reason: str, now: datetime
) -> None:
    """A server error on submit: hold the job for later (others go first), bounded in count."""
    errors = await count_server_error(ctx, job, reason, expect=QUEUED_ONLY)
    if errors is None:
        return
    notes = (
        job.notes if job.server_errors else [*job.notes, msg.held_for_server(server.name, reason)]
    )
    delay = min(HOLD_BACKOFF_BASE_S**errors, HOLD_BACKOFF_MAX_S)
    await jobs_repo.update_job(
        ctx.db,
        job.id,
        holder=ctx.claimant,
        expect=QUEUED_ONLY,
        server_errors=errors,
        not_before=now + timedelta(seconds=delay),
        notes=notes,
    )


async def know_total(server: Server, now: datetime) -> None:
    """A recent job total of the server, so a submission whose reply is lost can be checked."""
    if server.expected_total is not None and not server.stats_due(now):
        return
    try:
        server.note_stats(await server.client.stats(), now)
    except e.AceStepError as exc:
        log.info(
            "no job count from %s (a lost submission will count as a duplicate): %s",
            server.name,
            exc,
        )


def _server_trouble(server: Server, exc: e.AceStepError, now: datetime) -> None:
    if isinstance(exc, e.AceStepQueueFull):
        server.mark_full(now, exc.retry_after)
        log.info("%s is full (429); holding new work for it", server.name)
    else:
        server.mark_down(now, str(exc))
        log.warning("%s is not taking work: %s", server.name, exc)
