"""Reading and writing the formats the bot delivers (mp3, wav, flac) through libsndfile.

Errors:
    AudioError          -- base of every error raised by `audiofile.codec`
    └── AudioDecodeError -- a file that cannot be read as audio; the message is fit for users

Samples are float32 arrays shaped (frames, channels). WAV and FLAC are written as 16-bit PCM; MP3
as variable-bitrate LAME (see `MP3_COMPRESSION_LEVEL`), or at a constant bitrate when `mp3_kbps`
is given (files that must match exactly, such as blinded listening pairs). No tags are written.
"""

import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

import numpy as np
import soundfile as sf
from numpy.typing import NDArray

from audiofile.atomic import finalize
from domain.constants import AudioFormat

Frames = NDArray[np.float32]

# libsndfile's only MP3 knob is the bitrate, 0 (best) .. 1 (smallest); in VARIABLE mode 0.3 is
# LAME's VBR quality 3 (about 140 kbps on the placeholder, more on dense music). LAME's speed
# setting is not exposed: every choice measured costs about the same, ~6 s of CPU per 180 s of
# 48 kHz stereo (the default 128 kbps CBR included), so this one is picked for quality.
MP3_BITRATE_MODE: Final = "VARIABLE"
MP3_COMPRESSION_LEVEL: Final = 0.3
# In CONSTANT mode libsndfile maps the level linearly onto MPEG-1's range: 320 kbps at 0, down
# 288 kbps per unit (LAME takes the nearest standard bitrate). MPEG-1 needs 32 kHz or more.
MP3_CBR_KBPS: Final = (64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_MP3_CBR_MIN_RATE: Final = 32_000
_CONTAINERS: Final[dict[str, tuple[str, str]]] = {
    "wav": ("WAV", "PCM_16"),
    "flac": ("FLAC", "PCM_16"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
}
_FORMAT_NAMES: Final = {"WAV": "wav", "WAVEX": "wav", "RF64": "wav", "FLAC": "flac", "MP3": "mp3"}


class AudioError(Exception):
    """Base of the audio package's errors."""


class AudioDecodeError(AudioError):
    """A file that cannot be decoded as audio; the message says what is wrong, for users."""


@dataclass(frozen=True)
class AudioInfo:
    """What a file's header says about it."""

    duration_s: float
    sample_rate: int
    channels: int
    frames: int
    format: str  # "mp3", "wav" or "flac" (other formats libsndfile reads keep its lower-case name)


def encode_audio(
    samples: NDArray[Any], sample_rate: int, fmt: AudioFormat, *, mp3_kbps: int | None = None
) -> bytes:
    """The bytes of a file in `fmt` holding `samples` (values beyond +/-1 are clipped).

    `mp3_kbps` (one of `MP3_CBR_KBPS`; mp3 only) asks for that constant bitrate instead of VBR.
    """
    buffer = io.BytesIO()
    _write(buffer, samples, sample_rate, fmt, mp3_kbps)
    return buffer.getvalue()


def write_audio(
    samples: NDArray[Any],
    sample_rate: int,
    path: Path,
    fmt: AudioFormat,
    *,
    mp3_kbps: int | None = None,
) -> None:
    """Write a file atomically: a temporary file in the same folder, synced, then renamed.

    `mp3_kbps` as for `encode_audio`.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".part"
    )
    try:
        with os.fdopen(descriptor, "w+b") as handle:
            _write(handle, samples, sample_rate, fmt, mp3_kbps)
            handle.flush()
            os.fsync(handle.fileno())
        finalize(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def transcode(source: Path, dest: Path, fmt: AudioFormat, *, block_frames: int = 64 * 1024) -> None:
    """Re-encode `source` as `fmt` at `dest` (atomically), block by block: the whole signal is
    never held in memory at once. The same checks as `write_audio` (NaN/inf refused, clipped to
    +/-1), applied to each block."""
    if fmt not in _CONTAINERS:
        raise ValueError(f"cannot encode {fmt!r}: choose one of {', '.join(_CONTAINERS)}")
    container, subtype = _CONTAINERS[fmt]
    dest.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=dest.parent, prefix=f".{dest.name}.", suffix=".part"
    )
    try:
        with _open(source) as reader, os.fdopen(descriptor, "w+b") as handle:
            rate, channels = int(reader.samplerate), int(reader.channels)
            options = _mp3_options(rate, None) if fmt == "mp3" else {}
            with sf.SoundFile(
                handle,
                "w",
                samplerate=rate,
                channels=channels,
                subtype=subtype,
                format=container,
                **options,
            ) as writer:
                for block in _blocks(reader, block_frames):
                    writer.write(_encodable(block, fmt))
            handle.flush()
            os.fsync(handle.fileno())
        finalize(temporary, dest)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_audio(path: Path) -> tuple[Frames, int]:
    """Decode a whole file as float32 (frames, channels) and its sample rate."""
    with _open(path) as handle:
        samples: Frames = handle.read(dtype="float32", always_2d=True)
        return samples, int(handle.samplerate)


def probe_audio(path: Path) -> AudioInfo:
    """Read only the header: length, rate, channels and format."""
    with _open(path) as handle:
        return _info(handle)


@contextmanager
def stream_audio(path: Path, *, block_frames: int) -> Iterator[tuple[AudioInfo, Iterator[Frames]]]:
    """Open a file for one pass: its header info and its float32 blocks of `block_frames` frames."""
    with _open(path) as handle:
        yield _info(handle), _blocks(handle, block_frames)


def _blocks(handle: Any, block_frames: int) -> Iterator[Frames]:
    while True:
        block: Frames = handle.read(block_frames, dtype="float32", always_2d=True)
        if not len(block):
            return
        yield block


@contextmanager
def _open(path: Path) -> Iterator[Any]:
    """A libsndfile handle whose failures (opening or decoding) become `AudioDecodeError`."""
    _check_file(path)
    try:
        with sf.SoundFile(path) as handle:
            yield handle
    except sf.SoundFileError as exc:
        reason = str(getattr(exc, "error_string", exc)).rstrip(".")
        if "does not exist" in reason:  # libsndfile's words for bytes it cannot make sense of
            reason = "not a format the decoder recognises"
        raise AudioDecodeError(
            f"{path.name} is not readable mp3, wav or flac audio ({reason})"
        ) from exc


def _check_file(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise AudioDecodeError(f"{path.name} cannot be opened ({exc.strerror or exc})") from exc
    if not path.is_file():
        raise AudioDecodeError(f"{path.name} is not a file")
    if size == 0:
        raise AudioDecodeError(f"{path.name} is empty (0 bytes): the download probably failed")


def _info(handle: Any) -> AudioInfo:
    frames, rate = int(handle.frames), int(handle.samplerate)
    return AudioInfo(
        duration_s=frames / rate,
        sample_rate=rate,
        channels=int(handle.channels),
        frames=frames,
        format=_FORMAT_NAMES.get(handle.format, str(handle.format).lower()),
    )


def _write(
    target: IO[bytes],
    samples: NDArray[Any],
    sample_rate: int,
    fmt: AudioFormat,
    mp3_kbps: int | None,
) -> None:
    if fmt not in _CONTAINERS:
        raise ValueError(f"cannot encode {fmt!r}: choose one of {', '.join(_CONTAINERS)}")
    container, subtype = _CONTAINERS[fmt]
    options: dict[str, Any] = {}
    if fmt == "mp3":
        options = _mp3_options(sample_rate, mp3_kbps)
    elif mp3_kbps is not None:
        raise ValueError(f"a bitrate applies to mp3 only, not {fmt}")
    data = _encodable(samples, fmt)
    sf.write(target, data, sample_rate, subtype=subtype, format=container, **options)


def _mp3_options(sample_rate: int, kbps: int | None) -> dict[str, Any]:
    if kbps is None:
        return {"bitrate_mode": MP3_BITRATE_MODE, "compression_level": MP3_COMPRESSION_LEVEL}
    if kbps not in MP3_CBR_KBPS:
        raise ValueError(f"{kbps} kbps is not offered: choose one of {MP3_CBR_KBPS}")
    if sample_rate < _MP3_CBR_MIN_RATE:
        raise ValueError(f"constant-bitrate mp3 needs {_MP3_CBR_MIN_RATE} Hz or more")
    return {"bitrate_mode": "CONSTANT", "compression_level": (320 - kbps) / 288}


def _encodable(samples: NDArray[Any], fmt: AudioFormat) -> NDArray[Any]:
    """Check shape and values; clip to +/-1 so 16-bit and MP3 encoders never wrap around."""
    if samples.ndim not in (1, 2) or not np.issubdtype(samples.dtype, np.floating):
        raise ValueError("samples must be a float array shaped (frames,) or (frames, channels)")
    if fmt == "mp3" and samples.ndim == 2 and samples.shape[1] > 2:
        raise ValueError(f"MP3 holds at most 2 channels, not {samples.shape[1]}")
    if not np.isfinite(samples).all():
        raise ValueError("cannot encode NaN or infinite samples")
    if samples.size and (samples.max() > 1.0 or samples.min() < -1.0):
        clipped: NDArray[Any] = np.clip(samples, -1.0, 1.0)
        return clipped
    return samples
