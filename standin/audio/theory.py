"""Just enough music theory for the placeholder synthesiser: scales, diatonic chords, progressions.

Everything stays inside the natural major or natural minor scale of the key, so a listener (and a
test) hears the requested key. Degrees are 0-based: 0 is the tonic, 4 the dominant.
"""

import math
from typing import Final

from domain.music import key_is_minor, key_root_semitone, parse_key

MAJOR_STEPS: Final = (0, 2, 4, 5, 7, 9, 11)
MINOR_STEPS: Final = (0, 2, 3, 5, 7, 8, 10)  # natural minor

# Each progression starts on the tonic and comes back to it within the bar or two, so the key
# (tonic and mode, not just the scale its relative major/minor shares) is established and heard
# again every cycle: the stand-in's music measures in the asked key (tests/analysis).
MAJOR_PROGRESSIONS: Final = (
    (0, 3, 4, 0),  # I-IV-V-I
    (0, 4, 0, 3),  # I-V-I-IV
    (0, 3, 0, 4),  # I-IV-I-V
    (0, 5, 3, 4, 0, 3, 4, 0),  # I-vi-IV-V, I-IV-V-I
    (0, 4, 5, 3, 0, 3, 4, 0),  # I-V-vi-IV, I-IV-V-I
)
MINOR_PROGRESSIONS: Final = (
    (0, 3, 4, 0),  # i-iv-v-i
    (0, 5, 6, 0),  # i-VI-VII-i
    (0, 3, 0, 4),  # i-iv-i-v
    (0, 6, 5, 0),  # i-VII-VI-i
    (0, 5, 3, 4, 0, 3, 0, 4),  # i-VI-iv-v, i-iv-i-v
)


class Key:
    """A canonical key ("D minor") as a tonic pitch class and a scale."""

    def __init__(self, key_scale: str) -> None:
        canonical = parse_key(key_scale)
        self.name = canonical
        self.root = key_root_semitone(canonical)
        self.minor = key_is_minor(canonical)
        self.steps = MINOR_STEPS if self.minor else MAJOR_STEPS

    def pitch_classes(self) -> frozenset[int]:
        """The seven pitch classes (0 = C) of the key's scale."""
        return frozenset((self.root + step) % 12 for step in self.steps)

    def progressions(self) -> tuple[tuple[int, ...], ...]:
        """The chord progressions (as degrees) that suit the key's mode."""
        return MINOR_PROGRESSIONS if self.minor else MAJOR_PROGRESSIONS

    def note(self, degree: int, octave: int) -> int:
        """MIDI note of a scale degree; degrees past 6 climb into the next octave."""
        return 12 * (octave + 1) + self.root + 12 * (degree // 7) + self.steps[degree % 7]

    def triad(self, degree: int, octave: int) -> tuple[int, int, int]:
        """MIDI notes of the diatonic triad built on a degree (root, third, fifth)."""
        return (
            self.note(degree, octave),
            self.note(degree + 2, octave),
            self.note(degree + 4, octave),
        )


def midi_to_hz(note: float) -> float:
    """Equal-tempered frequency of a MIDI note (A4 = 69 = 440 Hz)."""
    return 440.0 * math.pow(2.0, (note - 69) / 12)
