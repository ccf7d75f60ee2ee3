"""Rendering finished files whose loudness and true peak are measured on what was written.

Shared by the blinded listening files (`blind.py`) and the catalogue's delivery files
(`delivery.py`):
- `load_stereo`: decode a source and bring it to 48 kHz stereo float32 (other rates resampled
  with scipy's polyphase filter, mono duplicated to both channels);
- `measure_level`: integrated loudness and true peak (libebur128) of audio that has both;
- `encode_measured`: encode at a gain to a temporary file beside the destination, delete every tag
  mutagen finds, decode the file again and measure it: what a listener or a music service gets,
  not what was meant to be written;
- `temporaries`: temporary files deleted on the way out unless they were renamed into place.

Everything here is synchronous and CPU-bound: call it from the audio process pool
(`bot.engine.audio.workers`) or a worker thread. `RenderError` messages are fit for users.
"""

import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import mutagen.apev2
import mutagen.flac
import mutagen.mp3
import mutagen.wave
import numpy as np

from audiofile.codec import AudioDecodeError, Frames, encode_audio, read_audio
from bot.engine.audio.loudness import measure_loudness
from domain.constants import AudioFormat

SAMPLE_RATE: Final = 48_000
CHANNELS: Final = 2
MP3_KBPS: Final = 320  # transparent: the codec should not be what listeners hear
FORMATS: Final[dict[str, AudioFormat]] = {".mp3": "mp3", ".wav": "wav", ".flac": "flac"}
_TAGGED: Final = {"mp3": mutagen.mp3.MP3, "wav": mutagen.wave.WAVE, "flac": mutagen.flac.FLAC}


class RenderError(Exception):
    """A file cannot be rendered; the message says why, for users."""


@dataclass(frozen=True)
class Level:
    """Integrated loudness (LUFS) and true peak (dBTP) of audio that has both."""

    lufs: float
    peak_dbtp: float


@dataclass(frozen=True)
class Written:
    """A file encoded to a temporary name, and what it measures decoded again."""

    temporary: Path
    level: Level
    frames: int

    @property
    def duration_s(self) -> float:
        """Its length in seconds (the rate is always `SAMPLE_RATE`)."""
        return self.frames / SAMPLE_RATE


def load_stereo(path: Path, what: str) -> Frames:
    """Decode `path` as 48 kHz stereo float32; `what` names it in errors ("The reference track")."""
    try:
        samples, rate = read_audio(path)
    except AudioDecodeError as exc:
        raise RenderError(f"{what} cannot be used: {exc}") from exc
    if not len(samples):
        raise RenderError(f"{what} {path.name} holds no audio")
    if samples.shape[1] > CHANNELS:
        raise RenderError(
            f"{what} {path.name} has {samples.shape[1]} channels; "
            "these files are stereo, so mix it down to stereo first"
        )
    if not np.isfinite(samples).all():
        raise RenderError(f"{what} {path.name} has broken (NaN or infinite) samples")
    if rate != SAMPLE_RATE:
        samples = _resample(samples, rate)
    if samples.shape[1] == 1:
        samples = np.repeat(samples, CHANNELS, axis=1)
    return samples


def _resample(samples: Frames, rate: int) -> Frames:
    from scipy import signal  # noqa: PLC0415 -- slow to import; only other rates need it

    common = math.gcd(rate, SAMPLE_RATE)
    up, down = SAMPLE_RATE // common, rate // common
    resampled: Frames = signal.resample_poly(samples, up, down, axis=0).astype(np.float32)
    return resampled


def measure_level(samples: Frames, what: str) -> Level:
    """Loudness and true peak of 48 kHz audio; RenderError when it has no loudness."""
    reading = measure_loudness(samples, SAMPLE_RATE)
    if reading.integrated_lufs is None or reading.true_peak_dbtp is None:
        raise RenderError(f"{what} is silent or shorter than 0.4 s: it has no loudness to set")
    return Level(reading.integrated_lufs, reading.true_peak_dbtp)


def encode_measured(
    samples: Frames, gain_db: float, dest: Path, temporaries: list[Path]
) -> Written:
    """Encode at `gain_db` to a temporary file beside `dest` (format from its suffix; MP3 at a
    constant `MP3_KBPS`), delete any tags, decode it again and measure it."""
    fmt = FORMATS[dest.suffix]
    scaled = samples * np.float32(10 ** (gain_db / 20)) if gain_db else samples
    kbps = MP3_KBPS if fmt == "mp3" else None
    data = encode_audio(scaled, SAMPLE_RATE, fmt, mp3_kbps=kbps)
    handle, name_on_disk = tempfile.mkstemp(
        dir=dest.parent, prefix=f".{dest.name}.", suffix=".part"
    )
    temporary = Path(name_on_disk)
    temporaries.append(temporary)
    with os.fdopen(handle, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    strip_tags(temporary, fmt)
    decoded, _ = read_audio(temporary)
    return Written(temporary, measure_level(decoded, dest.name), len(decoded))


def strip_tags(path: Path, fmt: AudioFormat) -> None:
    """Delete every tag mutagen finds (ID3 v1/v2, APE, Vorbis comments), then check none is left.

    The encoder writes none; this makes sure of it.
    """
    # mutagen's constructors are unannotated, hence the ignores below.
    mutagen.apev2.delete(path)
    _TAGGED[fmt](path).delete()  # type: ignore[no-untyped-call]
    if _TAGGED[fmt](path).tags is not None or _has_ape(path):  # type: ignore[no-untyped-call]
        raise RenderError(f"{path.name}: its tags could not be removed")


def _has_ape(path: Path) -> bool:
    try:
        mutagen.apev2.APEv2(path)  # type: ignore[no-untyped-call]
    except mutagen.apev2.APENoHeaderError:
        return False
    return True


@contextmanager
def temporaries() -> Iterator[list[Path]]:
    """Paths of temporary files; whatever is still there on the way out is deleted."""
    paths: list[Path] = []
    try:
        yield paths
    finally:
        for path in paths:
            path.unlink(missing_ok=True)
