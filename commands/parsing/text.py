"""Text housekeeping around the recognisers: the `/music` prefix, lyrics, tidying caption words.

Caption cleaning keeps what people wrote, tidied: control characters and consumed-token blanks
become spaces, comma/semicolon-separated parts are kept as separate tags, stray punctuation and
filler at the edges of a part ("make me some", "for the") are dropped, and a part made only of
generic words ("music", "track") disappears.
"""

import re
import unicodedata
from typing import Final

from commands.errors import UsageError
from commands.parsing import messages as msg

# Every leading `/music`: one typed by hand in front of a pasted command is still just the command.
_COMMAND_RE: Final = re.compile(r"^\s*/music(?![\w-])(?:\s*/music(?![\w-]))*", re.IGNORECASE)
_LYRICS_RE: Final = re.compile(r"(?<![\w-])lyrics?\s*[:=]", re.IGNORECASE)
_DECADE_RE: Final = re.compile(r"(?<![\w.])(?:19|20)?[2-9]0['’]?s(?!\w)", re.IGNORECASE)
_EDGE_PUNCTUATION: Final = "\"'`’‘“”.,;:!?()[]{}<>-–—_*~|/\\"
EDGE_FILLER: Final = frozenset(
    "a an the some for with and of in at to on please me us make give generate create".split()
)
GENERIC_WORDS: Final = EDGE_FILLER | frozenset(
    "music track tracks song songs tune tunes piece pieces background bgm something".split()
)


def strip_command(text: str) -> str:
    """The text without its leading `/music` (or several)."""
    return _COMMAND_RE.sub("", text, count=1)


def split_lyrics(text: str) -> tuple[str, str | None]:
    """(`text` before `lyrics:`, the lyrics after it); lyrics None when there is no `lyrics:`.

    Everything after the first `lyrics:` is lyrics, line breaks included.
    """
    match = _LYRICS_RE.search(text)
    if match is None:
        return text, None
    lyrics = text[match.end() :].strip()
    if not lyrics:
        raise UsageError(msg.empty_lyrics(), msg.EXAMPLE_LYRICS)
    return text[: match.start()], lyrics


def clean_words(text: str) -> str:
    """The caption words left in `text`, tidied into comma-separated parts."""
    spaced = "".join(" " if _is_control(ch) else ch for ch in text)
    parts = (_clean_part(part) for part in re.split(r"[,;]", spaced))
    return ", ".join(part for part in parts if part)


def decades(text: str) -> list[str]:
    """Decade words ("90s", "1980s") in a caption, which could be mistaken for lengths."""
    return _DECADE_RE.findall(text)


def _is_control(char: str) -> bool:
    return char.isspace() or unicodedata.category(char).startswith("C")


def _clean_part(part: str) -> str:
    words = [word.strip(_EDGE_PUNCTUATION) for word in part.split()]
    words = [word for word in words if any(ch.isalnum() for ch in word)]
    if all(word.lower() in GENERIC_WORDS for word in words):
        return ""
    while words[0].lower() in EDGE_FILLER:
        words.pop(0)
    while words[-1].lower() in EDGE_FILLER:
        words.pop()
    return " ".join(words)
