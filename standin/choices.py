"""The creative inputs of a job after the stand-in LM has had its say.

A description (`sample_query` / `sample_mode`) replaces caption, lyrics and every musical field;
`use_format` enriches the caption and fills open fields but keeps what was given; otherwise the
request's own values stand. `invented` is the LM's answer for whatever is still open: `metas`
report it only when the LM fills metadata, but the audio always uses it.
"""

import math
import random
from dataclasses import dataclass

from standin import lm
from standin.request import JobRequest

NOT_AVAILABLE = "N/A"


@dataclass(frozen=True)
class Choices:
    """Caption, lyrics and musical fields as the job will use them."""

    caption: str
    lyrics: str
    bpm: int | None
    key_scale: str
    time_signature: str
    duration: float | None
    invented: lm.Metadata

    def bpm_or_invented(self) -> int:
        """The tempo to render."""
        return self.bpm if self.bpm else self.invented.bpm

    def metas(self, request: JobRequest, *, lm_fills: bool) -> dict[str, object]:
        """The result's `metas`: values used, "N/A" where nothing filled them."""
        invented = self.invented
        return {
            "bpm": _reported(self.bpm, invented.bpm, lm_fills),
            "duration": _reported_duration(self.duration, invented.duration_s, lm_fills),
            "genres": NOT_AVAILABLE,  # the real LM is told to skip genres
            "keyscale": _reported(self.key_scale, invented.key_scale, lm_fills),
            "timesignature": _reported(self.time_signature, invented.time_signature, lm_fills),
            "prompt": request.prompt,
            "lyrics": request.lyrics,
        }


def choose(request: JobRequest, rng: random.Random) -> Choices:
    """Apply sample/format rules to the request (LM availability is checked by the caller)."""
    if request.sample_mode or request.sample_query.strip():
        return _from_sample(request, rng)
    given = Choices(
        caption=request.prompt,
        lyrics=request.lyrics,
        bpm=request.bpm,
        key_scale=request.key_scale,
        time_signature=request.time_signature,
        duration=request.audio_duration,
        invented=lm.invent_metadata(request.prompt, rng),
    )
    if request.use_format and (request.prompt or request.lyrics):
        return _formatted(given, request)
    return given


def _from_sample(request: JobRequest, rng: random.Random) -> Choices:
    sample = lm.sample_from_query(request.sample_query, request.vocal_language, rng)
    meta = sample.metadata
    return Choices(
        caption=sample.caption,
        lyrics=sample.lyrics,
        bpm=meta.bpm,
        key_scale=meta.key_scale,
        time_signature=meta.time_signature,
        duration=float(meta.duration_s),
        invented=meta,
    )


def _formatted(given: Choices, request: JobRequest) -> Choices:
    language = request.vocal_language if request.vocal_language != "unknown" else ""
    result = lm.format_input(
        given.caption,
        given.lyrics,
        bpm=given.bpm,
        key_scale=given.key_scale,
        time_signature=given.time_signature,
        duration=given.duration,
        language=language,
    )
    keep_duration = given.duration is not None and given.duration > 0
    return Choices(
        caption=result.caption,
        lyrics=result.lyrics,
        bpm=result.bpm,
        key_scale=result.key_scale,
        time_signature=result.time_signature,
        duration=given.duration if keep_duration else result.duration,
        invented=given.invented,
    )


def _reported(given: object, invented: object, lm_fills: bool) -> object:
    if given:
        return given
    return invented if lm_fills else NOT_AVAILABLE


def _reported_duration(given: float | None, invented: int, lm_fills: bool) -> object:
    if given is not None and math.isfinite(given) and given > 0:
        return given
    if lm_fills:
        return invented
    return given if given else NOT_AVAILABLE
