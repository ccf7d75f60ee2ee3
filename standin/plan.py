"""From a parsed request to a plan: what to render, and what to report (ACESTEP_API.md §4.3, §5.2).

The choices copy the real pipeline's: options that need the LM fail without it; a description
(`sample_query`) overrides everything; `use_format` enriches the caption and fills open fields;
otherwise the LM (when available) fills open fields and `metas` report them, and without it they
read "N/A" while the audio still gets a tempo, key and length. Seeds are always random.
"""

import math
import random
from dataclasses import dataclass

from domain.constants import AUDIO_FORMATS, BPM_MAX, BPM_MIN, AudioFormat, TimeSignature
from domain.music import MusicError, parse_key, parse_time_signature
from standin.audio.synth import Arrangement
from standin.choices import Choices, choose
from standin.config import (
    DEFAULT_BATCH_SIZE,
    RANDOM_DURATION_S,
    SAFETY_MAX_BATCH,
    SAFETY_MAX_DURATION_S,
    StandInConfig,
)
from standin.errors import JobFailure
from standin.request import JobRequest

LM_INIT_ERROR = "LLM not initialized at startup (the stand-in runs with lm_available=False)"
LM_MISSING = f"5Hz LM init failed: {LM_INIT_ERROR}"
SOURCE_TASKS = frozenset({"repaint", "lego", "extract", "complete"})
LM_SKIPPING_TASKS = frozenset({"cover", "repaint"})  # upstream runs these without the LM
SEED_SPACE = 2**32


@dataclass(frozen=True)
class JobPlan:
    """Everything a worker needs to render a job and describe its result."""

    model: str
    prompt: str  # the final caption (rewritten by use_format / sample_query)
    lyrics: str
    metas: dict[str, object]  # as reported: requested or LM-chosen values, else "N/A"
    bpm: int  # what is rendered (always concrete)
    key_scale: str
    time_signature: TimeSignature
    duration_s: float
    seeds: tuple[int, ...]  # one per track
    audio_format: AudioFormat
    extension: str  # as the file name shows it ("MP3" stays "MP3", like upstream)
    inference_steps: int
    uses_lm: bool
    thinking: bool
    analysis_only: bool

    def arrangement(self, seed: int) -> Arrangement:
        """The placeholder arrangement of one track."""
        return Arrangement(
            duration_s=self.duration_s,
            bpm=self.bpm,
            key_scale=self.key_scale,
            time_signature=self.time_signature,
            seed=seed,
            caption=self.prompt,
        )


def wants_lm(request: JobRequest) -> bool:
    """Whether the job asks for the LM at all (upstream records an LM init error if so)."""
    return request.use_cot_caption or request.use_cot_language or requires_lm(request)


def requires_lm(request: JobRequest) -> bool:
    """Options that fail the job when the LM is missing."""
    return bool(
        request.thinking
        or request.sample_mode
        or request.sample_query.strip()
        or request.use_format
        or request.full_analysis_only
    )


def make_plan(request: JobRequest, *, config: StandInConfig, rng: random.Random) -> JobPlan:
    """The plan for one job; raises `JobFailure` where the real server's job would fail."""
    _check_feasible(request, config)
    lm = config.lm_available and not _skips_lm(request)
    choices = choose(request, rng)
    fmt, extension = _output_format(request.audio_format)
    return JobPlan(
        model=request.model if request.model in config.models else config.primary_model,
        prompt=choices.caption,
        lyrics=choices.lyrics,
        metas=choices.metas(request, lm_fills=lm),
        bpm=min(max(choices.bpm_or_invented(), BPM_MIN), BPM_MAX),
        key_scale=_key(choices),
        time_signature=_metre(choices),
        duration_s=_render_duration(choices, rng, config, lm_fills=lm),
        seeds=_seeds(request, config, rng),
        audio_format=fmt,
        extension=extension,
        inference_steps=request.inference_steps,
        uses_lm=lm,
        thinking=request.thinking,
        analysis_only=request.analysis_only,
    )


def _skips_lm(request: JobRequest) -> bool:
    """Upstream skips the LM for cover and repaint, but a cover without source is text2music."""
    has_source = bool(request.src_audio_path or request.reference_audio_path)
    if request.task_type == "cover":
        return has_source
    return request.task_type in LM_SKIPPING_TASKS


def _seeds(request: JobRequest, config: StandInConfig, rng: random.Random) -> tuple[int, ...]:
    """Random seeds, one per track (analysis-only jobs make no tracks)."""
    if request.analysis_only:
        return ()
    return tuple(rng.randrange(SEED_SPACE) for _ in range(_track_count(request, config)))


def _check_feasible(request: JobRequest, config: StandInConfig) -> None:
    if requires_lm(request) and not config.lm_available:
        raise JobFailure(LM_MISSING)
    if request.analysis_only and not config.lm_available:
        raise JobFailure("analysis_only needs the LM: 'NoneType' object has no attribute")
    if request.full_analysis_only:
        raise JobFailure("full_analysis_only needs real audio understanding (not in the stand-in)")
    if request.task_type in SOURCE_TASKS and not request.src_audio_path:
        raise JobFailure(f"task_type {request.task_type!r} needs source audio (src_audio_path)")


def _output_format(requested: str) -> tuple[AudioFormat, str]:
    """Unsupported formats silently become FLAC (ACESTEP_API.md §4.3)."""
    lowered = requested.lower()
    for fmt in AUDIO_FORMATS:
        if lowered == fmt:
            return fmt, requested
    return "flac", "flac"


def _key(choices: Choices) -> str:
    try:
        return parse_key(choices.key_scale) if choices.key_scale else choices.invented.key_scale
    except MusicError:
        return choices.invented.key_scale


def _metre(choices: Choices) -> TimeSignature:
    try:
        if choices.time_signature:
            return parse_time_signature(choices.time_signature)
    except MusicError:
        pass
    return choices.invented.time_signature


def _render_duration(
    choices: Choices, rng: random.Random, config: StandInConfig, *, lm_fills: bool
) -> float:
    """Requested length, else the LM's (or a random 10-120 s); clamped like a GPU tier would."""
    given = choices.duration
    if given is not None and math.isfinite(given) and given > 0:
        seconds = given
    elif lm_fills:
        seconds = float(choices.invented.duration_s)
    else:
        seconds = rng.uniform(*RANDOM_DURATION_S)
    if config.flavour == "head" and config.max_duration_s is not None:
        seconds = min(seconds, config.max_duration_s)
    return min(seconds, SAFETY_MAX_DURATION_S)


def _track_count(request: JobRequest, config: StandInConfig) -> int:
    count = max(1, DEFAULT_BATCH_SIZE if request.batch_size is None else request.batch_size)
    if config.flavour == "head" and config.max_batch is not None:
        count = min(count, config.max_batch)
    return min(count, SAFETY_MAX_BATCH)
