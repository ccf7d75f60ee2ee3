"""What the placeholder plays: every seeded choice of a track, made once, as a `Score`.

`compose` turns an arrangement's key, metre, caption and seed into a `Score` (progression, lead
sound, arpeggio pattern and octave, bass rhythm, melody notes, drum feel); `make_kit` renders its
drum sounds. `bars` turns a score into the notes of each bar.
"""

import re
from dataclasses import dataclass
from typing import Final, NamedTuple, Protocol

import numpy as np

from domain.constants import TimeSignature
from domain.music import beats_per_bar
from standin.audio.theory import Key, midi_to_hz
from standin.audio.voices import Mono, kick, noise_hit

# Indexes into (root, third, fifth, octave) of the current chord, one per arpeggio step.
ARP_PATTERNS: Final = ((0, 1, 2, 3), (3, 2, 1, 0), (0, 1, 2, 1), (0, 2, 1, 2), (0, 2, 3, 2))
LEADS: Final = ("piano", "pluck", "bell", "mallet")
_LEAD_WORDS: Final = {"piano": "piano", "keys": "piano", "guitar": "pluck", "harp": "pluck"}
_LEAD_WORDS_MORE: Final = {"bell": "bell", "bells": "bell", "marimba": "mallet", "vibes": "mallet"}
_CALM_WORDS: Final = frozenset({"pad", "pads", "ambient", "strings", "drone", "calm", "spa"})
_DRUM_WORDS: Final = frozenset({"drums", "drum", "beat", "beats", "percussion", "groove"})


class Arranged(Protocol):
    """The parts of an `Arrangement` a score needs (kept structural to avoid an import cycle)."""

    @property
    def key_scale(self) -> str: ...
    @property
    def time_signature(self) -> TimeSignature: ...
    @property
    def seed(self) -> int: ...
    @property
    def caption(self) -> str: ...


class Kit(NamedTuple):
    """The three drum sounds, rendered once per track."""

    kick: Mono
    snare: Mono
    hat: Mono


@dataclass(frozen=True)
class Score:
    """Every seeded choice of one placeholder track."""

    key: Key
    metre: TimeSignature
    progression: tuple[int, ...]
    lead: str
    arp_pattern: tuple[int, ...]
    arp_octave: int
    bass_beats: tuple[int, ...]
    melody: tuple[tuple[int, int], ...]  # per chord: two offsets (in degrees) above its root
    offbeat_hats: bool
    lead_pan: float
    pad_level: float
    drum_level: float

    @property
    def beats(self) -> int:
        """Beats counted in one bar."""
        return beats_per_bar(self.metre)


def compose(arrangement: Arranged) -> Score:
    """Make every seeded choice for an arrangement; the same inputs always give the same score."""
    rng = np.random.default_rng(arrangement.seed % 2**64)
    key = Key(arrangement.key_scale)
    words = set(re.findall(r"[a-z]+", arrangement.caption.lower()))
    beats = beats_per_bar(arrangement.time_signature)
    progressions = key.progressions()
    progression = progressions[int(rng.integers(len(progressions)))]
    return Score(
        key=key,
        metre=arrangement.time_signature,
        progression=progression,
        lead=_pick_lead(words, rng),
        arp_pattern=ARP_PATTERNS[int(rng.integers(len(ARP_PATTERNS)))],
        arp_octave=int(rng.integers(3, 5)),
        bass_beats=_bass_beats(beats, int(rng.integers(3))),
        melody=tuple(_melody_offsets(rng) for _ in progression),
        offbeat_hats=bool(rng.integers(2)),
        lead_pan=float(rng.uniform(-0.4, 0.4)),
        pad_level=1.6 if words & _CALM_WORDS else 1.0,
        drum_level=0.5 if words & _CALM_WORDS else 1.6 if words & _DRUM_WORDS else 1.0,
    )


def make_kit(score: Score, seed: int, sample_rate: int) -> Kit:
    """Render the drum sounds: the kick is tuned to the tonic, the noise is seeded too."""
    rng = np.random.default_rng([seed % 2**64, 1])
    return Kit(
        kick=kick(sample_rate, midi_to_hz(score.key.note(0, 1))),
        snare=noise_hit(rng, sample_rate, decay_s=0.07, bright=False),
        hat=noise_hit(rng, sample_rate, decay_s=0.02, bright=True),
    )


def _pick_lead(words: set[str], rng: np.random.Generator) -> str:
    drawn = LEADS[int(rng.integers(len(LEADS)))]
    named = [_LEAD_WORDS.get(word) or _LEAD_WORDS_MORE.get(word) for word in sorted(words)]
    return next((lead for lead in named if lead), drawn)


def _bass_beats(beats: int, style: int) -> tuple[int, ...]:
    """0: one long note, 1: root twice a bar, 2: a note on every beat."""
    if style == 0 or beats == 1:
        return (0,)
    if style == 1:
        return (0, beats // 2)
    return tuple(range(beats))


def _melody_offsets(rng: np.random.Generator) -> tuple[int, int]:
    first, second = rng.choice([0, 2, 4, 7], size=2)
    return int(first), int(second)
