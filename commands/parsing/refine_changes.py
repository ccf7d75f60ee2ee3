"""What a refinement changed, in plain words, for the reply in the thread.

Settings are compared field by field with the parent ("tempo 86 → 73 bpm", "length 3:00 → 5:00",
"key → D minor", "3 variants", "preset hotel-lobby → spa"); caption edits describe themselves
("more piano", "drums removed from the description"). Nothing changed reads
"same settings, new takes".
"""

from collections.abc import Callable, Sequence
from typing import Final

from commands.parsing import messages as msg
from domain.music import display_time_signature
from domain.request import GenerationRequest, format_duration

Shown = Callable[[GenerationRequest], object]
_ENGINE: Final[tuple[tuple[str, Shown], ...]] = (
    ("format", lambda r: r.audio_format),
    ("model", lambda r: r.model),
    ("steps", lambda r: r.inference_steps),
    ("guidance", lambda r: None if r.guidance_scale is None else f"{r.guidance_scale:g}"),
    ("seed", lambda r: r.seed),
    ("language", lambda r: r.language),
)


def describe_changes(
    parent: GenerationRequest,
    request: GenerationRequest,
    caption: Sequence[str],
    voice: str | None,
) -> tuple[str, ...]:
    """Every change from `parent` to `request`, in the order people read a request."""
    lines = [
        *_music(parent, request),
        *caption,
        *([voice] if voice else []),
        *_engine(parent, request),
    ]
    return tuple(lines) or (msg.SAME_SETTINGS,)


def _music(parent: GenerationRequest, request: GenerationRequest) -> list[str]:
    lines = []
    if request.preset_id != parent.preset_id:
        lines.append(msg.change_value("preset", parent.preset_id, _shown(request.preset_id)))
    if request.bpm != parent.bpm:
        old = None if parent.bpm is None else str(parent.bpm)
        new = msg.SERVER_DECIDES if request.bpm is None else f"{request.bpm} bpm"
        lines.append(msg.change_value("tempo", old, new))
    if request.duration_s != parent.duration_s:
        old, new = format_duration(parent.duration_s), format_duration(request.duration_s)
        lines.append(msg.change_value("length", old, new))
    if request.key_scale != parent.key_scale:
        lines.append(msg.change_value("key", parent.key_scale, _shown(request.key_scale)))
    if request.time_signature != parent.time_signature:
        old_ts, new_ts = parent.time_signature, request.time_signature
        lines.append(
            msg.change_value(
                "time signature",
                display_time_signature(old_ts) if old_ts else None,
                display_time_signature(new_ts) if new_ts else msg.SERVER_DECIDES,
            )
        )
    if request.variants != parent.variants:
        lines.append(msg.change_variants(request.variants))
    return lines


def _engine(parent: GenerationRequest, request: GenerationRequest) -> list[str]:
    lines = []
    for label, shown in _ENGINE:
        old, new = shown(parent), shown(request)
        if old != new:
            lines.append(msg.change_value(label, _maybe(old), _shown(new)))
    if request.enhance != parent.enhance:
        lines.append(msg.change_enhance(request.enhance))
    return lines


def _maybe(value: object) -> str | None:
    return None if value is None else str(value)


def _shown(value: object) -> str:
    return msg.SERVER_DECIDES if value is None else str(value)
