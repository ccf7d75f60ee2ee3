"""Shared fixtures for the audio tests: a short placeholder track and a file writer."""

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from numpy.typing import NDArray

from standin.audio.synth import SAMPLE_RATE, Arrangement, render_placeholder

WriteFile = Callable[..., Path]


@pytest.fixture(scope="session")
def music() -> NDArray[np.float32]:
    """Twelve seconds of placeholder music (read-only: copy before changing it)."""
    track = render_placeholder(Arrangement(12.0, 100, "A minor", "4", seed=1))
    track.flags.writeable = False
    return track


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """Write samples with soundfile directly (any subtype, rate or channel count)."""

    def write(
        samples: NDArray[np.floating],
        name: str = "take.wav",
        *,
        rate: int = SAMPLE_RATE,
        subtype: str | None = "PCM_16",
    ) -> Path:
        path = tmp_path / name
        sf.write(path, samples, rate, subtype=subtype)
        return path

    return write
