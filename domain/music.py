"""Musical vocabulary shared by the parser, presets, the modal and the stand-in: keys and metres.

Keys are kept in ACE-Step's own form: a note letter, an optional ASCII accidental, then
"major" or "minor" ("F# minor", "Bb major").
"""

import re
from typing import Final

from domain.constants import TIME_SIGNATURES, TimeSignature

NOTE_SEMITONES: Final = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_ACCIDENTALS: Final = {"": 0, "#": 1, "b": -1, "♯": 1, "♭": -1, "sharp": 1, "flat": -1}
_MODES: Final = {
    "major": "major",
    "maj": "major",
    "M": "major",
    "minor": "minor",
    "min": "minor",
    "m": "minor",
}
_KEY_RE: Final = re.compile(
    r"^\s*(?P<note>[A-Ga-g])\s*(?P<acc>#|♯|♭|b|\s+sharp|\s+flat|-sharp|-flat)?"
    r"\s*(?P<mode>major|maj|minor|min|m|M)?\s*$",
    re.IGNORECASE,
)


class MusicError(ValueError):
    """A key or time signature that ACE-Step cannot take; the message is shown to users."""


def parse_key(text: str) -> str:
    """Return the canonical form of a key ("f#m" -> "F# minor"); a bare note means major."""
    match = _KEY_RE.match(text)
    if match is None:
        raise MusicError(
            f"'{text}' is not a key I know. "
            "Try a note and a mode, e.g. 'D minor', 'F#m' or 'Bb major'."
        )
    note = match["note"].upper()
    accidental = (match["acc"] or "").strip().lstrip("-").lower()
    accidental = {"♯": "#", "sharp": "#", "♭": "b", "flat": "b"}.get(accidental, accidental)
    raw_mode = match["mode"] or "major"
    # "m" is minor, "M" major; every longer spelling is case-insensitive.
    mode = _MODES[raw_mode] if raw_mode in ("m", "M") else _MODES[raw_mode.lower()]
    return f"{note}{accidental} {mode}"


def key_root_semitone(key: str) -> int:
    """Semitone of a canonical key's tonic above C (0-11)."""
    note, _, _ = key.partition(" ")
    return (NOTE_SEMITONES[note[0]] + _ACCIDENTALS[note[1:]]) % 12


def key_is_minor(key: str) -> bool:
    """Whether a canonical key is minor."""
    return key.endswith(" minor")


def parse_time_signature(text: str) -> TimeSignature:
    """Return the server's form of a metre ("3/4" -> "3"); "3" is accepted as it is."""
    cleaned = text.strip().replace(" ", "")
    if cleaned in TIME_SIGNATURES:
        return TIME_SIGNATURES[cleaned]
    if cleaned in TIME_SIGNATURES.values():
        return next(v for v in TIME_SIGNATURES.values() if v == cleaned)
    known = ", ".join(TIME_SIGNATURES)
    raise MusicError(f"ACE-Step cannot do a {text} metre. It knows {known}.")


def beats_per_bar(time_signature: TimeSignature) -> int:
    """How many beats the stand-in counts in a bar of the given metre."""
    return int(time_signature)


def display_time_signature(time_signature: TimeSignature) -> str:
    """The usual notation of a server-form metre ("6" -> "6/8")."""
    return next(k for k, v in TIME_SIGNATURES.items() if v == time_signature and k != "2/2")
