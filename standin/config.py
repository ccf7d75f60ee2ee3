"""The stand-in's configuration and the labels that mark its output as placeholder audio.

Everything the stand-in lists or reports as a model name starts with `PLACEHOLDER_MODEL_PREFIX`,
so the bot can tell placeholder tracks from real ones by `dit_model` alone.
"""

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from domain import constants as c

PLACEHOLDER_MODEL_PREFIX: Final = c.PLACEHOLDER_MODEL_PREFIX  # shared with the engine
PLACEHOLDER_LM_MODEL: Final = "acemusic-placeholder-lm"
PLACEHOLDER_NOTICE: Final = (
    "PLACEHOLDER AUDIO — synthesised by the acemusic built-in ACE-Step stand-in, not by an AI model"
)
SERVICE_NAME: Final = "ACE-Step API (acemusic stand-in, placeholder audio)"
SERVICE_VERSION: Final = "1.0"
AUDIO_SUBDIR: Final = "api_audio"
DEFAULT_MODELS: Final = ("acemusic-placeholder-turbo", "acemusic-placeholder-base")

# Limits of the real server that the stand-in copies (ACESTEP_API.md §4.3, §5.3, §6).
DEFAULT_BATCH_SIZE: Final = 2
DEFAULT_INFERENCE_STEPS: Final = 8
DEFAULT_GUIDANCE_SCALE: Final = 7.0
RANDOM_DURATION_S: Final = (10.0, 120.0)  # no duration and no LM: the handler picks uniformly
INITIAL_AVG_JOB_S: Final = 5.0
AVG_WINDOW: Final = 50
ENV_LABEL: Final = "development"

# Guards of the stand-in itself: it renders on the CPU, so an absurd request must not take the
# process down. They sit at the largest real GPU tier (600 s, 8 tracks) or above.
SAFETY_MAX_DURATION_S: Final = 600.0
SAFETY_MAX_BATCH: Final = 16

Flavour = Literal["head", "pypi"]


@dataclass(frozen=True)
class StandInConfig:
    """How the stand-in behaves; every field mirrors a knob of the real server or of a GPU."""

    audio_dir: Path  # files go under audio_dir / "api_audio"; /v1/audio serves only inside it
    job_seconds: float = 0.0  # simulated GPU time per job (the job takes at least this long)
    failure_rate: float = 0.0  # share of jobs that end with status 2 and no reason
    queue_maxsize: int = 200  # waiting jobs before 429; 0 means unbounded
    workers: int = 1
    api_key: str | None = None  # None: auth off ("" turns auth on with an empty key, as upstream)
    models: tuple[str, ...] = DEFAULT_MODELS  # the first is the primary model
    flavour: Flavour = "head"  # "pypi": the older PyPI build's wire shapes (ACESTEP_API.md §11)
    lm_available: bool = True  # False: /format_input 503, LM-only job options fail
    max_duration_s: float | None = None  # GPU-tier clamp of the audio length (HEAD only)
    max_batch: int | None = None  # GPU-tier clamp of the track count (HEAD only)
    job_cutoff_s: float = 3600.0  # in-progress jobs older than this read status 2
    seed: int | None = None  # makes the stand-in's random choices reproducible

    def __post_init__(self) -> None:
        problems = [*_range_problems(self), *_model_problems(self.models)]
        if self.flavour not in ("head", "pypi"):
            problems.append(f"flavour must be 'head' or 'pypi', not {self.flavour!r}")
        if problems:
            raise ValueError("invalid stand-in configuration: " + "; ".join(problems))

    @property
    def primary_model(self) -> str:
        """The model used when a request names none or an unknown one."""
        return self.models[0]


def _range_problems(config: StandInConfig) -> list[str]:
    checks = [
        (_non_negative(config.job_seconds), "job_seconds must be a finite number >= 0"),
        (0.0 <= config.failure_rate <= 1.0, "failure_rate must be between 0 and 1"),
        (config.queue_maxsize >= 0, "queue_maxsize must be >= 0 (0 means unbounded)"),
        (config.workers >= 1, "workers must be >= 1"),
        (_non_negative(config.job_cutoff_s), "job_cutoff_s must be a finite number >= 0"),
        (
            config.max_duration_s is None or _positive(config.max_duration_s),
            "max_duration_s must be a positive number or None",
        ),
        (config.max_batch is None or config.max_batch >= 1, "max_batch must be >= 1 or None"),
    ]
    return [message for ok, message in checks if not ok]


def _model_problems(models: tuple[str, ...]) -> list[str]:
    if not models:
        return ["models must name at least one model"]
    wrong = [name for name in models if not name.startswith(PLACEHOLDER_MODEL_PREFIX)]
    if wrong:
        return [f"model names must start with {PLACEHOLDER_MODEL_PREFIX!r}: {', '.join(wrong)}"]
    return []


def _non_negative(value: float) -> bool:
    return math.isfinite(value) and value >= 0


def _positive(value: float) -> bool:
    return math.isfinite(value) and value > 0
