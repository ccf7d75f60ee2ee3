"""Submissions in doubt: a `/release_task` whose reply was lost may still have made a task.

The real server has no lookup by request, and its task ids are its own, so the only evidence is
its job counter. Before each server's first submission the engine reads `/v1/stats` (`total`
counts every job record the server ever created), then adds one for each submission it accepts.
When a submission's reply is lost (a timeout or broken connection after sending, or an unreadable
HTTP 200), the job is held with that expected total and the server is backed off. Before anything
else is sent to that server, the engine reads `/v1/stats` again:

- the total is unchanged: the submission never arrived; the job is sent again, no duplicate;
- it changed (or cannot be compared: no baseline, the server is gone or failed over): the
  server probably made a task we cannot see; the job is sent again and the possible duplicate
  is counted on the job (`duplicate_submissions`), on the server, in a note and in the log.

The count errs on the side of reporting: another client's submission in the same window is also
counted. The one way to miss a duplicate is the server dropping exactly as many old finished jobs
(it sweeps those finished over 24 h ago every 5 min) as it gained in the window between the
baseline (at most `STATS_REFRESH_S` old when a submission is sent) and the check.
"""

import logging
from collections import defaultdict
from datetime import datetime

from bot.engine.acestep import errors as e
from bot.engine.jobs import messages as msg
from bot.engine.jobs.context import EngineContext
from bot.engine.jobs.servers import Server
from domain.records import JobChanges, JobRecord, JobStatus
from storage import jobs as jobs_repo

log = logging.getLogger(__name__)

QUEUED_ONLY = frozenset({JobStatus.QUEUED})
TRANSIENT = (e.AceStepUnavailable, e.AceStepServerError, e.AceStepQueueFull)


def reply_lost(exc: e.AceStepError) -> bool:
    """Whether a failed submission may nonetheless have created a task on the server."""
    if isinstance(exc, e.AceStepUnavailable):
        return exc.may_have_arrived
    return isinstance(exc, e.AceStepMalformedReply)


async def hold(ctx: EngineContext, job: JobRecord, server: Server, reason: str) -> None:
    """Keep the job queued but unsent until its server has been asked whether it arrived."""
    await jobs_repo.update_job(
        ctx.db,
        job.id,
        holder=ctx.claimant,
        expect=QUEUED_ONLY,
        doubt_server=server.name,
        doubt_total=server.expected_total,
        notes=[*job.notes, msg.submit_in_doubt(server.name, reason)],
    )


async def resolve(ctx: EngineContext, now: datetime) -> None:
    """Settle every submission in doubt whose server can be asked (or has been given up on)."""
    by_server: dict[str, list[JobRecord]] = defaultdict(list)
    for job in await jobs_repo.list_in_doubt(ctx.db, claimed_by=ctx.claimant):
        by_server[job.doubt_server or ""].append(job)
    for name, jobs in by_server.items():
        total = await _current_total(ctx, ctx.server_named(name), now)
        if isinstance(total, _Wait):
            continue
        for job in jobs:
            await _release(ctx, job, arrived=_arrived(job.doubt_total, total))


class _Wait:
    """Marker: the server cannot be asked yet; keep its jobs held."""


_WAIT = _Wait()


async def _current_total(
    ctx: EngineContext, server: Server | None, now: datetime
) -> int | _Wait | None:
    """The server's job total now; None when it cannot be known; `_WAIT` to ask again later."""
    if server is None:
        return None  # no longer configured: it cannot be asked
    if not server.accepts_work(now):
        return None if ctx.given_up(server, now) else _WAIT
    try:
        stats = await server.client.stats()
    except TRANSIENT as exc:
        server.mark_down(now, str(exc))
        return None if ctx.given_up(server, now) else _WAIT
    except e.AceStepError as exc:
        log.warning("cannot ask %s about a lost submission: %s", server.name, exc)
        return None
    server.note_stats(stats, now)
    return stats.total


def _arrived(before: int | None, now_total: int | None) -> bool:
    """Whether the submission may have reached the server: only an unchanged total rules it out.

    A lower total is ambiguous (a restart, or the server's daily sweep of old finished jobs
    hiding a new one), so it counts as arrived too.
    """
    if before is None or now_total is None:
        return True
    return now_total != before


async def _release(ctx: EngineContext, job: JobRecord, *, arrived: bool) -> None:
    server_name = job.doubt_server or "the server"
    changes: JobChanges = {"doubt_server": None, "doubt_total": None}
    if arrived:
        changes["duplicate_submissions"] = job.duplicate_submissions + 1
        note = msg.possible_duplicate(server_name)
        server = ctx.server_named(job.doubt_server)
        if server is not None:
            server.duplicate_submissions += 1
        log.warning("job %s: possible duplicate submission on %s", job.id, server_name)
    else:
        note = msg.submit_never_arrived(server_name)
    changes["notes"] = [*job.notes, note]
    await jobs_repo.update_job(ctx.db, job.id, holder=ctx.claimant, expect=QUEUED_ONLY, **changes)
