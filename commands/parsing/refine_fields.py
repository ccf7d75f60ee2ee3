"""The settings of a refinement: each one is what the reply says, else the base value.

The base is the parent's value, or — when the reply switches preset — the new preset's draw.

- tempo: a BPM or a tempo word as in `/music` (words land inside the preset's range: the new
  preset's, else the parent's); "slower"/"faster" multiply the base BPM by 0.85/1.15 ("much":
  0.7/1.3, "a bit"/"slightly": 0.93/1.07), rounded and clamped to 30-300. With no base BPM the
  start is the middle of the preset's range, else 100.
- length: as in `/music`; "longer"/"shorter" multiply by 1.5 / divide by 1.5 ("much": 2 / 2,
  "a bit": 1.2 / 1.2), rounded to 5 s (at least one 5 s step) and clamped to 10-600 s.
- vocals: the parent's lyrics stay unless the reply gives new ones (`lyrics: ...`) or says
  "instrumental"/"no vocals"; "vocals" alone cannot turn an instrumental into a song.
- engine settings (model, steps, guidance, seed, format, enhance, language): said, else the
  parent's, with `/music`'s notes (turbo models, seeds, language of an instrumental).
"""

from dataclasses import dataclass
from typing import Final

from commands.errors import UsageError
from commands.parsing import messages as msg
from commands.parsing.findings import Findings
from commands.parsing.generation import TURBO_MAX_STEPS
from commands.parsing.hits import Hit, Slot, TempoWord
from commands.parsing.refine_vocab import LENGTH_FACTORS, TEMPO_FACTORS
from commands.parsing.tempo import tempo_for
from domain import constants as c
from domain.request import GenerationRequest, format_duration
from presets.compose import DURATION_STEP_S
from presets.schema import Preset

DEFAULT_START_BPM: Final = 100


@dataclass(frozen=True)
class Voice:
    """Vocals of the new request, and the change in words (None: as the parent)."""

    instrumental: bool
    lyrics: str
    change: str | None = None

    def switched(self, parent: GenerationRequest) -> bool | None:
        """True when it became instrumental, False when it became a song, None when neither."""
        return None if self.instrumental == parent.instrumental else self.instrumental


def resolve_voice(findings: Findings, lyrics: str | None, parent: GenerationRequest) -> Voice:
    """Instrumental or vocals, and the lyrics; refuses lyrics + instrumental, vocals w/o lyrics."""
    hit = findings.hit(Slot.VOCALS)
    if lyrics is not None:
        if hit is not None and hit.value is False:
            raise UsageError(msg.instrumental_with_lyrics(hit.words), msg.EXAMPLE_LYRICS)
        if len(lyrics) > c.LYRICS_MAX_CHARS:
            raise UsageError(msg.lyrics_too_long(len(lyrics)), msg.EXAMPLE_LYRICS)
        if parent.instrumental:
            return Voice(False, lyrics, msg.CHANGE_VOCALS)
        return Voice(False, lyrics, None if lyrics == parent.lyrics else msg.CHANGE_NEW_LYRICS)
    if hit is not None and hit.value is False:
        return Voice(True, "", None if parent.instrumental else msg.CHANGE_INSTRUMENTAL)
    if hit is not None and parent.instrumental:
        raise UsageError(msg.vocals_need_lyrics(hit.words), msg.EXAMPLE_LYRICS)
    return Voice(parent.instrumental, parent.lyrics)


def resolve_tempo(
    hit: Hit | None, base: int | None, preset: Preset | None, notes: list[str]
) -> int | None:
    """The BPM: said (a number, a word, or relative to `base`), else `base`."""
    if hit is None:
        return base
    value = hit.value
    if isinstance(value, TempoWord):
        return _tempo_word(value, hit.words, preset, notes)
    if isinstance(value, str):
        start = base or (_middle(preset) if preset else DEFAULT_START_BPM)
        wanted = round(start * TEMPO_FACTORS[value])
        bpm = min(max(wanted, c.BPM_MIN), c.BPM_MAX)
        if bpm != wanted:
            notes.append(msg.tempo_at_limit(bpm))
        return bpm
    return int(value)


def _tempo_word(word: TempoWord, words: str, preset: Preset | None, notes: list[str]) -> int:
    if preset is None:
        bpm = tempo_for(word)
        notes.append(msg.tempo_word(words, bpm, None, 0, 0))
        return bpm
    low, high = preset.tempo.min_bpm, preset.tempo.max_bpm
    bpm = tempo_for(word, (low, high))
    notes.append(msg.tempo_word(words, bpm, preset.id, low, high))
    return bpm


def _middle(preset: Preset) -> int:
    return round((preset.tempo.min_bpm + preset.tempo.max_bpm) / 2)


def resolve_length(hit: Hit | None, base: int, notes: list[str]) -> int:
    """The length in seconds: said (absolute, or relative to `base`), else `base`."""
    if hit is None:
        return base
    if not isinstance(hit.value, str):
        return int(hit.value)
    factor = LENGTH_FACTORS[hit.value]
    steps = max(1, round(abs(base * factor - base) / DURATION_STEP_S))
    wanted = base + steps * DURATION_STEP_S * (1 if factor > 1 else -1)
    seconds = min(max(wanted, c.DURATION_MIN_S), c.DURATION_MAX_S)
    if seconds != wanted:
        notes.append(msg.length_at_limit(format_duration(seconds)))
    return seconds


def engine_fields(
    findings: Findings, parent: GenerationRequest, instrumental: bool, notes: list[str]
) -> dict[str, object]:
    """Model, steps, guidance, seed, format, enhance and language: said, else the parent's."""
    model = findings.text(Slot.MODEL) or parent.model
    steps, guidance = findings.integer(Slot.STEPS), findings.number(Slot.GUIDANCE)
    seed, language = findings.integer(Slot.SEED), findings.text(Slot.LANGUAGE)
    turbo = model is None or "turbo" in model.lower()
    if turbo and steps is not None and steps > TURBO_MAX_STEPS:
        notes.append(msg.steps_capped(steps))
    if turbo and guidance is not None:
        notes.append(msg.guidance_ignored(guidance))
    if seed is not None:
        notes.append(msg.seed_ignored(seed))
    if language is not None and instrumental:
        notes.append(msg.language_unused(language))
    enhance = findings.switch(Slot.ENHANCE)
    return {
        "model": model,
        "inference_steps": steps if steps is not None else parent.inference_steps,
        "guidance_scale": guidance if guidance is not None else parent.guidance_scale,
        "seed": seed if seed is not None else parent.seed,
        "audio_format": findings.audio_format() or parent.audio_format,
        "enhance": enhance if enhance is not None else parent.enhance,
        "language": language or parent.language,
    }
