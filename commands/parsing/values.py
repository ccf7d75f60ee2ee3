"""Readers for single values as people type them ("3min", "F#m", "3/4", "ja"), with limits checked.

Each `read_*` takes the text of one value and returns it typed, or raises `UsageError` saying what
is wrong with those exact words and giving an example that works. They are shared by the token
recognisers (`3min`, `in D minor`) and the `name=value` settings (`duration=3min`, `key=D minor`),
and are meant for reuse by thread refinements.
"""

import difflib
import re
from typing import Final

from commands.errors import UsageError
from commands.parsing import messages as msg
from commands.parsing.hits import TempoWord
from commands.parsing.tempo import TEMPO_WORDS
from domain import constants as c
from domain.music import MusicError, parse_key, parse_time_signature

MAX_DIGITS: Final = 12  # longer numbers are out of every range here; never int() them
SEED_MAX: Final = 2**32 - 1
_NUMBER: Final = r"\d+(?:\.\d+)?"
_MIN_UNIT: Final = r"(?:minutes?|mins?|m)"
_SEC_UNIT: Final = r"(?:seconds?|secs?|s)"
DURATION_PATTERN: Final = (
    r"(?P<clock_m>\d{1,2}):(?P<clock_s>[0-5]\d)"
    rf"|(?P<mix_m>\d+)\s*{_MIN_UNIT}\s*(?P<mix_s>[0-5]?\d)\s*{_SEC_UNIT}"
    r"|(?P<short_m>\d+)m(?P<short_s>[0-5]\d)"
    rf"|(?P<minutes>{_NUMBER})\s*-?\s*{_MIN_UNIT}"
    rf"|(?P<seconds>{_NUMBER})\s*-?\s*(?P<sec_unit>{_SEC_UNIT})"
)
_DURATION_RE: Final = re.compile(rf"(?:{DURATION_PATTERN}|(?P<bare>{_NUMBER}))", re.IGNORECASE)
_BPM_RE: Final = re.compile(rf"(?P<n>{_NUMBER})\s*(?:bpm)?", re.IGNORECASE)
_VARIANTS_RE: Final = re.compile(r"[x×]?\s*(?P<n>\d+)", re.IGNORECASE)
_MODEL_RE: Final = re.compile(r"[A-Za-z0-9][\w.\-/]{0,99}", re.ASCII)
_LANGUAGE_NAMES: Final = {
    "english": "en", "japanese": "ja", "chinese": "zh", "mandarin": "zh", "cantonese": "yue",
    "korean": "ko", "thai": "th", "vietnamese": "vi", "indonesian": "id", "malay": "ms",
    "hindi": "hi", "tagalog": "tl", "spanish": "es", "french": "fr", "german": "de",
    "italian": "it", "portuguese": "pt", "russian": "ru", "arabic": "ar",
}  # fmt: skip
_LANGUAGE_SLIPS: Final = {"jp": "ja", "cn": "zh", "kr": "ko", "vn": "vi", "gr": "el", "dk": "da"}
_SWITCHES: Final = {
    "yes": True, "y": True, "true": True, "on": True, "1": True,
    "no": False, "n": False, "false": False, "off": False, "0": False,
}  # fmt: skip


def whole_number(digits: str) -> int:
    """`"0042"` -> 42, without ever converting an absurdly long string (huge means out of range)."""
    significant = digits.lstrip("0") or "0"
    return int(significant) if len(significant) <= MAX_DIGITS else 10**MAX_DIGITS


def read_duration(text: str) -> int:
    """Seconds from 3min, 3 minutes, 1.5min, 90s, 90 sec, 2:30, 1m30s or a bare number (seconds)."""
    match = _DURATION_RE.fullmatch(text.strip())
    if match is None:
        raise UsageError(msg.duration_unreadable(text), msg.EXAMPLE_DURATION)
    return check_duration(duration_seconds(match), text)


def duration_seconds(match: re.Match[str]) -> float:
    """Seconds from a match of `DURATION_PATTERN` (any of its forms)."""
    if match["clock_m"] is not None:
        return whole_number(match["clock_m"]) * 60 + int(match["clock_s"])
    if match["mix_m"] is not None:
        return whole_number(match["mix_m"]) * 60 + whole_number(match["mix_s"])
    if match["short_m"] is not None:
        return whole_number(match["short_m"]) * 60 + int(match["short_s"])
    if match["minutes"] is not None:
        return float(match["minutes"]) * 60
    return float(match["seconds"] or match["bare"])


def check_duration(seconds: float, words: str) -> int:
    """Whole seconds within ACE-Step's 10-600 s, or a UsageError quoting `words`."""
    if not seconds < c.DURATION_MAX_S + 0.5:  # also catches inf/nan
        raise UsageError(msg.duration_too_long(words), msg.EXAMPLE_DURATION)
    if round(seconds) < c.DURATION_MIN_S:
        raise UsageError(msg.duration_too_short(words), msg.EXAMPLE_DURATION)
    return round(seconds)


def read_variants(text: str) -> int:
    """A variant count from 4 or x4, within 1-8."""
    match = _VARIANTS_RE.fullmatch(text.strip())
    if match is None:
        raise UsageError(msg.variants_out_of_range(text), msg.EXAMPLE_VARIANTS)
    return check_variants(whole_number(match["n"]), text)


def check_variants(count: int, words: str) -> int:
    """`count` when ACE-Step makes that many in one request, else a UsageError."""
    if not c.VARIANTS_MIN <= count <= c.VARIANTS_MAX:
        raise UsageError(msg.variants_out_of_range(words), msg.EXAMPLE_VARIANTS)
    return count


def read_tempo(text: str) -> int | TempoWord:
    """A BPM from 120 or 120bpm, or a tempo word (slow, upbeat, ...)."""
    word = TEMPO_WORDS.get(text.strip().lower())
    if word is not None:
        return word
    match = _BPM_RE.fullmatch(text.strip())
    if match is None:
        raise UsageError(msg.tempo_unreadable(text), msg.EXAMPLE_TEMPO)
    return check_bpm(match["n"], text)


def check_bpm(number: str, words: str) -> int:
    """A whole BPM within 30-300 from its digits, or a UsageError quoting `words`."""
    whole, _, fraction = number.partition(".")
    if fraction.strip("0"):
        raise UsageError(msg.tempo_not_whole(words), msg.EXAMPLE_TEMPO)
    bpm = whole_number(whole)
    if not c.BPM_MIN <= bpm <= c.BPM_MAX:
        raise UsageError(msg.tempo_out_of_range(words), msg.EXAMPLE_TEMPO)
    return bpm


def read_key(text: str) -> str:
    """The canonical key ("F# minor") for D minor, F#m, Bb major, B flat, ..."""
    try:
        return parse_key(text)
    except MusicError:
        raise UsageError(msg.unknown_key(text.strip()), msg.EXAMPLE_KEY) from None


def read_time_signature(text: str) -> c.TimeSignature:
    """The server's form ("3") of 3/4, 6/8, 4/4, 2/4 or 2/2."""
    try:
        return parse_time_signature(text)
    except MusicError:
        raise UsageError(
            msg.unknown_time_signature(text.strip()), msg.EXAMPLE_TIME_SIGNATURE
        ) from None


def read_seed(text: str) -> int:
    """A seed: a whole number from 0 to 2**32-1."""
    value = text.strip()
    if not value.isascii() or not value.isdigit() or whole_number(value) > SEED_MAX:
        raise UsageError(msg.seed_out_of_range(text), msg.EXAMPLE_SEED)
    return whole_number(value)


def read_model(text: str) -> str:
    """A model name as the server spells it (or a unique part of it, matched later)."""
    value = text.strip()
    if not _MODEL_RE.fullmatch(value):
        raise UsageError(msg.bad_model(text), msg.EXAMPLE_MODEL)
    return value


def read_format(text: str) -> c.AudioFormat:
    """mp3, wav or flac (any case)."""
    value = text.strip().lower()
    for audio_format in c.AUDIO_FORMATS:
        if value == audio_format:
            return audio_format
    raise UsageError(msg.unknown_format(text.strip()), msg.EXAMPLE_FORMAT)


def read_steps(text: str) -> int:
    """Inference steps: a whole number from 1 to 200."""
    value = text.strip()
    ok = value.isascii() and value.isdigit()
    steps = whole_number(value) if ok else 0
    if not 1 <= steps <= c.INFERENCE_STEPS_MAX:
        raise UsageError(msg.steps_out_of_range(text), msg.EXAMPLE_STEPS)
    return steps


def read_guidance(text: str) -> float:
    """Guidance scale: a number from 1 to 30."""
    value = text.strip()
    ok = re.fullmatch(r"\d{1,4}(?:\.\d{1,6})?", value, re.ASCII) is not None
    guidance = float(value) if ok else 0.0
    if not c.GUIDANCE_MIN <= guidance <= c.GUIDANCE_MAX:
        raise UsageError(msg.guidance_out_of_range(text), msg.EXAMPLE_GUIDANCE)
    return guidance


def read_language(text: str) -> str:
    """A vocal language code ACE-Step knows (ja, zh, ...); English names are accepted too."""
    value = text.strip().lower()
    code = _LANGUAGE_NAMES.get(value, value)
    if code in c.LANGUAGES and code != "unknown":
        return code
    hint = _LANGUAGE_SLIPS.get(code) or next(
        iter(difflib.get_close_matches(code, sorted(_LANGUAGE_NAMES), n=1)), None
    )
    hint = _LANGUAGE_NAMES.get(hint, hint) if hint else None
    raise UsageError(msg.unknown_language(text.strip(), hint), msg.EXAMPLE_LANGUAGE)


def read_switch(name: str, text: str) -> bool:
    """yes/no, on/off, true/false, 1/0 for a `name=` setting."""
    value = _SWITCHES.get(text.strip().lower())
    if value is None:
        raise UsageError(msg.not_a_switch(name, text.strip()), msg.EXAMPLE_ENHANCE)
    return value
