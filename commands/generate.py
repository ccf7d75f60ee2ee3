"""`/music <what to make>`: turn free text into a generation job (the default verb)."""

import secrets

from commands import messages as msg
from commands.context import Caller
from commands.errors import UsageError
from commands.parsing import parse_generation
from commands.ports import CommandServices
from commands.queueing import first_track_id, queue_request
from commands.replies import Reply
from domain.request import GenerationRequest
from storage import jobs as jobs_repo

MODEL_EXAMPLE = "/music spa ambient 4min model=turbo"


async def generate(text: str, services: CommandServices, caller: Caller) -> Reply:
    """<what to make> [3min] [x2] [120bpm] [in D minor] [3/4] [enhance] [lyrics: …] — make music, e.g. `hotel lobby jazz 3min`"""  # noqa: E501
    parsed = parse_generation(
        text,
        presets=services.presets,
        defaults=services.policy.defaults,
        rng_seed=secrets.randbelow(2**31),
    )
    if parsed.request.model:
        await _check_model(services, parsed.request.model)
    job = await queue_request(services, caller, parsed.request, notes=parsed.notes)
    if isinstance(job, Reply):
        return job
    ahead = await jobs_repo.queued_ahead(services.db, job)
    lines = [*job.notes]
    if services.placeholder_engine:
        lines.append(msg.PLACEHOLDER_WARNING)
    return Reply(
        title=msg.job_queued(job.id),
        text=msg.wait_estimate(ahead, await services.engine.estimate_wait(ahead)),
        fields=tuple(parsed.request.summary().items()),
        lines=tuple(lines),
        job_ids=(job.id,),
    )


async def generate_from_form(
    services: CommandServices,
    caller: Caller,
    request: GenerationRequest,
    *,
    parent_job_id: int | None = None,
) -> Reply:
    """A request made with the `/music` form (already validated by the adapter's form); with
    `parent_job_id` (the form opened by a card's Refine…), linked to that job's first track."""
    parent_track = None if parent_job_id is None else await first_track_id(services, parent_job_id)
    job = await queue_request(services, caller, request, parent_track_id=parent_track)
    return job if isinstance(job, Reply) else Reply(text="queued", job_ids=(job.id,))


async def _check_model(services: CommandServices, wanted: str) -> None:
    """Refuse a model no server has (the server itself would silently use its default)."""
    problem = await services.fleet.model_problem(wanted)
    if problem is not None:
        raise UsageError(msg.model_not_found(wanted, problem), MODEL_EXAMPLE)
