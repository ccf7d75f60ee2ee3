"""`/music cancel N` and `/music cancel batch N`: cancel a job, or every unfinished job of a batch.

One rule for every way in (the text command, a card's Cancel, a digest's Cancel batch): only the
person who asked, an admin, or the operator at the terminal may cancel (`Caller.may_manage`).
"""

from commands import messages as msg
from commands.context import Caller
from commands.errors import UsageError
from commands.ports import CommandServices
from commands.replies import Reply
from storage import batches as batches_repo
from storage import jobs as jobs_repo


async def cancel(text: str, services: CommandServices, caller: Caller) -> Reply:
    """cancel N — cancel job N (its tracks are not posted); `cancel batch N` cancels a batch"""
    words = text.split(maxsplit=1)
    if words and words[0].lower() == "batch":
        rest = words[1] if len(words) > 1 else ""
        batch_id = parse_job_id(rest, example="/music cancel batch 3", what="batch")
        return await cancel_batch(services, caller, batch_id)
    return await cancel_job(services, caller, parse_job_id(text, example="/music cancel 12"))


async def cancel_job(services: CommandServices, caller: Caller, job_id: int) -> Reply:
    """Cancel one job, if it is the caller's to cancel and has not finished."""
    job = await jobs_repo.get_job(services.db, job_id)
    if job is None:
        return _refused(msg.no_such_job(job_id))
    if not caller.may_manage(job.requested_by):
        return _refused(msg.not_yours(f"Job #{job_id}", "cancel"))
    cancelled = await services.engine.cancel(job_id)
    if cancelled is None:
        return _refused(msg.already_finished(job_id, job.status))
    return Reply(text=msg.cancelled(job_id), lines=tuple(cancelled.notes[-1:]))


async def cancel_batch(services: CommandServices, caller: Caller, batch_id: int) -> Reply:
    """Cancel every unfinished job of a batch, if it is the caller's to cancel."""
    batch = await batches_repo.get_batch(services.db, batch_id)
    if batch is None:
        return _refused(msg.no_such_batch(batch_id))
    if not caller.may_manage(batch.requested_by):
        return _refused(msg.not_yours(f"Batch #{batch_id}", "cancel"))
    cancelled = await services.engine.cancel_batch(batch_id)
    return Reply(text=msg.batch_cancelled(batch_id, cancelled), ephemeral=True)


def parse_job_id(text: str, *, example: str, what: str = "job") -> int:
    """A job (or batch) number such as `12` or `#12`."""
    cleaned = text.strip().lstrip("#")
    if not cleaned.isdigit():
        raise UsageError(f"'{text.strip() or '(nothing)'}' is not a {what} number.", example)
    return int(cleaned)


def _refused(text: str) -> Reply:
    return Reply(text=text, ephemeral=True, ok=False)
