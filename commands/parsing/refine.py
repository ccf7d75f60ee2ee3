"""`parse_refinement`: a reply in a track's thread -> a new request derived from that track's.

"slower, more piano", "again", "5min", "in D minor", "no drums", "x3", "for the spa": the result
starts from every field of the parent request and applies what the reply says. Pure: no I/O,
deterministic for a given `rng_seed` (used only when the reply switches preset).

What a reply can say (details in the modules named):

- nothing new: "again", "another", "one more", "more like this", "re-roll", "redo" -> the same
  settings; the server picks new seeds ("same settings, new takes").
- settings, as in `/music`: `120bpm`, `bpm=120`, tempo words ("slow", "upbeat"), `5min`, `2:30`,
  `in D minor`, `key=F#m`, `3/4`, `x3`, `wav`, `model=`, `seed=`, `steps=`, `guidance=`, `lang=`,
  `enhance`, `instrumental`, `lyrics: ...` (everything after it).
- relative tempo and length: "slower"/"faster", "longer"/"shorter", with "much"/"a bit"
  (`refine_fields`).
- a preset switch: "for the spa", "spa version", "make it for the hotel lobby", "preset=spa". The
  caption is composed afresh from the new preset's pools, led by the reply's free words and moods,
  and tempo, key, length and time signature are drawn from the new preset (all with
  `random.Random(rng_seed)`, in `/music`'s order); whatever the reply states wins. Variants, format,
  engine settings and vocals stay the parent's. Naming the parent's own preset changes nothing.
- caption edits: "more X"/"add X"/"with X"/"X please", "no X"/"without X"/"less X"/"remove X",
  moods ("calmer", "more energetic", "less dark") and free words (`refine_caption`).

Refused with a `UsageError` (a message and a reply that works as the example): an empty reply or a
mere comment ("thanks!"), two values for one setting ("slower faster", "x2 x4", "3min 5min",
"longer 5min"), asking for and removing one thing ("more piano, no piano"), opposite moods, and
anything the request cannot hold. No other exception escapes.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass

from commands.errors import NothingAsked, UsageError
from commands.parsing import messages as msg
from commands.parsing.findings import Findings
from commands.parsing.generation import build_request
from commands.parsing.hits import Slot
from commands.parsing.refine_caption import CaptionResult, check_edits, edit_caption
from commands.parsing.refine_changes import describe_changes
from commands.parsing.refine_edits import Edit, EditKind, distinct
from commands.parsing.refine_fields import (
    Voice,
    engine_fields,
    resolve_length,
    resolve_tempo,
    resolve_voice,
)
from commands.parsing.refine_reading import Reading, read_reply
from commands.parsing.text import decades
from domain import constants as c
from domain.request import GenerationRequest
from presets.compose import compose_caption, pick_duration, pick_key, pick_tempo
from presets.library import PresetLibrary
from presets.lint import negation_in
from presets.schema import Preset


@dataclass(frozen=True)
class ParsedRefinement:
    """The new request, what changed (plain words, for the reply) and notes worth telling."""

    request: GenerationRequest
    changes: tuple[str, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Base:
    """The values a refinement starts from: the parent's, or the new preset's draws."""

    caption: CaptionResult
    bpm: int | None
    key: str | None
    duration_s: int
    time_signature: c.TimeSignature | None
    preset: Preset | None  # whose tempo range tempo words use
    preset_id: str | None
    preset_version: int | None


def parse_refinement(
    text: str, *, parent: GenerationRequest, presets: PresetLibrary, rng_seed: int
) -> ParsedRefinement:
    """Read a thread reply as changes to `parent`; raises UsageError (only) when it cannot."""
    try:
        return _refine(text, parent, presets, rng_seed)
    except UsageError as error:
        raise type(error)(error.message, msg.refine_example(error.example)) from None


def _refine(
    text: str, parent: GenerationRequest, presets: PresetLibrary, rng_seed: int
) -> ParsedRefinement:
    reading = read_reply(text, presets)
    _check_said(reading)
    notes = [*reading.notes]
    edits = _screen(reading, notes)
    voice = resolve_voice(reading.findings, reading.lyrics, parent)
    switch = _switch(reading.preset, parent)
    if switch is None:
        base = _parent_base(parent, presets, edits, voice)
    else:
        base = _preset_base(switch, edits, voice, random.Random(rng_seed))
    request = build_request(
        {
            **parent.model_dump(),
            **_music_fields(reading.findings, base, parent, notes),
            "instrumental": voice.instrumental,
            "lyrics": voice.lyrics,
            **engine_fields(reading.findings, parent, voice.instrumental, notes),
        }
    )
    notes += base.caption.notes
    changes = describe_changes(parent, request, base.caption.changes, voice.change)
    return ParsedRefinement(request, changes, tuple(notes))


def _music_fields(
    said: Findings, base: _Base, parent: GenerationRequest, notes: list[str]
) -> dict[str, object]:
    """Caption, preset and the musical settings: what the reply says, else the base."""
    return {
        "caption": base.caption.caption,
        "bpm": resolve_tempo(said.hit(Slot.TEMPO), base.bpm, base.preset, notes),
        "duration_s": resolve_length(said.hit(Slot.DURATION), base.duration_s, notes),
        "key_scale": said.text(Slot.KEY) or base.key,
        "time_signature": said.time_signature() or base.time_signature,
        "variants": said.integer(Slot.VARIANTS) or parent.variants,
        "preset_id": base.preset_id,
        "preset_version": base.preset_version,
    }


def _check_said(reading: Reading) -> None:
    """Refuse a reply that asks for nothing (empty, or only a comment)."""
    if reading.says_something:
        return
    if reading.chat:
        raise NothingAsked(msg.refine_comment(", ".join(reading.chat)), msg.REFINE_EXAMPLE)
    raise NothingAsked(msg.refine_empty(), msg.REFINE_EXAMPLE)


def _screen(reading: Reading, notes: list[str]) -> list[Edit]:
    """The caption edits to apply: checked for clashes and length; negations left out."""
    edits = distinct(reading.edits)
    check_edits(edits)
    written = sum(len(edit.thing) for edit in edits if edit.kind is not EditKind.REMOVE)
    if written > c.CAPTION_MAX_CHARS:
        raise UsageError(msg.caption_too_long(written), msg.REFINE_EXAMPLE)
    kept: list[Edit] = []
    for edit in edits:
        negation = negation_in(edit.thing) if edit.kind is not EditKind.REMOVE else None
        if negation:
            notes.append(msg.negation(negation))
        else:
            kept.append(edit)
    if reading.findings.hit(Slot.DURATION) is None:
        appended = (edit.thing for edit in kept if edit.kind is EditKind.APPEND)
        notes += [msg.decade(word) for thing in appended for word in decades(thing)]
    return kept


def _switch(named: Preset | None, parent: GenerationRequest) -> Preset | None:
    """The preset the reply switches to; None when it names none or the parent's own."""
    return named if named is not None and named.id != parent.preset_id else None


def _parent_base(
    parent: GenerationRequest, presets: PresetLibrary, edits: Sequence[Edit], voice: Voice
) -> _Base:
    caption = edit_caption(parent.caption, edits, instrumental=voice.switched(parent))
    return _Base(
        caption=caption,
        bpm=parent.bpm,
        key=parent.key_scale,
        duration_s=parent.duration_s,
        time_signature=parent.time_signature,
        preset=presets.get(parent.preset_id) if parent.preset_id else None,
        preset_id=parent.preset_id,
        preset_version=parent.preset_version,
    )


def _preset_base(preset: Preset, edits: Sequence[Edit], voice: Voice, rng: random.Random) -> _Base:
    """Draw from the new preset as `/music` does; the reply's free words and moods lead."""
    free = [edit.thing for edit in edits if edit.kind is EditKind.APPEND]
    moods = [edit.thing for edit in edits if edit.kind is EditKind.MOOD]
    composed = compose_caption(
        preset,
        rng,
        user_words=", ".join(free),
        mood_words=list(dict.fromkeys(moods)),
        instrumental=voice.instrumental,
    )
    rest = [edit for edit in edits if edit.kind is not EditKind.APPEND]
    edited = edit_caption(composed, rest)
    caption = CaptionResult(
        edited.caption, (*edited.changes, *map(msg.change_added, free)), edited.notes
    )
    return _Base(
        caption=caption,
        bpm=pick_tempo(preset, rng),
        key=pick_key(preset, rng),
        duration_s=pick_duration(preset, rng),
        time_signature=preset.time_signature,
        preset=preset,
        preset_id=preset.id,
        preset_version=preset.version,
    )
