"""Downloads that fail: whose fault it is, and how the job still ends.

A server that is away or answers 5xx is backed off and asked again later (its files are made
again elsewhere once it is given up; 5xx are bounded per job by `server_error_limit`); a refusal
(401 key, 403 audio folder) or a local disk error (full, no permission) fails the job with what
to fix; a broken file is made again, within the job's attempts.
"""

import errno
import logging

from bot.engine.acestep import errors as e
from bot.engine.jobs import messages as msg
from bot.engine.jobs.context import EngineContext
from bot.engine.jobs.servers import Server
from bot.engine.jobs.transitions import count_server_error, fail, requeue, retry_or_fail
from domain.records import JobRecord, JobStatus
from storage import jobs as jobs_repo

log = logging.getLogger(__name__)

DOWNLOADING_ONLY = frozenset({JobStatus.DOWNLOADING})
FORBIDDEN = 403
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
NOT_WRITABLE = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


async def download_failed(
    ctx: EngineContext, server: Server, job: JobRecord, exc: e.AceStepError
) -> None:
    """Wait for a server that is away; fail on refused credentials; retry a broken file."""
    now = ctx.clock()
    if isinstance(exc, e.AceStepUnavailable | e.AceStepQueueFull):
        server.mark_down(now, str(exc))  # stays DOWNLOADING; fetched again after the back-off
        return
    if isinstance(exc, e.AceStepServerError):
        server.mark_down(now, str(exc))
        await _count_server_error(ctx, job, str(exc))
        return
    refused = _refusal(exc)
    if refused is not None:
        server.mark_down(now, str(exc))
        await fail(ctx, job, refused, detail=str(exc), expect=DOWNLOADING_ONLY)
        return
    await retry_or_fail(ctx, job, str(exc), expect=DOWNLOADING_ONLY)


async def server_ready(ctx: EngineContext, server: Server, job: JobRecord) -> bool:
    """Whether to fetch now: not while the server backs off; elsewhere once it is given up."""
    now = ctx.clock()
    if ctx.given_up(server, now):
        await requeue(ctx, job, msg.moved_server(server.name), expect=DOWNLOADING_ONLY)
        return False
    return server.retry_at is None or now >= server.retry_at


async def _count_server_error(ctx: EngineContext, job: JobRecord, reason: str) -> None:
    """A 5xx on a download is the server's trouble; bounded per job, then the job fails."""
    errors = await count_server_error(ctx, job, reason, expect=DOWNLOADING_ONLY)
    if errors is not None:
        await jobs_repo.update_job(
            ctx.db, job.id, holder=ctx.claimant, expect=DOWNLOADING_ONLY, server_errors=errors
        )


def _refusal(exc: e.AceStepError) -> str | None:
    """The reason to give when the server will not hand over files at all (401/403)."""
    if isinstance(exc, e.AceStepAuthError):
        return msg.download_auth_refused()
    if isinstance(exc, e.AceStepRejected) and exc.status_code == FORBIDDEN:
        return msg.download_forbidden()
    return None


async def disk_failed(ctx: EngineContext, job: JobRecord, exc: OSError) -> None:
    """A local write failed: fail the job with what to fix (the path stays in the detail)."""
    log.error("job %s: cannot write its track: %s", job.id, exc)
    if exc.errno in DISK_FULL:
        reason = msg.disk_full()
    elif exc.errno in NOT_WRITABLE:
        reason = msg.disk_not_writable()
    else:
        reason = msg.disk_error(exc.strerror or type(exc).__name__)
    await fail(ctx, job, reason, detail=str(exc), expect=DOWNLOADING_ONLY)
