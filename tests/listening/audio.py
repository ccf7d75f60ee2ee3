"""Small synthesised reference tracks for listening-test tests (real files, real codecs)."""

from pathlib import Path

import numpy as np

from audiofile.codec import write_audio
from domain.constants import AudioFormat

RATE = 22_050


def tone(path: Path, seconds: float, *, hz: float = 220.0, fmt: AudioFormat = "wav") -> Path:
    """A quiet stereo sine of `seconds` at `hz`, written as `fmt`."""
    t = np.arange(int(seconds * RATE), dtype=np.float32) / RATE
    mono = 0.2 * np.sin(2 * np.pi * hz * t, dtype=np.float32)
    write_audio(np.stack([mono, mono], axis=1), RATE, path, fmt)
    return path
