"""The ACE-Step stand-in's placeholder music: a cheap, recognisably musical arrangement.

`render_placeholder` honours the requested length (to the sample), tempo, key and metre: chords
follow a progression in the key, the bass plays their roots, an arpeggio and (in alternate
sections) a melody sit on top, and light drums mark the beat. Each distinct bar is rendered once
and copied along the timeline, so three minutes render in a fraction of a second.
"""

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

from domain.constants import BPM_MAX, BPM_MIN, TIME_SIGNATURES, TimeSignature
from domain.music import parse_key
from standin.audio.bars import Grid, Section, bar_events, melody_events
from standin.audio.score import Kit, Score, compose, make_kit
from standin.audio.voices import Stereo, mix, overlay

SAMPLE_RATE: Final = 48_000
PEAK_DBFS: Final = -1.5  # rendered peak: below the promised -1 dBFS, with room for MP3 overshoot
FADE_IN_S: Final = 1.5
FADE_OUT_S: Final = 4.0
FADE_MAX_SHARE: Final = 0.15  # short tracks fade over at most this share of their length
SECTION_CYCLES: Final = 2  # progression cycles before the arrangement switches section

Shape = tuple[int, Section]  # a distinct bar: which chord of the progression, which section


@dataclass(frozen=True)
class Arrangement:
    """What to render: length, tempo, key, metre, a seed for the variant, an optional caption."""

    duration_s: float
    bpm: int
    key_scale: str
    time_signature: TimeSignature
    seed: int
    caption: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.duration_s) and self.duration_s >= 0):
            raise ValueError(f"duration must be zero or more seconds, not {self.duration_s}")
        if not BPM_MIN <= self.bpm <= BPM_MAX:
            raise ValueError(f"BPM must be between {BPM_MIN} and {BPM_MAX}, not {self.bpm}")
        if self.time_signature not in TIME_SIGNATURES.values():
            raise ValueError(f"unknown time signature {self.time_signature!r}")
        parse_key(self.key_scale)  # raises MusicError (a ValueError) with a readable message


def render_placeholder(arrangement: Arrangement, *, sample_rate: int = SAMPLE_RATE) -> Stereo:
    """Render as float32 stereo of exactly `round(duration_s * sample_rate)` frames."""
    if sample_rate <= 0:
        raise ValueError(f"sample rate must be positive, not {sample_rate}")
    frames = round(arrangement.duration_s * sample_rate)
    score = compose(arrangement)
    grid = Grid(beat_len=60.0 / arrangement.bpm * sample_rate, sample_rate=sample_rate)
    audio = _timeline(score, frames, grid, make_kit(score, arrangement.seed, sample_rate))
    _fade(audio, sample_rate)
    _normalise_peak(audio)
    return audio


def _timeline(score: Score, frames: int, grid: Grid, kit: Kit) -> Stereo:
    """Lay bars end to end on the exact beat grid (no drift, however long the track)."""
    bar_len = grid.beat_len * score.beats
    chords = len(score.progression)
    shapes = [(i % chords, _section(i // chords)) for i in range(math.ceil(frames / bar_len))]
    bars = _render_bars(score, grid, kit, set(shapes))
    longest = max((len(bar) for bar in bars.values()), default=0)
    timeline = np.zeros((frames + longest, 2), dtype=np.float32)
    for index, shape in enumerate(shapes):
        start = round(index * bar_len)
        timeline[start : start + len(bars[shape])] += bars[shape]
    return timeline[:frames]


def _render_bars(score: Score, grid: Grid, kit: Kit, shapes: set[Shape]) -> dict[Shape, Stereo]:
    """Render each distinct bar once; a full bar is its plain bar with the melody on top."""
    bar_len = round(grid.beat_len * score.beats)
    bars: dict[Shape, Stereo] = {}
    for chord in sorted({chord for chord, _ in shapes}):
        plain = mix(bar_events(score, chord, grid, kit), bar_len)
        bars[chord, "plain"] = plain
        if (chord, "full") in shapes:
            bars[chord, "full"] = overlay(plain, mix(melody_events(score, chord, grid), bar_len))
    return bars


def _section(cycle: int) -> Section:
    return "full" if (cycle // SECTION_CYCLES) % 2 else "plain"


def _fade(audio: Stereo, sample_rate: int) -> None:
    """Smooth (raised-sine) fade in and out, shortened for short tracks."""
    share = round(len(audio) * FADE_MAX_SHARE)
    fade_in = min(round(FADE_IN_S * sample_rate), share)
    fade_out = min(round(FADE_OUT_S * sample_rate), share)
    if fade_in:
        audio[:fade_in] *= _ramp(fade_in)[:, None]
    if fade_out:
        audio[len(audio) - fade_out :] *= _ramp(fade_out)[::-1, None]


def _ramp(length: int) -> Stereo:
    return (np.sin(np.linspace(0.0, np.pi / 2, length, dtype=np.float32)) ** 2).astype(np.float32)


def _normalise_peak(audio: Stereo) -> None:
    if audio.size == 0:
        return
    peak = max(float(audio.max()), -float(audio.min()))
    if peak > 0:
        audio *= np.float32(10 ** (PEAK_DBFS / 20) / peak)
