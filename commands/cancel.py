"""`/music cancel N`: cancel a job that has not finished."""

from bot.services import Services
from commands import messages as msg
from commands.context import Caller
from commands.errors import UsageError
from commands.replies import Reply
from storage import jobs as jobs_repo


async def cancel(text: str, services: Services, caller: Caller) -> Reply:
    """cancel N — cancel job N (its tracks are not posted)"""
    job_id = parse_job_id(text, example="/music cancel 12")
    job = await jobs_repo.get_job(services.db, job_id)
    if job is None:
        return Reply(text=msg.no_such_job(job_id), ephemeral=True, ok=False)
    cancelled = await services.engine.cancel(job_id)
    if cancelled is None:
        return Reply(text=msg.already_finished(job_id, job.status), ephemeral=True, ok=False)
    return Reply(text=msg.cancelled(job_id), lines=tuple(cancelled.notes[-1:]))


def parse_job_id(text: str, *, example: str) -> int:
    """A job number such as `12` or `#12`."""
    cleaned = text.strip().lstrip("#")
    if not cleaned.isdigit():
        raise UsageError(f"'{text.strip() or '(nothing)'}' is not a job number.", example)
    return int(cleaned)
