"""Follow-ups on a finished job: a refinement from a thread reply, or the same request again.

Not verbs of their own: the adapter calls these when someone replies in a job's thread or presses
a card's button, and passes the job the follow-up derives from. The new job is linked to the
parent job's first track and posted in the same thread.
"""

import secrets

from commands.context import Caller
from commands.parsing.refine import parse_refinement
from commands.ports import CommandServices
from commands.queueing import first_track_id, queue_request
from commands.replies import Reply
from domain.records import JobRecord
from domain.request import GenerationRequest


async def refine(
    text: str, services: CommandServices, caller: Caller, *, parent: JobRecord
) -> Reply:
    """A new job derived from `parent`'s request by what the reply says."""
    parsed = parse_refinement(
        text,
        parent=parent.generation,
        presets=services.presets,
        rng_seed=secrets.randbelow(2**31),
    )
    changed = f"Changed from job #{parent.id}: {'; '.join(parsed.changes)}."
    notes = (changed, *parsed.notes)
    reply = await _queue(services, caller, parent, parsed.request, notes=notes)
    if not reply.ok:
        return reply
    return Reply(
        title=f"Job #{reply.job_ids[0]} queued — a refinement of job #{parent.id}",
        text="; ".join(parsed.changes) or "same settings, new takes",
        fields=tuple(parsed.request.summary().items()),
        lines=parsed.notes,
        job_ids=reply.job_ids,
    )


async def repeat(
    services: CommandServices, caller: Caller, *, parent: JobRecord, variants: int | None = None
) -> Reply:
    """`parent`'s request again (new takes), optionally with another number of variants."""
    request = parent.generation
    if variants is not None:
        request = request.model_copy(update={"variants": variants})
    reply = await _queue(services, caller, parent, request, notes=())
    if not reply.ok:
        return reply
    takes = f"{request.variants} more take(s)"
    return Reply(
        title=f"Job #{reply.job_ids[0]} queued — {takes} like job #{parent.id}",
        text="Same settings; the server picks new seeds.",
        job_ids=reply.job_ids,
    )


async def _queue(
    services: CommandServices,
    caller: Caller,
    parent: JobRecord,
    request: GenerationRequest,
    *,
    notes: tuple[str, ...],
) -> Reply:
    first = await first_track_id(services, parent.id)
    job = await queue_request(services, caller, request, notes=notes, parent_track_id=first)
    if isinstance(job, Reply):
        return job
    return Reply(text=f"Job #{job.id} queued.", job_ids=(job.id,))
