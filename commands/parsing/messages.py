"""Every sentence the request parser writes for people: usage errors, their examples, and notes.

Errors say what was wrong, specifically, quoting the words as typed; each comes with an example
command that works. Notes are things worth telling the person about a request that was accepted.
"""

from collections.abc import Iterable, Sequence
from typing import Final

from domain import constants as c

# --- Examples: commands that work ---
EXAMPLE_BASIC: Final = "/music hotel lobby jazz 3min"
EXAMPLE_DURATION: Final = "/music spa ambient 8min"
EXAMPLE_VARIANTS: Final = "/music cafe acoustic x4"
EXAMPLE_TEMPO: Final = "/music fashion retail 120bpm"
EXAMPLE_KEY: Final = "/music restaurant dinner in D minor"
EXAMPLE_TIME_SIGNATURE: Final = "/music restaurant dinner jazz waltz 3/4"
EXAMPLE_SEED: Final = "/music spa seed=42"
EXAMPLE_MODEL: Final = "/music spa ambient model=acestep-v15-turbo"
EXAMPLE_FORMAT: Final = "/music hotel lobby format=wav"
EXAMPLE_STEPS: Final = "/music spa ambient steps=8"
EXAMPLE_GUIDANCE: Final = "/music spa ambient model=acestep-v15-base steps=50 guidance=7.5"
EXAMPLE_LANGUAGE: Final = "/music city pop lang=ja lyrics: [verse] asa no hikari"
EXAMPLE_LYRICS: Final = "/music acoustic pop vocals lyrics: [verse] Morning light on the window"
EXAMPLE_INSTRUMENTAL: Final = "/music cafe acoustic instrumental 3min"
EXAMPLE_ENHANCE: Final = "/music spa ambient enhance"
EXAMPLE_PRESET: Final = "/music preset=spa 6min"
EXAMPLE_SETTINGS: Final = "/music spa ambient 5min bpm=60 key=D minor"

# --- What each slot is called when two values clash, and an example that sets it once ---
SLOT_PLURALS: Final = {
    "duration": "durations",
    "variants": "variant counts",
    "tempo": "tempos",
    "key": "keys",
    "time signature": "time signatures",
    "seed": "seeds",
    "model": "models",
    "format": "formats",
    "steps": "step counts",
    "guidance": "guidance values",
    "language": "languages",
    "enhance": "enhance settings",
    "vocals": "vocal settings",
    "preset": "presets",
}
SLOT_EXAMPLES: Final = {
    "duration": EXAMPLE_DURATION,
    "variants": EXAMPLE_VARIANTS,
    "tempo": EXAMPLE_TEMPO,
    "key": EXAMPLE_KEY,
    "time signature": EXAMPLE_TIME_SIGNATURE,
    "seed": EXAMPLE_SEED,
    "model": EXAMPLE_MODEL,
    "format": EXAMPLE_FORMAT,
    "steps": EXAMPLE_STEPS,
    "guidance": EXAMPLE_GUIDANCE,
    "language": EXAMPLE_LANGUAGE,
    "enhance": EXAMPLE_ENHANCE,
    "vocals": EXAMPLE_LYRICS,
    "preset": EXAMPLE_PRESET,
}

_DURATION_RANGE: Final = "ACE-Step makes 10 s to 10 min"
_TIME_SIGNATURES: Final = ", ".join(c.TIME_SIGNATURES)


def nothing_to_make(preset_names: Iterable[str]) -> str:
    names = ", ".join(preset_names)
    venues = f" or name a venue preset ({names})" if names else ""
    return f"Tell me what to make: describe a style, e.g. 'lounge jazz with soft piano'{venues}."


def duration_too_long(words: str) -> str:
    return f"Duration {words} is too long: {_DURATION_RANGE}."


def duration_too_short(words: str) -> str:
    return f"Duration {words} is too short: {_DURATION_RANGE}."


def duration_unreadable(words: str) -> str:
    return f"'{words}' is not a length I can read. Write it like 3min, 90s, 2:30 or 1m30s."


def variants_out_of_range(words: str) -> str:
    return (
        f"'{words}' asks for a number of variants one request cannot make: "
        f"{c.VARIANTS_MIN} to {c.VARIANTS_MAX}."
    )


def tempo_out_of_range(words: str) -> str:
    return f"Tempo {words} is outside what ACE-Step takes: {c.BPM_MIN} to {c.BPM_MAX} bpm."


def tempo_not_whole(words: str) -> str:
    return f"Tempo {words} is not a whole number of beats per minute; ACE-Step takes whole BPMs."


def tempo_unreadable(words: str) -> str:
    return (
        f"'{words}' is not a tempo I can read. Give a BPM like 120bpm or a word: "
        "slow, relaxed, medium, upbeat, energetic, fast."
    )


def unknown_key(words: str) -> str:
    return (
        f"'{words}' is not a key I know. Use a note A–G, an optional # or b, and major or "
        "minor, e.g. 'D minor', 'F#m' or 'Bb major'."
    )


def unknown_time_signature(words: str) -> str:
    return f"ACE-Step cannot do a {words} time signature. It knows {_TIME_SIGNATURES}."


def seed_out_of_range(words: str) -> str:
    return f"'{words}' is not a seed: use a whole number from 0 to {2**32 - 1}."


def bad_model(words: str) -> str:
    return (
        f"'{words}' is not a model name. Use the server's name for it, "
        "e.g. acestep-v15-turbo (or a unique part of it, like turbo)."
    )


def unknown_format(words: str) -> str:
    formats = ", ".join(c.AUDIO_FORMATS)
    return f"ACE-Step makes {formats}; it cannot make '{words}' (it would quietly send FLAC)."


def steps_out_of_range(words: str) -> str:
    return (
        f"'{words}' is not a step count ACE-Step takes: a whole number from 1 to "
        f"{c.INFERENCE_STEPS_MAX} (turbo models use 8)."
    )


def guidance_out_of_range(words: str) -> str:
    return f"'{words}' is not a guidance ACE-Step takes: {c.GUIDANCE_MIN} to {c.GUIDANCE_MAX}."


def unknown_language(words: str, hint: str | None) -> str:
    suggestion = f" Did you mean {hint}?" if hint else ""
    return (
        f"'{words}' is not a vocal language ACE-Step knows.{suggestion} "
        "Use a code like en, ja, zh, ko, th, vi, id or es."
    )


def not_a_switch(name: str, value: str) -> str:
    return f"{name}= takes yes or no (got '{value}')."


def unknown_setting(name: str, hint: str | None, known: Iterable[str]) -> str:
    suggestion = f" Did you mean {hint}=?" if hint else ""
    settings = ", ".join(f"{n}=" for n in known)
    return f"I don't know the setting '{name}='.{suggestion} Settings I know: {settings}."


def contradiction(slot: str, first: str, second: str) -> str:
    plural = SLOT_PLURALS.get(slot, f"{slot} values")
    return f"You asked for two different {plural}: '{first}' and '{second}'. Keep one."


def instrumental_with_lyrics(words: str) -> str:
    return (
        f"You asked for '{words}' and also gave lyrics. Instrumental tracks have no lyrics: "
        "drop one of them."
    )


def vocals_need_lyrics(words: str) -> str:
    return (
        f"'{words}' needs lyrics: put them at the end after 'lyrics:'. "
        "Background music is instrumental unless you give lyrics."
    )


def vocal_preset_needs_lyrics(preset_id: str) -> str:
    return (
        f"Preset {preset_id} sings: put lyrics at the end after 'lyrics:', or say 'instrumental'."
    )


def empty_lyrics() -> str:
    return "'lyrics:' is followed by nothing. Put the words after it, at the end of the message."


def lyrics_too_long(length: int) -> str:
    return f"The lyrics are {length} characters long; ACE-Step takes at most {c.LYRICS_MAX_CHARS}."


def caption_too_long(length: int) -> str:
    return (
        f"The description is {length} characters long; ACE-Step takes at most "
        f"{c.CAPTION_MAX_CHARS}. Shorten it."
    )


def unknown_preset(name: str, known: Iterable[str]) -> str:
    return f"There is no preset '{name}'. Presets: {', '.join(known)}."


def preset_needs_name(known: Iterable[str]) -> str:
    return f"preset= needs a preset name. Presets: {', '.join(known)}."


def request_invalid(problem: str) -> str:
    return f"I could not build that request: {problem}."


# --- Notes on accepted requests ---


def seed_ignored(seed: int) -> str:
    return (
        f"seed={seed}: the ACE-Step server ignores seeds; "
        "the seeds it used are reported with each track"
    )


def tempo_word(words: str, bpm: int, preset_id: str | None, low: int, high: int) -> str:
    if preset_id is None:
        return f"'{words}' read as {bpm} bpm"
    return f"'{words}' read as {bpm} bpm (preset {preset_id} plays {low}–{high} bpm)"


def guidance_ignored(value: float) -> str:
    return f"guidance={value:g}: turbo models ignore guidance; it applies to base/SFT models"


def steps_capped(steps: int) -> str:
    return f"steps={steps}: turbo models stop at 8 steps; more applies to base/SFT models"


def language_unused(language: str) -> str:
    return f"lang={language} only matters for vocals; this track is instrumental"


def other_preset(words: str, other_id: str, used_id: str) -> str:
    return (
        f"'{words}' also names preset {other_id}; I used {used_id} "
        f"(use preset={other_id} to choose it)"
    )


def negation(words: str) -> str:
    return (
        f"'{words}': ACE-Step has no negative prompt, so naming a thing can add it; "
        "describe what you want instead"
    )


def decade(words: str) -> str:
    return f"'{words}' read as a decade (style); for a length write e.g. '90 sec'"


# --- Thread refinements (a reply in a track's thread) ---

REFINE_EXAMPLE: Final = "slower, more piano"
REFINE_EXAMPLES: Final = (
    "slower, more piano",
    "again",
    "5min",
    "in D minor",
    "no drums",
    "x3",
    "for the spa",
)
# The example a refinement error shows instead of a `/music` one: a reply that works.
_REFINE_EXAMPLE_FOR: Final = {
    EXAMPLE_DURATION: "5min",
    EXAMPLE_VARIANTS: "x3",
    EXAMPLE_TEMPO: "a bit slower",
    EXAMPLE_KEY: "in D minor",
    EXAMPLE_TIME_SIGNATURE: "waltz 3/4",
    EXAMPLE_SEED: "seed=42",
    EXAMPLE_MODEL: "model=acestep-v15-turbo",
    EXAMPLE_FORMAT: "wav",
    EXAMPLE_STEPS: "steps=8",
    EXAMPLE_GUIDANCE: "model=acestep-v15-base steps=50 guidance=7.5",
    EXAMPLE_LANGUAGE: "lang=ja lyrics: [verse] asa no hikari",
    EXAMPLE_LYRICS: "lyrics: [verse] Morning light on the window",
    EXAMPLE_INSTRUMENTAL: "instrumental",
    EXAMPLE_ENHANCE: "enhance",
    EXAMPLE_PRESET: "for the spa",
    EXAMPLE_SETTINGS: "5min bpm=60 key=D minor",
}
SAME_SETTINGS: Final = "same settings, new takes"
SERVER_DECIDES: Final = "server decides"


def refine_example(example: str) -> str:
    """The reply-shaped example for an error first written for `/music` (same setting)."""
    return _REFINE_EXAMPLE_FOR.get(example, REFINE_EXAMPLE)


def refine_empty() -> str:
    examples = ", ".join(f"'{example}'" for example in REFINE_EXAMPLES[2:])
    return (
        "Tell me what to change about this track, e.g. 'slower, more piano', "
        f"{examples} — or 'again' for new takes with the same settings."
    )


def refine_comment(words: str) -> str:
    return (
        f"'{words}' reads like a comment, so I made nothing. To change the track, say how, "
        "e.g. 'slower, more piano' or 'again'."
    )


def refine_both(first: str, second: str) -> str:
    return f"You asked for both '{first}' and '{second}'. Keep one."


def refine_caption_empty(words: str) -> str:
    return (
        f"'{words}' would leave the track's description empty. "
        "Say what it should sound like instead."
    )


def nothing_to_remove(things: Sequence[str]) -> str:
    named = " or ".join(things)
    return f"the description had no {named} to remove; ACE-Step cannot be told what to leave out"


def tempo_at_limit(bpm: int) -> str:
    return f"tempo stops at {bpm} bpm: ACE-Step takes {c.BPM_MIN} to {c.BPM_MAX} bpm"


def length_at_limit(length: str) -> str:
    return f"length stops at {length}: {_DURATION_RANGE}"


def caption_trimmed(tags: Iterable[str]) -> str:
    left_out = ", ".join(f"'{tag}'" for tag in tags)
    return f"the description would pass {c.CAPTION_MAX_CHARS} characters, so I left out {left_out}"


# --- What a refinement changed, in plain words (for the reply in the thread) ---


def change_value(label: str, old: str | None, new: str) -> str:
    """`tempo 86 → 73 bpm`-style lines; the old value is left out when there was none."""
    return f"{label} {old} → {new}" if old is not None else f"{label} → {new}"


def change_variants(count: int) -> str:
    return f"{count} variant" if count == 1 else f"{count} variants"


def change_more(thing: str) -> str:
    return f"more {thing}"


def change_removed(thing: str) -> str:
    return f"{thing} removed from the description"


def change_mood(mood: str) -> str:
    return f"mood: {mood}"


def change_added(words: str) -> str:
    return f"added '{words}' to the description"


def change_enhance(on: bool) -> str:
    return "enhance on (server LLM rewrites the caption)" if on else "enhance off"


CHANGE_INSTRUMENTAL: Final = "instrumental now (lyrics dropped)"
CHANGE_NEW_LYRICS: Final = "new lyrics"
CHANGE_VOCALS: Final = "vocals, with the new lyrics"
