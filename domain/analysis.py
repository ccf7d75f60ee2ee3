"""What a track measured like, and whether it came out as it was asked (issue 13).

`TrackAnalysis` is what the audio analysis measured on a file: tempo, key and mode (each with a
confidence from 0 to 1), tonal balance (85 % spectral roll-off, share of energy above 8 kHz) and
the short-term loudness range. `Adherence` compares it with the request: tempo within
`TEMPO_TOLERANCE` after half/double-time folding, the same key or its relative major/minor, and
the length within the audio checks' own `DURATION_TOLERANCE`.

Everything here is pure: the measuring is in `bot.engine.audio.analysis`, the storing in
`storage.tracks`. A check is None when nothing was asked, or when the measurement is missing or
less confident than `TEMPO_MIN_CONFIDENCE` / `KEY_MIN_CONFIDENCE` (a beatless pad has no tempo
to judge): an unsure measurement never counts against a track.
"""

import math
from dataclasses import dataclass
from typing import Final, Literal, TypeVar

from domain import constants as c
from domain.music import key_is_minor, key_root_semitone, parse_key

TEMPO_TOLERANCE: Final = 0.04  # +/-4 % of the asked tempo, after half/double-time folding
TEMPO_FOLDS: Final = (0.25, 0.5, 1.0, 2.0, 4.0)  # measured tempo x these, nearest |log| first
TEMPO_MIN_CONFIDENCE: Final = 0.3  # below this a measured tempo is not judged
KEY_MIN_CONFIDENCE: Final = 0.2  # below this a measured key is not judged
HF_SPLIT_HZ: Final = 8_000.0  # "dull" renders carry almost nothing above this
ROLLOFF_SHARE: Final = 0.85  # the roll-off frequency holds this share of the spectrum's energy
RELATIVE_MINOR_STEPS: Final = 9  # A minor is the relative minor of C major: 9 semitones up

Mode = Literal["major", "minor"]
T = TypeVar("T")

# How a measured key is spelled: the usual name of each key (no "A# major", no "Db minor").
_MAJOR_NAMES: Final = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_MINOR_NAMES: Final = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B")


def key_name(root_semitone: int, mode: Mode) -> str:
    """The canonical key (`domain.music` form) of a tonic pitch class (0 = C) and a mode."""
    names = _MINOR_NAMES if mode == "minor" else _MAJOR_NAMES
    return f"{names[root_semitone % 12]} {mode}"


@dataclass(frozen=True, slots=True)
class TrackAnalysis:
    """What one file measured like. Every value is None where it could not be measured."""

    analyser: str  # the library and its version, e.g. "librosa 0.11.0"
    tempo_bpm: float | None = None
    tempo_confidence: float | None = None  # 0 (a guess) .. 1 (unmistakable beat)
    key: str | None = None  # canonical, with its mode: "F# minor"
    key_confidence: float | None = None  # 0 .. 1
    rolloff_hz: float | None = None  # below this frequency lies ROLLOFF_SHARE of the energy
    hf_energy_ratio: float | None = None  # share of the energy above HF_SPLIT_HZ (0 .. 1)
    loudness_range_lu: float | None = None  # EBU R128 LRA of the short-term loudness

    def __post_init__(self) -> None:
        if self.key is not None and parse_key(self.key) != self.key:
            raise ValueError(f"a measured key is stored in canonical form, not {self.key!r}")

    @property
    def mode(self) -> Mode | None:
        """ "major" or "minor" (None when no key was measured)."""
        if self.key is None:
            return None
        return "minor" if key_is_minor(self.key) else "major"

    @property
    def sure_tempo(self) -> float | None:
        """The tempo when it is confident enough to judge, else None."""
        return _sure(self.tempo_bpm, self.tempo_confidence, TEMPO_MIN_CONFIDENCE)

    @property
    def sure_key(self) -> str | None:
        """The key when it is confident enough to judge, else None."""
        return _sure(self.key, self.key_confidence, KEY_MIN_CONFIDENCE)


@dataclass(frozen=True, slots=True)
class Adherence:
    """Asked against measured, per property: True (obeyed), False (missed) or None (not asked, or
    not measurable). `measured_bpm` is the measured tempo, folded to the asked one when that
    makes it match (a miss keeps the tempo as measured)."""

    asked_bpm: float | None = None
    measured_bpm: float | None = None
    tempo_ok: bool | None = None
    asked_key: str | None = None
    measured_key: str | None = None
    key_ok: bool | None = None
    asked_duration_s: float | None = None
    measured_duration_s: float | None = None
    length_ok: bool | None = None

    @property
    def obeys(self) -> bool:
        """Nothing that was asked and measured came out wrong."""
        return False not in (self.tempo_ok, self.key_ok, self.length_ok)

    @property
    def judged(self) -> bool:
        """Whether at least one property was both asked and measured."""
        return any(ok is not None for ok in (self.tempo_ok, self.key_ok, self.length_ok))

    @property
    def missed(self) -> tuple[str, ...]:
        """The properties that came out wrong, in the order tempo, key, length."""
        checks = (("tempo", self.tempo_ok), ("key", self.key_ok), ("length", self.length_ok))
        return tuple(name for name, ok in checks if ok is False)


def fold_tempo(measured_bpm: float, low_bpm: float, high_bpm: float | None = None) -> float:
    """The measured tempo halved or doubled (up to twice) to come nearest the asked tempo, or the
    asked range [low, high]. A beat tracker often locks onto half or double the felt tempo; both
    are the same music, so neither counts as a miss. Nearness is measured as a ratio; on a tie the
    smaller fold wins."""
    high = low_bpm if high_bpm is None else high_bpm
    if measured_bpm <= 0 or low_bpm <= 0 or high < low_bpm:
        raise ValueError(f"tempos must be positive and low <= high: {measured_bpm}, {low_bpm}")

    def distance(factor: float) -> tuple[float, float]:
        tempo = measured_bpm * factor
        if low_bpm <= tempo <= high:
            return (0.0, abs(math.log2(factor)))
        edge = low_bpm if tempo < low_bpm else high
        # rounded, so an exact tie is not decided by the last bit of a logarithm
        return (round(abs(math.log(tempo / edge)), 9), abs(math.log2(factor)))

    return measured_bpm * min(TEMPO_FOLDS, key=distance)


def tempo_matches(
    measured_bpm: float,
    low_bpm: float,
    high_bpm: float | None = None,
    tolerance: float = TEMPO_TOLERANCE,
) -> bool:
    """Whether the measured tempo, folded, is within `tolerance` of the asked tempo or range."""
    high = low_bpm if high_bpm is None else high_bpm
    folded = fold_tempo(measured_bpm, low_bpm, high)
    return low_bpm * (1 - tolerance) <= folded <= high * (1 + tolerance)


def key_matches(asked: str, measured: str) -> bool:
    """The same key, or its relative major/minor ("C major" and "A minor" share their notes).
    Spelling does not matter: "F# minor" matches "Gb minor"."""
    asked, measured = parse_key(asked), parse_key(measured)
    asked_root, measured_root = key_root_semitone(asked), key_root_semitone(measured)
    asked_minor, measured_minor = key_is_minor(asked), key_is_minor(measured)
    if asked_minor == measured_minor:
        return asked_root == measured_root
    major_root, minor_root = (
        (measured_root, asked_root) if asked_minor else (asked_root, measured_root)
    )
    return (major_root + RELATIVE_MINOR_STEPS) % 12 == minor_root


def length_matches(asked_s: float, measured_s: float) -> bool:
    """Within the audio checks' own tolerance (`DURATION_TOLERANCE` of the asked length)."""
    return abs(measured_s - asked_s) <= c.DURATION_TOLERANCE * asked_s


def adherence(
    analysis: TrackAnalysis | None,
    *,
    asked_bpm: float | None,
    asked_key: str | None,
    asked_duration_s: float | None,
    duration_s: float | None,
) -> Adherence:
    """Compare what was asked with what was measured (see `Adherence`)."""
    tempo = analysis.sure_tempo if analysis else None
    key = analysis.sure_key if analysis else None
    tempo_ok = None if tempo is None or not asked_bpm else tempo_matches(tempo, asked_bpm)
    # a fold that does not reach the asked tempo explains nothing: a miss shows what was measured
    shown = fold_tempo(tempo, asked_bpm) if tempo_ok and tempo and asked_bpm else tempo
    return Adherence(
        asked_bpm=asked_bpm,
        measured_bpm=None if shown is None or not asked_bpm else round(shown, 2),
        tempo_ok=tempo_ok,
        asked_key=asked_key,
        measured_key=key,
        key_ok=None if key is None or not asked_key else key_matches(asked_key, key),
        asked_duration_s=asked_duration_s,
        measured_duration_s=duration_s,
        length_ok=(
            None
            if not asked_duration_s or duration_s is None
            else length_matches(asked_duration_s, duration_s)
        ),
    )


def _sure(value: T | None, confidence: float | None, minimum: float) -> T | None:
    if value is None or confidence is None or confidence < minimum:
        return None
    return value
