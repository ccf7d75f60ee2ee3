"""Pure translation between the bot's requests and ACE-Step's wire format (no I/O).

The traps this module exists for (ACESTEP_API.md §4, §10): integer fields sent as JSON floats are
silently dropped, `format` is an alias of `use_format` (not `audio_format`), `batch_size` defaults
to 2, and unknown model names silently fall back to the primary model. Query-result parsing lives
in `bot.engine.acestep.results` and is re-exported here.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Final

from bot.engine.acestep.results import (
    ResultItem,
    TaskPhase,
    TaskState,
    parse_query_results,
    unknown_task,
)
from domain.constants import INSTRUMENTAL_LYRICS
from domain.request import GenerationRequest

__all__ = [
    "INSTRUMENTAL_LANGUAGE",
    "ResultItem",
    "TaskPhase",
    "TaskState",
    "bare_model_name",
    "build_release_payload",
    "check_release_payload",
    "match_model",
    "parse_query_results",
    "unknown_task",
]

INSTRUMENTAL_LANGUAGE: Final = "unknown"  # no vocals: do not let the server assume English
TASK_TYPE: Final = "text2music"
INTEGER_FIELDS: Final = frozenset({"batch_size", "bpm", "seed", "inference_steps", "lm_top_k"})
REQUIRED_FIELDS: Final = ("prompt", "lyrics", "vocal_language", "audio_format", "batch_size")
FORBIDDEN_FIELDS: Final = {
    "format": "'format' is the server's alias of use_format; send 'audio_format' instead",
    "ai_token": "the API key goes in the Authorization header, never in the body",
}


def build_release_payload(request: GenerationRequest, *, model: str | None) -> dict[str, object]:
    """The `/release_task` JSON body for a request.

    `model` is a bare server model name already matched with `match_model` (None: the server's
    primary model); `request.model` is not read. Prompt enhancement (`request.enhance`) is the
    caller's job through `/format_input`, so `use_format` is always sent as false.
    """
    payload: dict[str, object] = {
        "task_type": TASK_TYPE,
        "prompt": request.caption,
        "lyrics": INSTRUMENTAL_LYRICS if request.instrumental else request.lyrics,
        "vocal_language": INSTRUMENTAL_LANGUAGE if request.instrumental else request.language,
        "audio_duration": int(request.duration_s),
        "batch_size": int(request.variants),
        "audio_format": request.audio_format,
        "use_format": False,
        "thinking": request.thinking,
        **_seed_fields(request.seed),
        **_optional_fields(request),
    }
    if model is not None:
        payload["model"] = model
    check_release_payload(payload)
    return payload


def _seed_fields(seed: int | None) -> dict[str, object]:
    # The HEAD server ignores both fields (every take gets a random seed); sent for older builds
    # and for the record.
    if seed is None:
        return {"use_random_seed": True, "seed": -1}
    return {"use_random_seed": False, "seed": int(seed)}


def _optional_fields(request: GenerationRequest) -> dict[str, object]:
    fields: dict[str, object] = {
        "bpm": None if request.bpm is None else int(request.bpm),
        "key_scale": request.key_scale,
        "time_signature": request.time_signature,
        "inference_steps": None
        if request.inference_steps is None
        else int(request.inference_steps),
        "guidance_scale": request.guidance_scale,
    }
    return {name: value for name, value in fields.items() if value is not None}


def check_release_payload(payload: Mapping[str, object]) -> None:
    """Refuse a body the server would silently misread; raises ValueError (a programming error)."""
    for name, reason in FORBIDDEN_FIELDS.items():
        if name in payload:
            raise ValueError(f"release payload must not contain '{name}': {reason}")
    missing = [name for name in REQUIRED_FIELDS if name not in payload]
    if missing:
        raise ValueError(f"release payload lacks {', '.join(missing)}")
    for name in INTEGER_FIELDS & payload.keys():
        value = payload[name]
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(
                f"release payload field '{name}' must be a JSON integer, not {value!r}"
            )


def bare_model_name(model_id: str) -> str:
    """`"acestep/acestep-v15-turbo"` -> `"acestep-v15-turbo"` (the form `/release_task` accepts)."""
    return model_id.strip().replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


_MatchRule = Callable[[str, str], bool]
_RULES: Final[tuple[_MatchRule, ...]] = (
    lambda name, wanted: name == wanted,
    lambda name, wanted: name.endswith(wanted),
    lambda name, wanted: wanted in name,
)


def match_model(wanted: str, available: Sequence[str]) -> str:
    """The server's bare name for `wanted`: exact, else a unique case-insensitive suffix/substring.

    Raises ValueError naming the available models when nothing or more than one model matches.
    """
    names = list(dict.fromkeys(bare_model_name(n) for n in available if n.strip()))
    target = bare_model_name(wanted)
    if not target:
        raise ValueError("no model name given")
    if not names:
        raise ValueError("the server lists no models")
    if target in names:
        return target
    for rule in _RULES:
        hits = [name for name in names if rule(name.casefold(), target.casefold())]
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise ValueError(f"model '{wanted}' is ambiguous: it matches {', '.join(hits)}")
    raise ValueError(f"no model '{wanted}' on this server; it has {', '.join(names)}")
