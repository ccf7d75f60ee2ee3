"""What the stand-in keeps across an emulated restart: configuration, test controls, results.

`Shared` is the part of the server that a process restart does not reset: the configuration,
the knobs tests turn, the on-disk result cache, the seeded random generator and the request
counters used by benchmarks.
"""

import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from standin.config import AUDIO_SUBDIR, StandInConfig
from standin.store import ResultCache


@dataclass
class Controls:
    """Knobs that may change while the stand-in runs (see `StandInServer` for the setters)."""

    job_seconds: float  # simulated GPU time per job
    failure_rate: float  # share of jobs that fail
    format_error: str | None = None  # set: /format_input answers HTTP 200 with code 500
    paused: bool = False  # workers take no new job while paused


@dataclass
class Shared:
    """Everything that outlives one emulated server process."""

    config: StandInConfig
    controls: Controls
    audio_dir: Path  # absolute path of <audio_dir>/api_audio
    rng: random.Random
    cache: ResultCache = field(default_factory=ResultCache)
    request_counts: Counter[str] = field(default_factory=Counter)

    @classmethod
    def from_config(cls, config: StandInConfig) -> Self:
        """Resolve and create the audio folder; seed the generator."""
        audio_dir = (config.audio_dir.expanduser().resolve() / AUDIO_SUBDIR).resolve()
        audio_dir.mkdir(parents=True, exist_ok=True)
        controls = Controls(job_seconds=config.job_seconds, failure_rate=config.failure_rate)
        return cls(config, controls, audio_dir, random.Random(config.seed))
