"""`/music <what to make>`: turn free text into a generation job (the default verb)."""

import secrets

from bot.engine.acestep.errors import AceStepError
from bot.engine.acestep.wire import match_model
from bot.services import Services
from bot.settings import Settings
from commands import messages as msg
from commands.context import Caller
from commands.errors import UsageError
from commands.parsing import GenerationDefaults, parse_generation
from commands.queueing import queue_request
from commands.replies import Reply
from commands.status import estimate_wait
from storage import jobs as jobs_repo

MODEL_EXAMPLE = "/music spa ambient 4min model=turbo"


def defaults_from(settings: Settings) -> GenerationDefaults:
    """The values a request gets for whatever it leaves out."""
    return GenerationDefaults(
        duration_s=settings.default_duration_seconds,
        variants=settings.default_variants,
        audio_format=settings.default_format,
    )


async def generate(text: str, services: Services, caller: Caller) -> Reply:
    """<what to make> [3min] [x2] [120bpm] [in D minor] [3/4] [enhance] [lyrics: …] — make music, e.g. `hotel lobby jazz 3min`"""  # noqa: E501
    parsed = parse_generation(
        text,
        presets=services.presets,
        defaults=defaults_from(services.settings),
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
        text=msg.wait_estimate(ahead, await estimate_wait(services, ahead)),
        fields=tuple(parsed.request.summary().items()),
        lines=tuple(lines),
        job_ids=(job.id,),
    )


async def _check_model(services: Services, wanted: str) -> None:
    """Refuse a model no server has (the server itself would silently use its default)."""
    for server in services.servers:
        try:
            available = (await server.client.models()).names
        except AceStepError:
            continue  # unreachable now; the engine checks again when it sends the job
        try:
            match_model(wanted, available)
        except ValueError as exc:
            raise UsageError(msg.model_not_found(wanted, str(exc)), MODEL_EXAMPLE) from exc
        return
