"""Just enough music theory for the placeholder synthesiser: scales, diatonic chords, progressions.

Everything stays inside the natural major or natural minor scale of the key, so a listener (and a
test) hears the requested key. Degrees are 0-based: 0 is the tonic, 4 the dominant.
"""

import math
from typing import Final

from domain.music import key_is_minor, key_root_semitone, parse_key

MAJOR_STEPS: Final = (0, 2, 4, 5, 7, 9, 11)
MINOR_STEPS: Final = (0, 2, 3, 5, 7, 8, 10)  # natural minor

# Each progression starts on the tonic so the key is established from the first bar.
MAJOR_PROGRESSIONS: Final = (
    (0, 4, 5, 3),  # I-V-vi-IV
    (0, 5, 3, 4),  # I-vi-IV-V
    (0, 3, 4, 3),  # I-IV-V-IV
    (0, 3, 0, 4),  # I-IV-I-V
    (0, 2, 3, 4),  # I-iii-IV-V
)
MINOR_PROGRESSIONS: Final = (
    (0, 5, 2, 6),  # i-VI-III-VII
    (0, 3, 4, 0),  # i-iv-v-i
    (0, 6, 5, 6),  # i-VII-VI-VII
    (0, 3, 5, 4),  # i-iv-VI-v
    (0, 5, 3, 4),  # i-VI-iv-v
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
