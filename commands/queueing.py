"""Queueing a request for a caller: the admission check, then the job. Used by every verb."""

from collections.abc import Sequence

from commands.context import Caller
from commands.ports import CommandServices
from commands.replies import Reply
from domain.records import JobRecord
from domain.request import GenerationRequest
from storage import tracks as tracks_repo


async def queue_request(
    services: CommandServices,
    caller: Caller,
    request: GenerationRequest,
    *,
    notes: Sequence[str] = (),
    parent_track_id: int | None = None,
) -> JobRecord | Reply:
    """The new job, or a private refusal when the caller's policy does not admit it."""
    refusal = await caller.refusal(request.variants)
    if refusal:
        return Reply(text=refusal, ephemeral=True, ok=False)
    return await services.engine.enqueue(
        request,
        origin=caller.origin,
        requested_by=caller.user_id,
        channel_id=caller.channel_id,
        thread_ts=caller.thread_ts,
        parent_track_id=parent_track_id,
        notes=notes,
    )


async def first_track_id(services: CommandServices, job_id: int) -> int | None:
    """The first track a job made (what a follow-up of that job is linked to), if any."""
    first = await tracks_repo.list_tracks(services.db, job_ids=[job_id], limit=1, oldest_first=True)
    return first[0].id if first else None
