"""Blinded listening files: a reference track and an ACE-Step candidate as "A" and "B".

A listener should tell the two apart by the music only, so `render_pair` writes both files:
- in the same format: MP3 at a constant `LISTENING_MP3_KBPS`, 48 kHz stereo (other rates are
  resampled with scipy's polyphase filter, mono is duplicated to both channels);
- at the same integrated loudness, within `LOUDNESS_TOLERANCE_LU`, and with true peaks at or below
  the ceiling, both measured on the written files (decoded again). When either file would pass
  the ceiling at the target, the common target is lowered for BOTH: no limiter, which would change
  one file's sound and not the other's. MP3 encoding moves loudness and peaks a little, so the
  gains are corrected by what the written files measure and the pair re-rendered, at most
  `MAX_RENDERS` times;
- without tags (written fresh, then checked with mutagen: ID3 or APE tags found are deleted);
- under neutral names, `pair-07-A.mp3` and `pair-07-B.mp3`: the candidate on `ace_side`, the
  reference on the other side.
Lengths are kept (no trimming, no fades). Both files are written under temporary names in the
output folder and renamed into place only once both pass every check.

`render_pair` is synchronous and CPU-bound (decoding, resampling, MP3 encoding and true-peak
measurement): call `render_pair_async`, or `render_pair` through `asyncio.to_thread`. Files that
cannot be used raise `BlindingError`, whose message is fit for users.
"""

import asyncio
import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import mutagen.apev2
import mutagen.flac
import mutagen.mp3
import mutagen.wave
import numpy as np

from audiofile.atomic import finalize
from audiofile.codec import AudioDecodeError, Frames, encode_audio, read_audio
from bot.engine.audio.loudness import measure_loudness
from domain.constants import AudioFormat
from domain.evaluations import Side, pair_label

Role = Literal["reference", "candidate"]

LISTENING_SAMPLE_RATE: Final = 48_000
LISTENING_CHANNELS: Final = 2
LISTENING_MP3_KBPS: Final = 320  # transparent: the codec should not be what listeners hear
LOUDNESS_TOLERANCE_LU: Final = 0.5
PEAK_MARGIN_DB: Final = 0.3  # aimed below the ceiling: room for encoding and for other meters
MAX_RENDERS: Final = 3
_ROLES: Final[tuple[Role, Role]] = ("reference", "candidate")
_FORMATS: Final[dict[str, AudioFormat]] = {".mp3": "mp3", ".wav": "wav", ".flac": "flac"}
_TAGGED: Final = {"mp3": mutagen.mp3.MP3, "wav": mutagen.wave.WAVE, "flac": mutagen.flac.FLAC}


class BlindingError(Exception):
    """A listening pair cannot be made; the message says why, for users."""


@dataclass(frozen=True)
class ListeningFile:
    """One written listening file and what it measures (decoded from disk after writing)."""

    path: Path
    integrated_lufs: float
    true_peak_dbtp: float
    duration_s: float


@dataclass(frozen=True)
class ListeningPair:
    """The two files as the listener sees them, and the gain each source got (dB)."""

    a: ListeningFile
    b: ListeningFile
    gain_db_reference: float
    gain_db_candidate: float


@dataclass(frozen=True)
class _Level:
    """Integrated loudness (LUFS) and true peak (dBTP) of audio that has both."""

    lufs: float
    peak_dbtp: float


@dataclass(frozen=True)
class _Written:
    temporary: Path
    level: _Level
    frames: int


def render_pair(
    reference: Path,
    candidate: Path,
    out_dir: Path,
    *,
    number: int,
    ace_side: Side,
    target_lufs: float = -16.0,
    ceiling_dbtp: float = -1.0,
    audio_format: AudioFormat = "mp3",
) -> ListeningPair:
    """Write `pair-NN-A` and `pair-NN-B` in `out_dir`: the candidate on `ace_side`.

    Both land at `target_lufs`, or lower when a true peak would otherwise pass `ceiling_dbtp`.
    """
    if number < 0:
        raise ValueError(f"pair number must be 0 or more, not {number}")
    if ace_side not in ("A", "B"):
        raise ValueError(f"ace_side must be 'A' or 'B', not {ace_side!r}")
    if f".{audio_format}" not in _FORMATS:
        raise ValueError(f"cannot write {audio_format!r}: choose one of mp3, wav, flac")
    sources = {
        "reference": _load(reference, "reference"),
        "candidate": _load(candidate, "candidate"),
    }
    # The sources' levels; after each render, corrected by what encoding changed.
    levels = {role: _measure(sources[role], f"The {role} track") for role in _ROLES}
    sides: dict[Role, Side] = {"candidate": ace_side, "reference": "B" if ace_side == "A" else "A"}
    names = {role: f"{pair_label(number)}-{sides[role]}.{audio_format}" for role in _ROLES}
    out_dir.mkdir(parents=True, exist_ok=True)
    with _temporaries() as temporaries:
        for _ in range(MAX_RENDERS):
            gains = _gains(levels, target_lufs, ceiling_dbtp)
            written = {
                role: _render(sources[role], gains[role], out_dir / names[role], temporaries)
                for role in _ROLES
            }
            if _acceptable(written, ceiling_dbtp):
                return _finish(written, names, sides, gains, out_dir)
            levels = {role: _corrected(gains[role], written[role].level) for role in _ROLES}
    raise BlindingError(
        f"could not match the loudness of pair {number} within {LOUDNESS_TOLERANCE_LU} LU below "
        f"{ceiling_dbtp} dBTP after {MAX_RENDERS} tries"
    )


async def render_pair_async(
    reference: Path,
    candidate: Path,
    out_dir: Path,
    *,
    number: int,
    ace_side: Side,
    target_lufs: float = -16.0,
    ceiling_dbtp: float = -1.0,
    audio_format: AudioFormat = "mp3",
) -> ListeningPair:
    """`render_pair` in a worker thread."""
    return await asyncio.to_thread(
        render_pair,
        reference,
        candidate,
        out_dir,
        number=number,
        ace_side=ace_side,
        target_lufs=target_lufs,
        ceiling_dbtp=ceiling_dbtp,
        audio_format=audio_format,
    )


def _load(path: Path, role: Role) -> Frames:
    """Decode a source and bring it to 48 kHz stereo float32."""
    try:
        samples, rate = read_audio(path)
    except AudioDecodeError as exc:
        raise BlindingError(f"The {role} track cannot be used: {exc}") from exc
    if not len(samples):
        raise BlindingError(f"The {role} track {path.name} holds no audio")
    if samples.shape[1] > LISTENING_CHANNELS:
        raise BlindingError(
            f"The {role} track {path.name} has {samples.shape[1]} channels; "
            "listening files are stereo, so mix it down to stereo first"
        )
    if not np.isfinite(samples).all():
        raise BlindingError(f"The {role} track {path.name} has broken (NaN or infinite) samples")
    if rate != LISTENING_SAMPLE_RATE:
        samples = _resample(samples, rate)
    if samples.shape[1] == 1:
        samples = np.repeat(samples, LISTENING_CHANNELS, axis=1)
    return samples


def _resample(samples: Frames, rate: int) -> Frames:
    from scipy import signal  # noqa: PLC0415 -- slow to import; only pairs from other rates need it

    common = math.gcd(rate, LISTENING_SAMPLE_RATE)
    up, down = LISTENING_SAMPLE_RATE // common, rate // common
    resampled: Frames = signal.resample_poly(samples, up, down, axis=0).astype(np.float32)
    return resampled


def _measure(samples: Frames, what: str) -> _Level:
    reading = measure_loudness(samples, LISTENING_SAMPLE_RATE)
    if reading.integrated_lufs is None or reading.true_peak_dbtp is None:
        raise BlindingError(f"{what} is silent or shorter than 0.4 s: it has no loudness to match")
    return _Level(reading.integrated_lufs, reading.true_peak_dbtp)


def _gains(
    levels: dict[Role, _Level], target_lufs: float, ceiling_dbtp: float
) -> dict[Role, float]:
    """Gains that bring both to one target, lowered until both true peaks fit under the ceiling."""
    room = min(level.lufs - level.peak_dbtp for level in levels.values())
    target = min(target_lufs, ceiling_dbtp - PEAK_MARGIN_DB + room)
    return {role: target - level.lufs for role, level in levels.items()}


def _corrected(gain_db: float, written: _Level) -> _Level:
    """A source's level as the encoder turns it out: what the file written at `gain_db` measured,
    less that gain (encoding changes loudness and peaks by nearly the same dB at any gain)."""
    return _Level(written.lufs - gain_db, written.peak_dbtp - gain_db)


def _render(samples: Frames, gain_db: float, dest: Path, temporaries: list[Path]) -> _Written:
    """Encode at `gain_db` to a temporary file beside `dest`, strip any tags, decode and measure."""
    fmt = _FORMATS[dest.suffix]
    scaled = samples * np.float32(10 ** (gain_db / 20))
    kbps = LISTENING_MP3_KBPS if fmt == "mp3" else None
    data = encode_audio(scaled, LISTENING_SAMPLE_RATE, fmt, mp3_kbps=kbps)
    handle, name_on_disk = tempfile.mkstemp(
        dir=dest.parent, prefix=f".{dest.name}.", suffix=".part"
    )
    temporary = Path(name_on_disk)
    temporaries.append(temporary)
    with os.fdopen(handle, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    _strip_tags(temporary, fmt)
    decoded, _ = read_audio(temporary)
    return _Written(temporary, _measure(decoded, dest.name), len(decoded))


def _strip_tags(path: Path, fmt: AudioFormat) -> None:
    """Delete every tag mutagen finds (ID3 v1/v2, APE, Vorbis comments), then check none is left.

    The encoder writes none; this makes sure of it.
    """
    # mutagen's constructors are unannotated, hence the ignores below.
    mutagen.apev2.delete(path)
    _TAGGED[fmt](path).delete()  # type: ignore[no-untyped-call]
    if _TAGGED[fmt](path).tags is not None or _has_ape(path):  # type: ignore[no-untyped-call]
        raise BlindingError(f"{path.name}: its tags could not be removed")


def _has_ape(path: Path) -> bool:
    try:
        mutagen.apev2.APEv2(path)  # type: ignore[no-untyped-call]
    except mutagen.apev2.APENoHeaderError:
        return False
    return True


def _acceptable(written: dict[Role, _Written], ceiling_dbtp: float) -> bool:
    peaks_fit = all(w.level.peak_dbtp <= ceiling_dbtp for w in written.values())
    a, b = (written[role].level.lufs for role in _ROLES)
    return peaks_fit and abs(a - b) <= LOUDNESS_TOLERANCE_LU


def _finish(
    written: dict[Role, _Written],
    names: dict[Role, str],
    sides: dict[Role, Side],
    gains: dict[Role, float],
    out_dir: Path,
) -> ListeningPair:
    files: dict[Side, ListeningFile] = {}
    for role in _ROLES:
        dest = out_dir / names[role]
        finalize(written[role].temporary, dest)
        level = written[role].level
        files[sides[role]] = ListeningFile(
            path=dest,
            integrated_lufs=level.lufs,
            true_peak_dbtp=level.peak_dbtp,
            duration_s=written[role].frames / LISTENING_SAMPLE_RATE,
        )
    return ListeningPair(
        a=files["A"],
        b=files["B"],
        gain_db_reference=gains["reference"],
        gain_db_candidate=gains["candidate"],
    )


@contextmanager
def _temporaries() -> Iterator[list[Path]]:
    """Paths of temporary files; whatever is still there on the way out is deleted."""
    paths: list[Path] = []
    try:
        yield paths
    finally:
        for path in paths:
            path.unlink(missing_ok=True)
