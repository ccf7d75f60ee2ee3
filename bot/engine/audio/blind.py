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
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from audiofile.atomic import finalize
from audiofile.codec import Frames
from bot.engine.audio.render import (
    FORMATS,
    MP3_KBPS,
    SAMPLE_RATE,
    Level,
    RenderError,
    Written,
    encode_measured,
    load_stereo,
    measure_level,
    temporaries,
)
from domain.constants import AudioFormat
from domain.evaluations import Side, pair_label

Role = Literal["reference", "candidate"]

LISTENING_SAMPLE_RATE: Final = SAMPLE_RATE
LISTENING_MP3_KBPS: Final = MP3_KBPS
LOUDNESS_TOLERANCE_LU: Final = 0.5
PEAK_MARGIN_DB: Final = 0.3  # aimed below the ceiling: room for encoding and for other meters
MAX_RENDERS: Final = 3
_ROLES: Final[tuple[Role, Role]] = ("reference", "candidate")


class BlindingError(RenderError):
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
    if f".{audio_format}" not in FORMATS:
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
    with temporaries() as written_files:
        for _ in range(MAX_RENDERS):
            gains = _gains(levels, target_lufs, ceiling_dbtp)
            written = {
                role: _render(sources[role], gains[role], out_dir / names[role], written_files)
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
        return load_stereo(path, f"The {role} track")
    except RenderError as exc:
        raise BlindingError(str(exc)) from exc


def _measure(samples: Frames, what: str) -> Level:
    try:
        return measure_level(samples, what)
    except RenderError as exc:
        raise BlindingError(str(exc).replace("to set", "to match")) from exc


def _gains(levels: dict[Role, Level], target_lufs: float, ceiling_dbtp: float) -> dict[Role, float]:
    """Gains that bring both to one target, lowered until both true peaks fit under the ceiling."""
    room = min(level.lufs - level.peak_dbtp for level in levels.values())
    target = min(target_lufs, ceiling_dbtp - PEAK_MARGIN_DB + room)
    return {role: target - level.lufs for role, level in levels.items()}


def _corrected(gain_db: float, written: Level) -> Level:
    """A source's level as the encoder turns it out: what the file written at `gain_db` measured,
    less that gain (encoding changes loudness and peaks by nearly the same dB at any gain)."""
    return Level(written.lufs - gain_db, written.peak_dbtp - gain_db)


def _render(samples: Frames, gain_db: float, dest: Path, temporaries: list[Path]) -> Written:
    """Encode at `gain_db` to a temporary file beside `dest`, strip any tags, decode and measure."""
    try:
        return encode_measured(samples, gain_db, dest, temporaries)
    except RenderError as exc:
        raise BlindingError(str(exc)) from exc


def _acceptable(written: dict[Role, Written], ceiling_dbtp: float) -> bool:
    peaks_fit = all(w.level.peak_dbtp <= ceiling_dbtp for w in written.values())
    a, b = (written[role].level.lufs for role in _ROLES)
    return peaks_fit and abs(a - b) <= LOUDNESS_TOLERANCE_LU


def _finish(
    written: dict[Role, Written],
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
