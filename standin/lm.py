"""The stand-in's "language model": simple, deterministic rules in place of ACE-Step's 5 Hz LM.

It fills in what the real LM would (tempo, key, metre, length), enriches captions with
instrument and production words, and invents a sample from a free-text description. Enriched
captions end with `ENHANCEMENT_MARK`, so nobody mistakes the rules for a model.
"""

import hashlib
import random
import re
from dataclasses import dataclass
from typing import Final, TypeVar

from domain.constants import INSTRUMENTAL_LYRICS, TimeSignature

ENHANCEMENT_MARK: Final = "(placeholder enhancement by the acemusic stand-in)"
DEFAULT_CAPTION: Final = "calm background music"
LM_DURATION_S: Final = (10, 120)
DEFAULT_TEMPO: Final = (84, 124)
TEMPO_HINTS: Final = (
    (("lofi", "lo-fi"), (70, 88)),
    (("hip hop", "hip-hop"), (80, 98)),
    (("techno",), (124, 134)),
    (("house", "disco"), (116, 126)),
    (("ambient", "spa", "meditation", "sleep"), (56, 76)),
    (("bossa",), (110, 128)),
    (("jazz", "swing"), (88, 132)),
    (("lounge", "chill"), (84, 110)),
    (("rock", "upbeat", "energetic"), (112, 140)),
    (("pop",), (96, 124)),
)
INSTRUMENT_HINTS: Final = (
    (("jazz", "swing"), "upright bass, brushed drums and warm piano"),
    (("lofi", "lo-fi", "hip hop"), "dusty drums, mellow Rhodes and soft bass"),
    (("ambient", "spa", "meditation", "sleep"), "soft pads, gentle piano and airy textures"),
    (("house", "disco", "techno"), "steady kick, round bass and bright chords"),
    (("bossa", "latin"), "nylon guitar, light percussion and soft bass"),
    (("lounge", "hotel", "cafe"), "smooth electric piano, soft bass and light percussion"),
    (("rock",), "driving guitars, live drums and electric bass"),
    (("pop",), "clean guitars, punchy drums and bright synths"),
)
DEFAULT_INSTRUMENTS: Final = "gentle keys, soft bass and light percussion"
PRODUCTION: Final = ("warm, polished mix", "clean, balanced mix", "smooth, spacious mix")
KEYS: Final = (
    "C major", "G major", "D major", "A major", "E major", "F major", "Bb major", "Eb major",
    "A minor", "E minor", "B minor", "D minor", "G minor", "C minor", "F# minor",
)  # fmt: skip
LANGUAGE_WORDS: Final = {
    "english": "en", "chinese": "zh", "mandarin": "zh", "japanese": "ja", "korean": "ko",
    "spanish": "es", "french": "fr", "german": "de", "italian": "it", "portuguese": "pt",
    "russian": "ru", "hindi": "hi", "arabic": "ar", "thai": "th", "vietnamese": "vi",
    "indonesian": "id", "turkish": "tr", "dutch": "nl", "polish": "pl",
}  # fmt: skip
T = TypeVar("T")
PLACEHOLDER_LYRICS: Final = (
    "[Verse]\nPlaceholder words from the acemusic stand-in\n\n[Chorus]\nNo model wrote these lines"
)


@dataclass(frozen=True)
class Metadata:
    """What the LM fills in when a request leaves it open."""

    bpm: int
    key_scale: str
    time_signature: TimeSignature
    duration_s: int


@dataclass(frozen=True)
class Sample:
    """A request invented from a description (`sample_query` / `sample_mode`)."""

    caption: str
    lyrics: str
    language: str
    metadata: Metadata


def text_rng(text: str) -> random.Random:
    """A generator seeded by the text, so the same caption always gets the same answer."""
    return random.Random(hashlib.sha256(text.encode("utf-8")).digest())


def invent_metadata(caption: str, rng: random.Random) -> Metadata:
    """Tempo from genre words in the caption, a key, a metre and a length."""
    low, high = _first_hint(caption, TEMPO_HINTS, DEFAULT_TEMPO)
    words = caption.lower()
    metre: TimeSignature = "3" if "waltz" in words else "6" if "6/8" in words else "4"
    return Metadata(
        bpm=rng.randint(low, high),
        key_scale=rng.choice(KEYS),
        time_signature=metre,
        duration_s=rng.randint(*LM_DURATION_S),
    )


def enhance_caption(caption: str) -> str:
    """The caption with instrument and production words added (idempotent)."""
    if ENHANCEMENT_MARK in caption:
        return caption
    base = caption.strip().rstrip(".,;") or DEFAULT_CAPTION
    instruments = _first_hint(base, INSTRUMENT_HINTS, DEFAULT_INSTRUMENTS)
    production = text_rng(base).choice(PRODUCTION)
    return f"{base}, with {instruments}; {production} {ENHANCEMENT_MARK}"


@dataclass(frozen=True)
class Formatted:
    """What `/format_input` answers: the caption and lyrics reworked, open fields filled."""

    caption: str
    lyrics: str
    bpm: int
    key_scale: str
    time_signature: str
    duration: float
    vocal_language: str


def format_input(
    prompt: str,
    lyrics: str,
    *,
    bpm: int | None,
    key_scale: str,
    time_signature: str,
    duration: float | None,
    language: str,
) -> Formatted:
    """Enrich the caption and fill what was left open; what was given is kept.

    A given duration reaches the LM truncated to whole seconds, as upstream (ACESTEP_API.md §8).
    """
    invented = invent_metadata(prompt, text_rng(prompt))
    final_lyrics = lyrics if lyrics.strip() else INSTRUMENTAL_LYRICS
    instrumental = final_lyrics.strip().lower() in ("[inst]", "[instrumental]")
    return Formatted(
        caption=enhance_caption(prompt),
        lyrics=final_lyrics,
        bpm=bpm if bpm is not None else invented.bpm,
        key_scale=key_scale or invented.key_scale,
        time_signature=time_signature or invented.time_signature,
        duration=float(int(duration) if duration and duration >= 1 else invented.duration_s),
        vocal_language=language or ("unknown" if instrumental else "en"),
    )


def sample_from_query(query: str, vocal_language: str, rng: random.Random) -> Sample:
    """Caption, lyrics, language and metadata invented from a description."""
    instrumental = _sounds_instrumental(query)
    guessed = _guess_language(query)
    language = vocal_language if vocal_language not in ("", "en", "unknown") else guessed
    caption = enhance_caption(query)
    return Sample(
        caption=caption,
        lyrics=INSTRUMENTAL_LYRICS if instrumental else PLACEHOLDER_LYRICS,
        language="unknown" if instrumental else language or "en",
        metadata=invent_metadata(caption, rng),
    )


def _first_hint(text: str, hints: tuple[tuple[tuple[str, ...], T], ...], default: T) -> T:
    words = text.lower()
    return next((value for keys, value in hints if any(k in words for k in keys)), default)


def _sounds_instrumental(query: str) -> bool:
    words = query.lower().strip()
    return (
        "instrumental" in words or "no vocals" in words or re.search(r"\bsolo$", words) is not None
    )


def _guess_language(query: str) -> str | None:
    words = set(re.findall(r"[a-z]+", query.lower()))
    return next((code for word, code in LANGUAGE_WORDS.items() if word in words), None)
