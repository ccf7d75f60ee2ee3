"""What the client returns, and the pure parsers that build it from reply bodies.

Each parser takes the decoded JSON of one endpoint's reply plus its `CallContext` and raises
`AceStepMalformedReply` for any shape it does not expect.
"""

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from bot.engine.acestep.replies import CallContext, unwrap_envelope, validate
from bot.engine.acestep.results import loose_number, loose_text
from bot.engine.acestep.wire import bare_model_name
from domain.servers import ModelList, ServerStats


@dataclass(frozen=True)
class Submission:
    """A task the server accepted."""

    task_id: str
    queue_position: int | None  # waiting jobs including this one at submit time; never updated


@dataclass(frozen=True)
class FormattedPrompt:
    """`/format_input`: the LM's caption and lyrics plus metadata (each falls back to the input)."""

    caption: str
    lyrics: str
    bpm: int | None
    key_scale: str | None
    time_signature: str | None
    duration_s: float | None
    language: str | None


@dataclass(frozen=True)
class DownloadedFile:
    """An audio file saved locally."""

    path: Path
    size: int
    content_type: str | None


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)


class _SubmitData(_Lenient):
    task_id: str = Field(min_length=1)
    queue_position: int | None = None


class _JobCounts(_Lenient):
    total: int
    queued: int
    running: int
    succeeded: int
    failed: int


class _StatsData(_Lenient):
    jobs: _JobCounts
    queue_size: int
    queue_maxsize: int
    avg_job_seconds: float


class _NamedModel(_Lenient):
    name: str = Field(min_length=1)
    is_default: bool = False


class _WrappedModels(_Lenient):  # the app's own route (PyPI build)
    models: list[_NamedModel]
    default_model: str | None = None


class _OpenRouterModel(_Lenient):
    id: str = Field(min_length=1)


class _OpenRouterModels(_Lenient):  # HEAD: OpenRouter shape, unwrapped
    data: list[_OpenRouterModel]


class _FormatData(_Lenient):
    caption: str | None = None
    lyrics: str | None = None
    bpm: object = None
    key_scale: object = None
    time_signature: object = None
    duration: object = None
    vocal_language: str | None = None


def parse_submission(data: object, ctx: CallContext) -> Submission:
    """`/release_task` data: `{"task_id", "status": "queued", "queue_position"}`."""
    reply = validate(_SubmitData, data, ctx, "task submission")
    return Submission(task_id=reply.task_id, queue_position=reply.queue_position)


def parse_stats(data: object, ctx: CallContext) -> ServerStats:
    """`/v1/stats` data."""
    reply = validate(_StatsData, data, ctx, "server stats")
    jobs = reply.jobs
    return ServerStats(
        queued=jobs.queued,
        running=jobs.running,
        succeeded=jobs.succeeded,
        failed=jobs.failed,
        total=jobs.total,
        queue_size=reply.queue_size,
        queue_maxsize=reply.queue_maxsize,
        avg_job_seconds=reply.avg_job_seconds,
    )


def parse_models(body: object, ctx: CallContext) -> ModelList:
    """`/v1/models`, wrapped `{models, default_model}` (PyPI) or OpenRouter `{data}` (HEAD).

    The OpenRouter list has no default flag; the server lists its primary model first.
    """
    if isinstance(body, dict) and "code" in body:
        wrapped = validate(_WrappedModels, unwrap_envelope(body, ctx), ctx, "model list")
        names = tuple(dict.fromkeys(bare_model_name(m.name) for m in wrapped.models))
        flagged = next((m.name for m in wrapped.models if m.is_default), None)
        default = wrapped.default_model or flagged
        return ModelList(names=names, default=bare_model_name(default) if default else None)
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        listed = validate(_OpenRouterModels, body, ctx, "model list")
        names = tuple(dict.fromkeys(bare_model_name(m.id) for m in listed.data))
        return ModelList(names=names, default=names[0] if names else None)
    raise ctx.malformed("expected {models, default_model} or an OpenRouter model list", body)


def parse_formatted(
    data: object, ctx: CallContext, *, caption: str, lyrics: str
) -> FormattedPrompt:
    """`/format_input` data; empty values fall back to the caption and lyrics that were sent."""
    reply = validate(_FormatData, data, ctx, "formatted prompt")
    bpm = loose_number(reply.bpm)
    duration = loose_number(reply.duration)
    return FormattedPrompt(
        caption=reply.caption or caption,
        lyrics=reply.lyrics or lyrics,
        bpm=round(bpm) if bpm is not None and bpm > 0 else None,
        key_scale=loose_text(reply.key_scale),
        time_signature=loose_text(reply.time_signature),
        duration_s=duration if duration is not None and duration > 0 else None,
        language=(reply.vocal_language or "").strip() or None,
    )
