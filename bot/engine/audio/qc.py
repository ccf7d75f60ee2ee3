"""Checks every downloaded track before it is posted, and makes loudness-normalised delivery copies.

`check_audio` decodes a file in one streaming pass and returns a `QcReport`:
- "fail" (the engine regenerates): undecodable or empty file, no frames, NaN/inf samples, or
  silent (entirely, or more than `MAX_SILENT_SHARE` of it);
- "warn" (posted with the problems shown): length off the request by more than
  `DURATION_TOLERANCE`, clipping, too quiet or too loud, a silence longer than `LONG_SILENCE_S`,
  less audio than the header promises, or not the team's 48 kHz stereo delivery spec;
- "pass" otherwise.
The rules and their wording live in `bot.engine.audio.rules`. Problems are short sentences for a
music team; measurements are JSON-safe (None where a value is undefined, never inf or NaN).
Both functions are synchronous and CPU-bound: the engine runs them in its audio process pool
(`bot.engine.audio.workers`); elsewhere call them through `asyncio.to_thread`.
"""

import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

import numpy as np

from audiofile.codec import (
    AudioDecodeError,
    AudioInfo,
    Frames,
    read_audio,
    stream_audio,
    write_audio,
)
from bot.engine.audio import rules
from bot.engine.audio.loudness import integrated_loudness, limit_peaks
from bot.engine.audio.measure import SignalStats, measure_blocks
from domain.constants import AudioFormat

log = logging.getLogger(__name__)

Verdict = Literal["pass", "warn", "fail"]
Tap = Callable[[AudioInfo, Frames], None]
Measurement = float | int | bool | None

NORMALISE_CEILING_DBFS: Final = -1.0  # sample-peak ceiling of normalised copies (room for MP3)
NORMALISE_TOLERANCE_LU: Final = 0.1
NORMALISE_PASSES: Final = 4
_BLOCK_FRAMES: Final = 1 << 16  # ~1.4 s: small blocks stay in cache (3x faster than 5 s ones)


@dataclass(frozen=True)
class QcReport:
    """The verdict on one file, the problems behind it, and what was measured."""

    verdict: Verdict
    problems: tuple[str, ...]
    measurements: dict[str, Measurement] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        """A JSON-serialisable dict (the form stored on the track row)."""
        return {
            "verdict": self.verdict,
            "problems": list(self.problems),
            "measurements": dict(self.measurements),
        }


def check_audio(
    path: Path, *, expected_duration_s: float | None, tap: Tap | None = None
) -> QcReport:
    """Decode and measure a file; judge it against the request and the delivery spec.

    `tap`, when given, sees every decoded block too (the analysis rides on the same decoding:
    `bot.engine.audio.analysis.check_and_analyse`)."""
    try:
        with stream_audio(path, block_frames=_BLOCK_FRAMES) as (info, decoded):
            blocks = decoded if tap is None else _tapped(decoded, info, tap)
            stats = measure_blocks(blocks, info.sample_rate, info.channels)
    except AudioDecodeError as exc:
        return QcReport("fail", (str(exc),), {"decodable": False})
    failures = rules.failures(stats)
    warnings = rules.warnings(info, stats, expected_duration_s) if stats.frames else []
    verdict: Verdict = "fail" if failures else "warn" if warnings else "pass"
    return QcReport(
        verdict, (*failures, *warnings), _measurements(info, stats, expected_duration_s)
    )


def _tapped(blocks: Iterator[Frames], info: AudioInfo, tap: Tap) -> Iterator[Frames]:
    for block in blocks:
        tap(info, block)
        yield block


def normalise_loudness(source: Path, dest: Path, *, target_lufs: float, fmt: AudioFormat) -> float:
    """Write `source` to `dest` at `target_lufs`; return the gain applied, in dB.

    Peaks are limited to `NORMALISE_CEILING_DBFS`, so the copy never clips; the gain is refined
    over a few passes so the limiter's small loss of loudness is made up. Audio too short or too
    quiet to measure (silence) is copied unchanged, with 0 dB returned.
    """
    samples, sample_rate = read_audio(source)
    gain_db = normalise_in_place(samples, sample_rate, target_lufs)
    write_audio(samples, sample_rate, dest, fmt)
    return gain_db


def normalise_in_place(
    samples: Frames,
    sample_rate: int,
    target_lufs: float,
    ceiling_dbfs: float = NORMALISE_CEILING_DBFS,
) -> float:
    """Scale and limit in place until the loudness is on target; return the total gain in dB.

    Sample peaks are limited to `ceiling_dbfs` (delivery files pass a lower one to hold a
    true-peak ceiling once encoded)."""
    loudness = integrated_loudness(samples, sample_rate)
    if loudness is None:
        log.info("no measurable loudness (silent or under 0.4 s): copied unchanged")
        return 0.0
    total_db = 0.0
    for _ in range(NORMALISE_PASSES):
        step_db = target_lufs - loudness
        samples *= np.float32(10 ** (step_db / 20))
        total_db += step_db
        limit_peaks(samples, sample_rate, ceiling_dbfs)
        loudness = integrated_loudness(samples, sample_rate)
        if loudness is None or abs(target_lufs - loudness) <= NORMALISE_TOLERANCE_LU:
            break
    return total_db


def _measurements(
    info: AudioInfo, stats: SignalStats, expected_s: float | None
) -> dict[str, Measurement]:
    frames = max(stats.frames, 1)
    longest = max(stats.silences, key=lambda gap: gap.length_s, default=None)
    return {
        "decodable": True,
        "duration_s": round(stats.frames / info.sample_rate, 3),
        "expected_duration_s": expected_s,
        "frames": stats.frames,
        "sample_rate": info.sample_rate,
        "channels": info.channels,
        "integrated_lufs": _rounded(stats.integrated_lufs),
        "peak_dbfs": _rounded(20 * math.log10(stats.peak) if stats.peak > 0 else None),
        "silent_share": round(stats.silent_frames / frames, 4),
        "longest_silence_s": round(longest.length_s, 2) if longest else 0.0,
        "longest_silence_at_s": round(longest.start_s, 2) if longest else None,
        "clipped_share": stats.clipped_samples / max(stats.samples, 1),
        "has_nan": stats.nonfinite_samples > 0,
        "nonfinite_samples": stats.nonfinite_samples,
    }


def _rounded(value: float | None) -> float | None:
    return round(value, 2) if value is not None and math.isfinite(value) else None
