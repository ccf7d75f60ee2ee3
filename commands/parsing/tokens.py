"""Token recognisers: small patterns that find settings anywhere in free text.

`scan(text)` runs every recogniser in order over the text, collects what each one found as `Hit`s,
and blanks out the words it consumed so later recognisers (and the caption) do not see them again.
A recogniser's `read` may return None to leave the words alone (e.g. "90s jazz" is a decade, not a
length) or raise `UsageError` for a recognised but impossible value ("15min", "5/4").

Forms understood (case-insensitive):

- settings: `name=value` / `name: value` (`commands.parsing.settings`), `key=F#m`, `key: Bb major`
- duration: `3min`, `3 min`, `3 minutes`, `1.5min`, `90s`, `90 sec`, `2:30`, `1m30s`, `1m30`
- variants: `x4`, `×4`, `4 variants`, `4 versions`, `4 takes`
- tempo: `120bpm`, `120 bpm`, and the words in `commands.parsing.tempo`
- key: `in D minor`, `in F#m`, `in Bb`, `in B flat minor` (a bare lowercase note needs a mode,
  so "in a lobby" is not a key)
- time signature: `3/4`, `6/8`, `4/4`, `2/4`, `2/2` (other `N/2|4|8|16` are errors)
- format: bare `mp3`, `wav`, `flac` (and an error for ogg, m4a, aac, opus, aiff, wma)
- switches: `enhance`, `instrumental`, `no vocals`, `vocals` (the last stays in the caption)
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from commands.errors import UsageError
from commands.parsing import messages as msg
from commands.parsing import values as v
from commands.parsing.hits import Hit, Slot
from commands.parsing.settings import read_setting
from commands.parsing.tempo import MOOD_WORDS, TEMPO_WORDS

BLANK: Final = "\x00"  # what consumed words are replaced with (never a word character)
_I: Final = re.IGNORECASE
_ACC: Final = r"(?:#|♯|♭|b|[\s-]?(?i:sharp|flat))"
_MODE: Final = r"(?:\s*(?i:major|minor|maj|min)(?![a-z])|m(?![a-z]))"
KEY_AFTER_IN: Final = (
    rf"[A-G]{_ACC}?{_MODE}?"  # "in D", "in F#m", "in Bb major"
    rf"|[A-Ga-g]{_ACC}{_MODE}?"  # "in bb", "in f# minor"
    rf"|[A-Ga-g]{_MODE}"  # "in d minor", "in am"
)
KEY_ANY: Final = rf"[A-Ga-g]{_ACC}?(?:{_MODE}|M(?![a-z]))?"
_END_KEY: Final = r"(?![\w#♯♭])"


@dataclass(frozen=True)
class Recogniser:
    """A pattern and what a match of it means."""

    name: str
    pattern: re.Pattern[str]
    read: Callable[[re.Match[str]], Hit | None]


@dataclass(frozen=True)
class Scan:
    """Everything recognised in a text, and what is left of the text."""

    hits: tuple[Hit, ...]  # in the order they appear in the text
    rest: str  # the text with consumed words replaced by BLANK characters


def scan(text: str, recognisers: Sequence[Recogniser] | None = None) -> Scan:
    """Run the recognisers (default: all of them) over `text` in order."""
    found: list[tuple[int, Hit]] = []
    for recogniser in RECOGNISERS if recognisers is None else recognisers:
        spans: list[tuple[int, int]] = []
        for match in recogniser.pattern.finditer(text):
            hit = recogniser.read(match)
            if hit is None:
                continue
            found.append((match.start(), hit))
            if not hit.keep_words:
                spans.append(match.span())
        text = blank_out(text, spans)
    found.sort(key=lambda item: item[0])
    return Scan(tuple(hit for _, hit in found), text)


def blank_out(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """`text` with each span replaced by as many BLANK characters (positions stay valid)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = BLANK * (end - start)
    return "".join(chars)


def _words(match: re.Match[str]) -> str:
    return " ".join(match[0].split())


def _key_setting(match: re.Match[str]) -> Hit:
    return Hit(Slot.KEY, v.read_key(match["key"]), _words(match))


def _setting(match: re.Match[str]) -> Hit | None:
    strict = match["sep"] == "="
    return read_setting(match["name"], match["value"], _words(match), strict=strict)


def _duration(match: re.Match[str]) -> Hit | None:
    if is_decade(match):
        return None
    words = _words(match)
    return Hit(Slot.DURATION, v.check_duration(v.duration_seconds(match), words), words)


def is_decade(match: re.Match[str]) -> bool:
    """Whether a seconds match is really a decade: "1990s", or "90s" followed by a word."""
    number, unit = match["seconds"], match["sec_unit"]
    if number is None or unit.lower() != "s" or match[0] != number + unit:
        return False
    if re.fullmatch(r"(?:19|20)\d0", number):
        return True
    after = match.string[match.end() :].lstrip()
    return re.fullmatch(r"[2-9]0", number) is not None and after[:1].isalpha()


def _variants(match: re.Match[str]) -> Hit:
    words = _words(match)
    count = v.whole_number(match["n"] or match["m"])
    return Hit(Slot.VARIANTS, v.check_variants(count, words), words)


def _bpm(match: re.Match[str]) -> Hit:
    words = _words(match)
    return Hit(Slot.TEMPO, v.check_bpm(match["n"], words), words)


def _key_in(match: re.Match[str]) -> Hit:
    return Hit(Slot.KEY, v.read_key(match["key"]), _words(match))


def _bad_key(match: re.Match[str]) -> Hit:
    raise UsageError(msg.unknown_key(f"{match['bad']} {match['mode']}"), msg.EXAMPLE_KEY)


def _time_signature(match: re.Match[str]) -> Hit:
    words = _words(match)
    return Hit(Slot.TIME_SIGNATURE, v.read_time_signature(words), words)


def _tempo_word(match: re.Match[str]) -> Hit:
    word = match[0].lower()
    tag = word if word in MOOD_WORDS else None
    return Hit(Slot.TEMPO, TEMPO_WORDS[word], match[0], caption_tag=tag)


def _format(match: re.Match[str]) -> Hit:
    return Hit(Slot.FORMAT, v.read_format(match[0]), match[0])


def _switch(slot: Slot, value: bool, *, keep: bool = False) -> Callable[[re.Match[str]], Hit]:
    def read(match: re.Match[str]) -> Hit:
        return Hit(slot, value, _words(match), keep_words=keep)

    return read


def _word(*words: str) -> str:
    options = "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in words)
    return rf"(?<![\w-])(?:{options})(?![\w-])"


RECOGNISERS: Final[tuple[Recogniser, ...]] = (
    Recogniser(
        "key setting",
        re.compile(rf"(?<![\w-])(?i:key|scale|key_scale)\s*[=:]\s*(?P<key>{KEY_ANY}){_END_KEY}"),
        _key_setting,
    ),
    Recogniser(
        "setting",
        re.compile(
            r"(?<![\w-])(?P<name>[a-z_]+)\s*(?P<sep>[=:])\s*(?P<value>[^\s,;=]+"
            r"(?:\s+(?:minutes?|mins?|seconds?|secs?|bpm|major|minor)(?!\w))?)",
            _I,
        ),
        _setting,
    ),
    Recogniser(
        "variants",
        re.compile(
            r"(?<![\w.])[x×]\s?(?P<n>\d+)(?![\w.])"
            r"|(?<![\w.])(?P<m>\d+)\s*(?:variants?|versions?|takes?)(?!\w)",
            _I,
        ),
        _variants,
    ),
    Recogniser("bpm", re.compile(r"(?<![\w.])(?P<n>\d+(?:\.\d+)?)\s*bpm(?!\w)", _I), _bpm),
    Recogniser(
        "key", re.compile(rf"(?<![\w-])(?i:in)\s+(?P<key>{KEY_AFTER_IN}){_END_KEY}"), _key_in
    ),
    Recogniser(
        "unknown key",
        re.compile(r"(?<![\w-])in\s+(?P<bad>[H-Z][#♯♭b]?)\s+(?P<mode>major|minor)(?!\w)", _I),
        _bad_key,
    ),
    Recogniser(
        "time signature",
        re.compile(r"(?<![\w/.])\d{1,2}\s*/\s*(?:16|2|4|8)(?![\w/.])"),
        _time_signature,
    ),
    Recogniser(
        "no vocals",
        re.compile(_word("no vocals", "no vocal", "without vocals", "no singing"), _I),
        _switch(Slot.VOCALS, False),
    ),
    Recogniser("tempo word", re.compile(_word(*TEMPO_WORDS), _I), _tempo_word),
    Recogniser(
        "format",
        re.compile(r"(?<![\w.=/-])(?:mp3|wav|flac|ogg|m4a|aac|opus|aiff|wma)(?![\w.])", _I),
        _format,
    ),
    Recogniser("enhance", re.compile(_word("enhance"), _I), _switch(Slot.ENHANCE, True)),
    Recogniser("instrumental", re.compile(_word("instrumental"), _I), _switch(Slot.VOCALS, False)),
    Recogniser(
        "vocals", re.compile(_word("vocals", "vocal"), _I), _switch(Slot.VOCALS, True, keep=True)
    ),
    # Last: by now the word after "90s" is a caption word ("90s x2" is a length, "90s pop" not).
    Recogniser(
        "duration", re.compile(rf"(?<![\w.:'’])(?:{v.DURATION_PATTERN})(?![\w:])", _I), _duration
    ),
)
