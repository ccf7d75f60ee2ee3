"""The notes of one bar of a placeholder track, as events placed on the beat grid.

One chord per bar. The plain section has a detuned pad, the bass on the chord's root, an arpeggio
of chord tones in the score's lead sound, and light drums on the beat; the full section adds two
bell notes of melody above it.
"""

import itertools
from typing import Final, Literal, NamedTuple

from domain.constants import TimeSignature
from standin.audio.score import Kit, Score
from standin.audio.theory import midi_to_hz
from standin.audio.voices import TIMBRES, Event, Mono, tone

Section = Literal["plain", "full"]

# (kick beats, snare beats) per metre; a hi-hat plays on every beat.
DRUM_BEATS: Final[dict[TimeSignature, tuple[tuple[int, ...], tuple[int, ...]]]] = {
    "2": ((0,), (1,)),
    "3": ((0,), ()),
    "4": ((0, 2), (1, 3)),
    "6": ((0,), (3,)),
}


class Grid(NamedTuple):
    """The time grid: samples per beat (fractional, so long tracks stay on tempo) and the rate."""

    beat_len: float
    sample_rate: int


def bar_events(score: Score, chord: int, grid: Grid, kit: Kit) -> list[Event]:
    """The sounds of one bar of the plain section; offsets in samples from the start of the bar."""
    bar = _BarContext(score, score.progression[chord], grid)
    return [*bar.pad(), *bar.bass(), *bar.arpeggio(), *bar.drums(kit)]


def melody_events(score: Score, chord: int, grid: Grid) -> list[Event]:
    """The melody the full section adds over a bar."""
    return _BarContext(score, score.progression[chord], grid).melody(score.melody[chord])


class _BarContext:
    """Helpers that place notes of one chord on the beat grid of one bar."""

    def __init__(self, score: Score, degree: int, grid: Grid) -> None:
        self.score = score
        self.degree = degree
        self.beat_len = grid.beat_len
        self.rate = grid.sample_rate

    def at(self, beat: float) -> int:
        """Sample offset of a (fractional) beat in the bar."""
        return round(beat * self.beat_len)

    def note(self, midi: int, beats: float, timbre: str, *, detune: float = 0.0) -> Mono:
        """A tone lasting `beats` beats plus its release."""
        sound = TIMBRES[timbre]
        length = self.at(beats) + round(sound.release_s * self.rate)
        return tone(midi_to_hz(midi), length, self.rate, sound, detune_cents=detune)

    def pad(self) -> list[Event]:
        """The sustained chord over a tonic drone (so even a few bars are heard in the asked
        key, as a key detector hears it), slightly detuned left against right for width."""
        level = 0.09 * self.score.pad_level
        chord = self.score.key.triad(self.degree, 3)
        drone = (self.score.key.note(0, 2), self.score.key.note(0, 3))  # the tonic, every bar
        beats = self.score.beats
        return [
            Event(0, self.note(midi, beats, "pad", detune=cents), pan, level)
            for midi in (*drone, *chord)
            for cents, pan in ((-6.0, -0.7), (6.0, 0.7))
        ]

    def bass(self) -> list[Event]:
        """The chord's root, low, on the beats the score chose."""
        starts = (*self.score.bass_beats, self.score.beats)
        root = self.score.key.note(self.degree, 2)
        return [
            Event(self.at(beat), self.note(root, (end - beat) * 0.9, "bass"), 0.0, 0.45)
            for beat, end in itertools.pairwise(starts)
        ]

    def arpeggio(self) -> list[Event]:
        """Chord tones cycling through the score's pattern, two steps a beat (one in 6/8)."""
        per_beat = 1 if self.score.beats == 6 else 2
        octave = self.score.arp_octave
        tones = (
            *self.score.key.triad(self.degree, octave),
            self.score.key.note(self.degree + 7, octave),
        )
        pattern = self.score.arp_pattern
        step = 1 / per_beat
        return [
            Event(
                self.at(i * step),
                self.note(tones[pattern[i % len(pattern)]], step * 0.9, self.score.lead),
                self.score.lead_pan,
                0.2,
            )
            for i in range(self.score.beats * per_beat)
        ]

    def melody(self, offsets: tuple[int, int]) -> list[Event]:
        """Two long bell notes above the arpeggio, on the downbeat and half-way through."""
        half = self.score.beats // 2 or 1
        notes = [self.score.key.note(self.degree + offset, 5) for offset in offsets]
        return [
            Event(self.at(0), self.note(notes[0], half, "bell"), -self.score.lead_pan, 0.14),
            Event(
                self.at(half),
                self.note(notes[1], self.score.beats - half, "bell"),
                -self.score.lead_pan,
                0.14,
            ),
        ]

    def drums(self, kit: Kit) -> list[Event]:
        """Kick and snare on the metre's strong beats, a hi-hat on every beat."""
        level = self.score.drum_level
        kicks, snares = DRUM_BEATS[self.score.metre]
        events = [Event(self.at(b), kit.kick, 0.0, 0.5 * level) for b in kicks]
        events += [Event(self.at(b), kit.snare, 0.1, 0.1 * level) for b in snares]
        events += [
            Event(self.at(b), kit.hat, 0.3, (0.12 if b else 0.16) * level)
            for b in range(self.score.beats)
        ]
        if self.score.offbeat_hats:
            events += [
                Event(self.at(b + 0.5), kit.hat, 0.3, 0.05 * level) for b in range(self.score.beats)
            ]
        return events
