"""The words of a reply that edit the caption: "more piano", "no drums", "calmer", "rainy evening".

The text left once every token is taken out is cut into clauses at punctuation, line breaks and
the blanks tokens left behind ("more piano 5min strings" is "more piano" and "strings"). In a
clause, a cue word starts an edit and the words up to the next cue are its object, split at
"and"/"or"/"&" ("no drums or bass" removes both):

- "more/add/with/plus/extra/bring in/... X" and "X please" -> emphasise X;
- "no/without/less/remove/drop/lose/minus/get rid of/... X" -> remove X;
- words before the first cue are free words: added to the caption as they are (tidied);
  a part made only of chat words ("thanks, nice") is left out.

Mood words ("calmer", "more energetic", "less dark") are read before the tokens, by `read_moods`.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from commands.parsing.refine_vocab import (
    ADD_CUES,
    CHAT_WORDS,
    COMPARATIVES,
    CUE_RE,
    MOOD_RE,
    REFINE_FILLER,
    REFINE_GENERIC,
    opposite_mood,
    phrase,
)
from commands.parsing.text import clean_words
from commands.parsing.tokens import blank_out

_CLAUSE_RE: Final = re.compile(r"[,;.!?\n\x00]+|\s+(?:but|then|also)\s+", re.IGNORECASE)
_AND_RE: Final = re.compile(r"\s+(?:and|or|&|\+)\s+", re.IGNORECASE)


class EditKind(StrEnum):
    """What an edit does to the caption."""

    EMPHASISE = "emphasise"  # "more piano": a tag that puts piano up front
    REMOVE = "remove"  # "no drums": every tag that mentions drums goes
    MOOD = "mood"  # "calmer": a mood tag, replacing the opposite mood
    APPEND = "append"  # free words: one more tag


@dataclass(frozen=True)
class Edit:
    """One change to the caption, and the words that asked for it."""

    kind: EditKind
    thing: str  # "piano", "drums", "calm", "rainy evening"
    words: str  # as typed, for messages ("more piano")


@dataclass(frozen=True)
class EditReading:
    """The caption edits in some text, and comment-like parts that were left out."""

    edits: tuple[Edit, ...]
    chat: tuple[str, ...]


def read_moods(text: str) -> tuple[list[Edit], str]:
    """Mood edits ("calmer", "more energetic", "less dark") and the text without them."""
    edits = [_mood_edit(match) for match in MOOD_RE.finditer(text)]
    rest = blank_out(text, [match.span() for match in MOOD_RE.finditer(text)])
    return edits, rest


def _mood_edit(match: re.Match[str]) -> Edit:
    words = " ".join(match[0].split())
    if match["cmp"]:
        return Edit(EditKind.MOOD, COMPARATIVES[match["cmp"].lower()], words)
    adjective = phrase(match["adj"])
    if match["dir"].lower() == "more":
        return Edit(EditKind.MOOD, adjective, words)
    opposite = opposite_mood(adjective)
    if opposite is None:
        return Edit(EditKind.REMOVE, adjective, words)
    return Edit(EditKind.MOOD, opposite, words)


def read_edits(text: str) -> EditReading:
    """Every caption edit in the words left over, in text order."""
    edits: list[Edit] = []
    chat: list[str] = []
    for clause in _CLAUSE_RE.split(text):
        parts = CUE_RE.split(clause)  # [lead, cue, object, cue, object, ...]
        lead = _lead_edits(parts[0])
        if lead and all(is_chat(edit.thing) for edit in lead):
            chat.append(" ".join(parts[0].split()))
        else:
            edits += [edit for edit in lead if not is_chat(edit.thing)]
        for cue, target in zip(parts[1::2], parts[2::2], strict=True):
            edits += _cue_edits(cue, target)
    return EditReading(tuple(edits), tuple(chat))


def distinct(edits: Iterable[Edit]) -> list[Edit]:
    """Edits without repeats (the same kind of change to the same thing, any case)."""
    seen: dict[tuple[EditKind, str], Edit] = {}
    for edit in edits:
        seen.setdefault((edit.kind, phrase(edit.thing)), edit)
    return list(seen.values())


def _lead_edits(text: str) -> list[Edit]:
    """Words before any cue: "X please" asks for more X; anything else is free words."""
    words = text.split()
    last = words[-1].strip(".,!?'\"").lower() if words else ""
    kind = EditKind.EMPHASISE if last == "please" else EditKind.APPEND
    return [Edit(kind, thing, thing) for thing in tidy(text)]


def _cue_edits(cue: str, target: str) -> list[Edit]:
    kind = EditKind.EMPHASISE if phrase(cue) in ADD_CUES else EditKind.REMOVE
    said = " ".join(cue.split())
    things = [thing for piece in _AND_RE.split(target) for thing in tidy(piece)]
    return [Edit(kind, thing, f"{said} {thing}") for thing in things]


def tidy(text: str) -> list[str]:
    """Caption parts in `text`, tidied, without filler at their edges or filler-only parts."""
    cleaned = clean_words(text)
    parts = (_strip_filler(part) for part in cleaned.split(", ")) if cleaned else ()
    return [part for part in parts if part]


def _strip_filler(part: str) -> str:
    words = part.split()
    if all(word.lower() in REFINE_GENERIC for word in words) or not any(map(str.isalpha, part)):
        return ""  # filler only ("make it"), or no words at all ("3")
    while words[0].lower() in REFINE_FILLER:
        words.pop(0)
    while words[-1].lower() in REFINE_FILLER:
        words.pop()
    return " ".join(words)


def is_chat(words: str) -> bool:
    """Whether a part is only a comment ("love it", "thanks"), not a description."""
    lowered = [word.lower() for word in words.split()]
    return any(word in CHAT_WORDS for word in lowered) and all(
        word in CHAT_WORDS or word in REFINE_GENERIC for word in lowered
    )
