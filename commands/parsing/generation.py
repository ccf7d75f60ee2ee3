"""`parse_generation`: free text ("hotel lobby jazz 3min x2") -> a `GenerationRequest`, or a
`UsageError` that says what was wrong and shows a command that works. Pure: no I/O.

Steps: strip `/music`; cut off everything after `lyrics:`; find the preset (venue words or
`preset=`); recognise tokens (duration, tempo, key, ...); the words left are the caption words.
Each setting then comes from, in order: what the person typed, the preset (drawn with
`random.Random(rng_seed)`), the defaults. With a preset the caption is composed from its pools, led
by the person's words (see `presets.compose`); without one, the person's words are the caption.
"""

import random
from dataclasses import dataclass

from pydantic import ValidationError

from commands.errors import UsageError
from commands.parsing import messages as msg
from commands.parsing.findings import Findings
from commands.parsing.hits import Slot, TempoWord
from commands.parsing.tempo import tempo_for
from commands.parsing.text import clean_words, decades, split_lyrics, strip_command
from commands.parsing.tokens import scan
from commands.parsing.venues import choose_preset
from domain import constants as c
from domain.request import GenerationRequest
from presets.compose import compose_caption, join_tags, pick_duration, pick_key, pick_tempo
from presets.library import PresetLibrary
from presets.lint import negation_in
from presets.schema import Preset

TURBO_MAX_STEPS = 8


@dataclass(frozen=True)
class GenerationDefaults:
    """What a request gets for whatever neither the text nor its preset says."""

    duration_s: int = 120
    variants: int = 2
    audio_format: c.AudioFormat = "mp3"
    language: str = "en"


@dataclass(frozen=True)
class ParsedGeneration:
    """A request ready for the job engine, and notes worth telling the person."""

    request: GenerationRequest
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Understood:
    """Everything read from the text, before defaults and preset draws are applied."""

    findings: Findings
    preset: Preset | None
    words: str
    lyrics: str | None


@dataclass(frozen=True)
class _Draws:
    """Values drawn from the preset, always in the same order so a seed means one result."""

    caption: str
    bpm: int | None
    key: str | None
    duration_s: int | None


def parse_generation(
    text: str, *, presets: PresetLibrary, defaults: GenerationDefaults, rng_seed: int
) -> ParsedGeneration:
    """Read a generation request; raises UsageError (only) when it cannot be made."""
    head, lyrics = split_lyrics(strip_command(text))
    choice = choose_preset(head, presets)
    scanned = scan(choice.rest)
    found = _Understood(Findings(scanned.hits), choice.preset, clean_words(scanned.rest), lyrics)
    instrumental = _instrumental(found)
    _check_words(found, presets)
    draws = _draw(found, instrumental, random.Random(rng_seed))
    notes = [*choice.notes]
    fields = {
        **_music_fields(found, draws, defaults, notes),
        **_engine_fields(found, defaults, notes),
        **_voice_fields(found, instrumental, defaults, notes),
    }
    notes += _word_notes(found)
    return ParsedGeneration(build_request(fields), tuple(notes))


def _check_words(found: _Understood, presets: PresetLibrary) -> None:
    if len(found.words) > c.CAPTION_MAX_CHARS:
        raise UsageError(msg.caption_too_long(len(found.words)), msg.EXAMPLE_BASIC)
    if found.preset is None and not found.words:
        names = [preset.id for preset in presets.all()]
        raise UsageError(msg.nothing_to_make(names), msg.EXAMPLE_BASIC)
    if found.lyrics is not None and len(found.lyrics) > c.LYRICS_MAX_CHARS:
        raise UsageError(msg.lyrics_too_long(len(found.lyrics)), msg.EXAMPLE_LYRICS)


def _instrumental(found: _Understood) -> bool:
    """Whether the track has no vocals; refuses vocals without lyrics and lyrics+instrumental."""
    hit = found.findings.hit(Slot.VOCALS)
    if found.lyrics is not None:
        if hit is not None and hit.value is False:
            raise UsageError(msg.instrumental_with_lyrics(hit.words), msg.EXAMPLE_LYRICS)
        return False
    if hit is not None and hit.value is True:
        raise UsageError(msg.vocals_need_lyrics(hit.words), msg.EXAMPLE_LYRICS)
    if hit is None and found.preset is not None and not found.preset.instrumental:
        raise UsageError(msg.vocal_preset_needs_lyrics(found.preset.id), msg.EXAMPLE_LYRICS)
    return True


def _draw(found: _Understood, instrumental: bool, rng: random.Random) -> _Draws:
    moods = found.findings.caption_tags()
    preset = found.preset
    if preset is None:
        tags = [found.words, *moods, "instrumental" if instrumental else ""]
        return _Draws(join_tags(tags), None, None, None)
    caption = compose_caption(
        preset, rng, user_words=found.words, mood_words=moods, instrumental=instrumental
    )
    return _Draws(
        caption, pick_tempo(preset, rng), pick_key(preset, rng), pick_duration(preset, rng)
    )


def _music_fields(
    found: _Understood, draws: _Draws, defaults: GenerationDefaults, notes: list[str]
) -> dict[str, object]:
    said, preset = found.findings, found.preset
    return {
        "caption": draws.caption,
        "duration_s": said.integer(Slot.DURATION) or draws.duration_s or defaults.duration_s,
        "bpm": _bpm(found, draws, notes),
        "key_scale": said.text(Slot.KEY) or draws.key,
        "time_signature": said.time_signature() or (preset.time_signature if preset else None),
        "variants": said.integer(Slot.VARIANTS)
        or (preset.engine.variants_per_call if preset else defaults.variants),
        "audio_format": said.audio_format()
        or (preset.output.format if preset else None)
        or defaults.audio_format,
        "preset_id": preset.id if preset else None,
        "preset_version": preset.version if preset else None,
    }


def _bpm(found: _Understood, draws: _Draws, notes: list[str]) -> int | None:
    said, preset = found.findings.tempo(), found.preset
    if not isinstance(said, TempoWord):
        return said if said is not None else draws.bpm
    low, high = (preset.tempo.min_bpm, preset.tempo.max_bpm) if preset else (0, 0)
    bpm = tempo_for(said, (low, high) if preset else None)
    hit = found.findings.hit(Slot.TEMPO)
    words = hit.words if hit else said.value
    notes.append(msg.tempo_word(words, bpm, preset.id if preset else None, low, high))
    return bpm


def _engine_fields(
    found: _Understood, defaults: GenerationDefaults, notes: list[str]
) -> dict[str, object]:
    said = found.findings
    engine = found.preset.engine if found.preset else None
    model = said.text(Slot.MODEL) or (engine.model if engine else None)
    steps = said.integer(Slot.STEPS)
    guidance = said.number(Slot.GUIDANCE)
    seed = said.integer(Slot.SEED)
    turbo = model is None or "turbo" in model.lower()
    if turbo and steps is not None and steps > TURBO_MAX_STEPS:
        notes.append(msg.steps_capped(steps))
    if turbo and guidance is not None:
        notes.append(msg.guidance_ignored(guidance))
    if seed is not None:
        notes.append(msg.seed_ignored(seed))
    enhance = said.switch(Slot.ENHANCE)
    return {
        "model": model,
        "inference_steps": steps or (engine.inference_steps if engine else None),
        "guidance_scale": guidance or (engine.guidance_scale if engine else None),
        "seed": seed,
        "enhance": enhance if enhance is not None else bool(engine and engine.enhance),
        "thinking": bool(engine and engine.thinking),
    }


def _voice_fields(
    found: _Understood, instrumental: bool, defaults: GenerationDefaults, notes: list[str]
) -> dict[str, object]:
    said = found.findings.text(Slot.LANGUAGE)
    if said is not None and instrumental:
        notes.append(msg.language_unused(said))
    vocal = found.preset.vocal if found.preset else None
    return {
        "instrumental": instrumental,
        "lyrics": "" if instrumental else found.lyrics or "",
        "language": said or (vocal.language if vocal else defaults.language),
    }


def _word_notes(found: _Understood) -> list[str]:
    notes = []
    if found.findings.hit(Slot.DURATION) is None:
        notes += [msg.decade(word) for word in decades(found.words)]
    negation = negation_in(found.words)
    if negation:
        notes.append(msg.negation(negation))
    return notes


def build_request(fields: dict[str, object]) -> GenerationRequest:
    """Build the request; its own validation is the last line of defence, never shown raw."""
    try:
        return GenerationRequest.model_validate(fields)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        detail = f"{where}: {problem['msg']}" if where else problem["msg"]
        raise UsageError(msg.request_invalid(detail), msg.EXAMPLE_BASIC) from None
