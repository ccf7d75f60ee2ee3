"""The rules behind a QC verdict, as short sentences a music team understands.

`failures` lists what makes a take unusable (the engine regenerates it); `warnings` lists what is
worth showing next to a take that is still posted. Thresholds shared with the rest of the product
live in `domain.constants`; the few only these rules use are below.
"""

from typing import Final, Literal

from audiofile.codec import AudioInfo
from bot.engine.audio.measure import SignalStats
from domain import constants as c
from domain.adherence_words import misses
from domain.analysis import Adherence
from domain.request import format_duration

DELIVERY_SAMPLE_RATE: Final = 48_000
DELIVERY_CHANNELS: Final = 2
CLIP_MIN_SHARE: Final = 1e-5  # fewer clipped samples than this share are isolated full-scale peaks
TRUNCATION_TOLERANCE: Final = 0.01  # decoded length may fall this short of the header's length
MAX_SILENCES_LISTED: Final = 3

AdherenceMode = Literal["warn", "strict", "off"]  # QC_ADHERENCE


def failures(stats: SignalStats) -> list[str]:
    """Problems that make a take unusable: the engine regenerates it."""
    if not stats.frames:
        return ["the file decodes to no audio at all (0 frames)"]
    problems = []
    if stats.nonfinite_samples:
        problems.append(f"{stats.nonfinite_samples:,} samples are broken (NaN or infinite)")
    silent_share = stats.silent_frames / stats.frames
    if silent_share >= 1.0:
        problems.append("the whole track is silent")
    elif silent_share > c.MAX_SILENT_SHARE:
        problems.append(f"{silent_share:.0%} of the track is silence")
    return problems


def warnings(info: AudioInfo, stats: SignalStats, expected_s: float | None) -> list[str]:
    """Problems worth showing next to a usable take (needs at least one decoded frame)."""
    duration_s = stats.frames / info.sample_rate
    truncated = _truncation_problem(info, stats)
    return [
        *truncated,
        *_duration_problem(duration_s, expected_s, maybe_capped=not truncated),
        *_clipping_problem(stats),
        *_loudness_problem(stats.integrated_lufs),
        *_silence_problems(stats),
        *_delivery_problem(info),
    ]


def judge_adherence(
    verdict: str | None,
    problems: tuple[str, ...],
    adherence: Adherence | None,
    mode: AdherenceMode,
) -> tuple[str | None, tuple[str, ...]]:
    """The verdict and problems once tempo and key adherence count (QC_ADHERENCE).

    `warn`: a tempo or key miss is a problem and makes a pass a warn; `strict`: a miss is a
    failure (the engine makes the take again, as for any failed check); `off`: unchanged. No
    adherence (not analysed), nothing missed, or nothing asked: unchanged. Length is not judged
    again here: the audio check already warns when it is off, and a server that caps lengths
    would make the same length again."""
    missed = misses(adherence)
    if mode == "off" or not missed:
        return verdict, problems
    if mode == "strict":
        return "fail", (*problems, *missed)
    return ("warn" if verdict in (None, "pass") else verdict), (*problems, *missed)


def _truncation_problem(info: AudioInfo, stats: SignalStats) -> list[str]:
    """A header promising more audio than decodes.

    Only a warning: an MP3 without a Xing header carries a merely estimated length, and failing
    such files would regenerate good takes over and over.
    """
    if info.frames <= stats.frames * (1 + TRUNCATION_TOLERANCE):
        return []
    return [
        f"the file may be cut short: its header says {_seconds(info.duration_s)} but only "
        f"{_seconds(stats.frames / info.sample_rate)} decodes (a broken download?)"
    ]


def _duration_problem(
    duration_s: float, expected_s: float | None, *, maybe_capped: bool
) -> list[str]:
    """Length against the request; the real server silently caps lengths to its GPU's limit."""
    if not expected_s or abs(duration_s - expected_s) <= c.DURATION_TOLERANCE * expected_s:
        return []
    change = (duration_s - expected_s) / expected_s
    hint = " — the server may have capped the length" if change < 0 and maybe_capped else ""
    return [
        f"duration {_seconds(duration_s)}, asked for {_seconds(expected_s)} ({change:+.0%}){hint}"
    ]


def _clipping_problem(stats: SignalStats) -> list[str]:
    share = stats.clipped_samples / stats.samples
    if share < CLIP_MIN_SHARE:
        return []
    return [f"clipping: {_percent(share)} of samples at full scale (≥ {c.CLIP_DBFS:g} dBFS)"]


def _loudness_problem(lufs: float | None) -> list[str]:
    if lufs is None:
        return []
    if lufs < c.LOUDNESS_QUIET_LUFS:
        return [f"too quiet: {lufs:.1f} LUFS (quieter than {c.LOUDNESS_QUIET_LUFS:g} LUFS)"]
    if lufs > c.LOUDNESS_LOUD_LUFS:
        return [f"too loud: {lufs:.1f} LUFS (louder than {c.LOUDNESS_LOUD_LUFS:g} LUFS)"]
    return []


def _silence_problems(stats: SignalStats) -> list[str]:
    if stats.silent_frames == stats.frames:
        return []  # already a failure; listing the one long gap adds nothing
    long = [gap for gap in stats.silences if gap.length_s > c.LONG_SILENCE_S]
    problems = [
        f"{gap.length_s:.1f} s of silence at {format_duration(gap.start_s)}"
        for gap in long[:MAX_SILENCES_LISTED]
    ]
    if len(long) > MAX_SILENCES_LISTED:
        more = len(long) - MAX_SILENCES_LISTED
        problems.append(f"and {more} more silences longer than {c.LONG_SILENCE_S:g} s")
    return problems


def _delivery_problem(info: AudioInfo) -> list[str]:
    if (info.sample_rate, info.channels) == (DELIVERY_SAMPLE_RATE, DELIVERY_CHANNELS):
        return []
    return [
        f"{info.sample_rate / 1000:g} kHz {_layout(info.channels)}; "
        f"the delivery spec is {DELIVERY_SAMPLE_RATE / 1000:g} kHz stereo"
    ]


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 10 else f"{value:.0f} s"


def _percent(share: float) -> str:
    return f"{share:.1%}" if share >= 0.001 else f"{share:.3%}"


def _layout(channels: int) -> str:
    return {1: "mono", 2: "stereo"}.get(channels, f"{channels} channels")
