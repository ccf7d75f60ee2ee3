"""Tempo words and what they mean in beats per minute.

| word(s)                  | level     | no preset | with a preset: place in its range |
|--------------------------|-----------|-----------|-----------------------------------|
| slow, slower             | slow      | 70 bpm    | 10 %                              |
| relaxed                  | relaxed   | 85 bpm    | 30 %                              |
| medium, moderate, mid-tempo | medium | 100 bpm   | 50 %                              |
| upbeat                   | upbeat    | 120 bpm   | 70 %                              |
| energetic                | energetic | 128 bpm   | 80 %                              |
| fast, faster             | fast      | 140 bpm   | 90 %                              |

With a preset the word picks a point inside the preset's own range, so "slow" for quick-service
(110-150) is 114 bpm and for spa (50-80) 53 bpm: the venue keeps its character, the word moves
within it. Descriptive words (slow, relaxed, upbeat, energetic, fast) also become the caption's
mood; "slower", "faster", "medium" only set the tempo.
"""

from typing import Final

from commands.parsing.hits import TempoWord

TEMPO_WORDS: Final[dict[str, TempoWord]] = {
    "slow": TempoWord.SLOW,
    "slower": TempoWord.SLOW,
    "relaxed": TempoWord.RELAXED,
    "medium": TempoWord.MEDIUM,
    "moderate": TempoWord.MEDIUM,
    "mid-tempo": TempoWord.MEDIUM,
    "upbeat": TempoWord.UPBEAT,
    "energetic": TempoWord.ENERGETIC,
    "fast": TempoWord.FAST,
    "faster": TempoWord.FAST,
}
MOOD_WORDS: Final = frozenset({"slow", "relaxed", "upbeat", "energetic", "fast"})
ABSOLUTE_BPM: Final[dict[TempoWord, int]] = {
    TempoWord.SLOW: 70,
    TempoWord.RELAXED: 85,
    TempoWord.MEDIUM: 100,
    TempoWord.UPBEAT: 120,
    TempoWord.ENERGETIC: 128,
    TempoWord.FAST: 140,
}
RANGE_POSITION: Final[dict[TempoWord, float]] = {
    TempoWord.SLOW: 0.1,
    TempoWord.RELAXED: 0.3,
    TempoWord.MEDIUM: 0.5,
    TempoWord.UPBEAT: 0.7,
    TempoWord.ENERGETIC: 0.8,
    TempoWord.FAST: 0.9,
}


def tempo_for(word: TempoWord, bpm_range: tuple[int, int] | None = None) -> int:
    """The BPM a tempo word means, inside `bpm_range` (a preset's min/max) when given."""
    if bpm_range is None:
        return ABSOLUTE_BPM[word]
    low, high = bpm_range
    return round(low + (high - low) * RANGE_POSITION[word])
