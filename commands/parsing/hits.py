"""What the recognisers find: a `Hit` fills one `Slot` of a request and remembers the words typed.

Tempo words ("slow", "upbeat") are kept as `TempoWord`s rather than numbers, because what they mean
depends on context: a preset's tempo range, or (in a thread refinement) the parent track's BPM.
"""

from dataclasses import dataclass
from enum import StrEnum


class Slot(StrEnum):
    """A request setting that free text can fill (the value is the word used in messages)."""

    DURATION = "duration"  # int seconds
    VARIANTS = "variants"  # int
    TEMPO = "tempo"  # int BPM or TempoWord
    KEY = "key"  # str, canonical ("F# minor")
    TIME_SIGNATURE = "time signature"  # str, server form ("3")
    SEED = "seed"  # int
    MODEL = "model"  # str
    FORMAT = "format"  # str: mp3, wav, flac
    STEPS = "steps"  # int inference steps
    GUIDANCE = "guidance"  # float
    LANGUAGE = "language"  # str vocal language code
    ENHANCE = "enhance"  # bool
    VOCALS = "vocals"  # bool: True vocals, False instrumental


class TempoWord(StrEnum):
    """Tempo levels named in words, slowest first."""

    SLOW = "slow"
    RELAXED = "relaxed"
    MEDIUM = "medium"
    UPBEAT = "upbeat"
    ENERGETIC = "energetic"
    FAST = "fast"


HitValue = int | float | str | bool


@dataclass(frozen=True)
class Hit:
    """One recognised token."""

    slot: Slot
    value: HitValue
    words: str  # as typed, for messages ("3min", "in D minor")
    keep_words: bool = False  # the words also describe the sound: leave them in the caption
    caption_tag: str | None = None  # a mood tag these words add to the caption ("upbeat")
