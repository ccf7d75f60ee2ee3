"""Editing a caption the way ACE-Step reads it: comma-separated tags, the most important first.

The first tag (usually the genre) stays first; tags a reply puts "up front" go right after it.

- emphasise X ("more piano"): the first later tag that mentions X is strengthened and moved up
  front ("soft piano" -> "prominent soft piano"; a tag already "prominent ..." just moves); if no
  tag after the first mentions X, "prominent X" is added up front.
- remove X ("no drums"): every tag that mentions X goes. "Mentions" is a word match, any case,
  singular or plural ("drum" finds "brushed drums", "strings" finds "soft string ensemble").
  Nothing negative is ever written (ACE-Step has no negative prompt: "no drums" would ask for
  drums); when no tag mentions X, a note says so.
- mood ("calmer" -> "calm"): the mood goes up front; tags that are exactly an opposite mood on the
  same axis ("energetic", "upbeat" for calm; "bright" for dark) are removed.
- free words: one more tag at the end, before a closing "instrumental", unless a tag already says
  them.
- switching to instrumental drops tags about vocals and closes with "instrumental"; switching to
  vocals drops "instrumental" and adds "vocals" when no tag mentions a voice.
- the result fits `CAPTION_MAX_CHARS`: the parent's tags are left out from the end first (never the
  first tag or the closing "instrumental"), then the reply's; a note lists what was left out.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from commands.errors import UsageError
from commands.parsing import messages as msg
from commands.parsing.refine_edits import Edit, EditKind
from commands.parsing.refine_vocab import opposite_moods, phrase
from domain import constants as c
from presets.compose import INSTRUMENTAL_TAG, VOCAL_TAG, join_tags

PROMINENT: Final = "prominent"
_EMPHASISED_RE: Final = re.compile(r"^(?:prominent|featured|lead|up-?front)\b", re.IGNORECASE)
_VOCAL_RE: Final = re.compile(
    r"(?<!\w)(?:vocals?|vocalists?|voices?|singers?|singing|sung|choir|choral)(?!\w)", re.IGNORECASE
)


@dataclass(frozen=True)
class CaptionResult:
    """The edited caption, what changed (plain words) and notes."""

    caption: str
    changes: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass
class _Tags:
    """A caption being edited: its first tag, tags put up front, and the rest."""

    head: list[str]
    front: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    new: set[str] = field(default_factory=set)

    def all(self) -> list[str]:
        return [*self.head, *self.front, *self.body]

    def drop(self, unwanted: Callable[[str], bool]) -> list[str]:
        """Remove every tag `unwanted` picks; return them."""
        gone = [tag for tag in self.all() if unwanted(tag)]
        for pool in (self.head, self.front, self.body):
            pool[:] = [tag for tag in pool if not unwanted(tag)]
        return gone

    def put_front(self, tag: str) -> None:
        self.front.append(tag)
        self.new.add(tag)

    def put_end(self, tag: str) -> None:
        closing = bool(self.body) and phrase(self.body[-1]) == INSTRUMENTAL_TAG
        self.body.insert(len(self.body) - 1 if closing else len(self.body), tag)
        self.new.add(tag)


def split_tags(caption: str) -> list[str]:
    """The tags of a caption, tidied."""
    return [" ".join(tag.split()) for tag in re.split(r"[,;\n]", caption) if tag.strip()]


def mentions(thing: str) -> re.Pattern[str]:
    """A pattern finding `thing` in a tag: whole words, any case, singular or plural."""
    forms = r"[\s-]+".join(_word_forms(word) for word in thing.lower().split())
    return re.compile(rf"(?<!\w){forms}(?!\w)", re.IGNORECASE)


def _word_forms(word: str) -> str:
    stem = singular(word)
    if len(stem) > 2 and stem.endswith("y") and stem[-2] not in "aeiou":
        return rf"{re.escape(stem[:-1])}(?:y|ies)"
    return rf"{re.escape(stem)}(?:s|es)?"


def singular(word: str) -> str:
    """A rough English singular: drums -> drum, melodies -> melody, basses -> bass; bass stays."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def edit_caption(
    caption: str, edits: Sequence[Edit], *, instrumental: bool | None = None
) -> CaptionResult:
    """Apply `edits` (and a vocals switch: True -> instrumental, False -> vocals) to `caption`."""
    tags = split_tags(caption)
    state = _Tags(tags[:1], body=tags[1:])
    changes: list[str] = []
    notes: list[str] = []
    if instrumental is not None:
        _set_instrumental(state, instrumental)
    missing: list[str] = []
    for edit in edits:
        _apply(state, edit, changes, missing)
    if missing:
        notes.append(msg.nothing_to_remove(missing))
    if not state.all():
        removed = ", ".join(edit.words for edit in edits if edit.kind is EditKind.REMOVE)
        raise UsageError(msg.refine_caption_empty(removed), msg.REFINE_EXAMPLE)
    if state.all() == tags:
        return CaptionResult(caption, tuple(changes), tuple(notes))  # the parent's, as written
    kept, dropped = _fit(state.all(), state.new)
    if dropped:
        notes.append(msg.caption_trimmed(dropped))
    return CaptionResult(join_tags(kept), tuple(changes), tuple(notes))


def _apply(state: _Tags, edit: Edit, changes: list[str], missing: list[str]) -> None:
    """Apply one edit; a removal that finds nothing adds its thing to `missing`."""
    if edit.kind is EditKind.REMOVE:
        found = mentions(edit.thing)
        if state.drop(lambda tag: found.search(tag) is not None):
            changes.append(msg.change_removed(edit.thing))
        else:
            missing.append(edit.thing)
    elif edit.kind is EditKind.EMPHASISE:
        _emphasise(state, edit.thing)
        changes.append(msg.change_more(edit.thing))
    elif edit.kind is EditKind.MOOD:
        _mood(state, edit.thing)
        changes.append(msg.change_mood(edit.thing))
    elif not any(mentions(edit.thing).search(tag) for tag in state.all()):
        state.put_end(edit.thing)
        changes.append(msg.change_added(edit.thing))


def _emphasise(state: _Tags, thing: str) -> None:
    found = mentions(thing).search
    for pool in (state.front, state.body):
        for index, tag in enumerate(pool):
            if found(tag):
                pool.pop(index)
                state.put_front(tag if _EMPHASISED_RE.match(tag) else f"{PROMINENT} {tag}")
                return
    state.put_front(f"{PROMINENT} {thing}")


def _mood(state: _Tags, mood: str) -> None:
    opposite = opposite_moods(mood)
    state.drop(lambda tag: phrase(tag) in opposite or phrase(tag) == mood)
    state.put_front(mood)


def _set_instrumental(state: _Tags, instrumental: bool) -> None:
    if instrumental:
        state.drop(lambda tag: _VOCAL_RE.search(tag) is not None)
        if not any(phrase(tag) == INSTRUMENTAL_TAG for tag in state.all()):
            state.body.append(INSTRUMENTAL_TAG)
        return
    state.drop(lambda tag: phrase(tag) == INSTRUMENTAL_TAG)
    if not any(_VOCAL_RE.search(tag) for tag in state.all()):
        state.put_end(VOCAL_TAG)


def _fit(tags: list[str], new: set[str]) -> tuple[list[str], list[str]]:
    """Leave tags out until the caption fits; the parent's own first, from the end."""
    kept = list(tags)
    dropped: list[str] = []
    while len(", ".join(kept)) > c.CAPTION_MAX_CHARS and len(kept) > 1:
        dropped.append(kept.pop(_least_needed(kept, new)))
    return kept, dropped


def _least_needed(tags: list[str], new: set[str]) -> int:
    """The index of the tag to leave out next (never the first one)."""
    last = len(tags) - 1
    closing = last if phrase(tags[last]) == INSTRUMENTAL_TAG else None
    later = [index for index in range(last, 0, -1) if index != closing]
    old = [index for index in later if tags[index] not in new]
    return (old or later or [last])[0]


def check_edits(edits: Sequence[Edit]) -> None:
    """Refuse asking for a thing and removing it ("more piano, no piano"), or opposite moods."""
    said: dict[tuple[bool, tuple[str, ...]], Edit] = {}
    moods: dict[str, Edit] = {}
    for edit in edits:
        removing = edit.kind is EditKind.REMOVE
        key = tuple(singular(word) for word in edit.thing.lower().split())
        _refuse_clash(said.get((not removing, key)), edit)
        said.setdefault((removing, key), edit)
        if edit.kind is EditKind.MOOD:
            _refuse_clash(
                next((moods[m] for m in opposite_moods(edit.thing) if m in moods), None), edit
            )
            moods.setdefault(edit.thing, edit)


def _refuse_clash(earlier: Edit | None, edit: Edit) -> None:
    if earlier is not None:
        raise UsageError(msg.refine_both(earlier.words, edit.words), msg.REFINE_EXAMPLE)
