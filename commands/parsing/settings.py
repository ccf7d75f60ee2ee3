"""`name=value` settings (`bpm=120`, `key: Bb major`, `lang=ja`): names, aliases and readers.

`name=value` with a name not listed here is a usage error (a typo must not end up in the caption);
`name: value` is only taken for known names, since "note: ..." is ordinary text.
"""

import difflib
from collections.abc import Callable
from typing import Final

from commands.errors import UsageError
from commands.parsing import messages as msg
from commands.parsing import values as v
from commands.parsing.hits import Hit, HitValue, Slot
from commands.parsing.tempo import MOOD_WORDS

Reader = Callable[[str], HitValue]

_READERS: Final[dict[Slot, Reader]] = {
    Slot.DURATION: v.read_duration,
    Slot.VARIANTS: v.read_variants,
    Slot.TEMPO: v.read_tempo,
    Slot.KEY: v.read_key,
    Slot.TIME_SIGNATURE: v.read_time_signature,
    Slot.SEED: v.read_seed,
    Slot.MODEL: v.read_model,
    Slot.FORMAT: v.read_format,
    Slot.STEPS: v.read_steps,
    Slot.GUIDANCE: v.read_guidance,
    Slot.LANGUAGE: v.read_language,
    Slot.ENHANCE: lambda text: v.read_switch("enhance", text),
}
SETTING_NAMES: Final[dict[str, Slot]] = {
    "duration": Slot.DURATION,
    "length": Slot.DURATION,
    "variants": Slot.VARIANTS,
    "versions": Slot.VARIANTS,
    "bpm": Slot.TEMPO,
    "tempo": Slot.TEMPO,
    "key": Slot.KEY,
    "scale": Slot.KEY,
    "key_scale": Slot.KEY,
    "time": Slot.TIME_SIGNATURE,
    "time_signature": Slot.TIME_SIGNATURE,
    "meter": Slot.TIME_SIGNATURE,
    "seed": Slot.SEED,
    "model": Slot.MODEL,
    "format": Slot.FORMAT,
    "steps": Slot.STEPS,
    "inference_steps": Slot.STEPS,
    "guidance": Slot.GUIDANCE,
    "guidance_scale": Slot.GUIDANCE,
    "cfg": Slot.GUIDANCE,
    "lang": Slot.LANGUAGE,
    "language": Slot.LANGUAGE,
    "enhance": Slot.ENHANCE,
}
OTHER_NAMES: Final = ("preset", "lyrics")  # handled before settings, listed in help


def read_setting(name: str, value: str, words: str, *, strict: bool) -> Hit | None:
    """The hit for `name=value`; None for an unknown name when not `strict` (`note: ...`).

    Raises UsageError for a known name with a bad value, or an unknown name when `strict`.
    """
    slot = SETTING_NAMES.get(name.lower())
    if slot is None:
        if strict:
            raise unknown_setting(name)
        return None
    parsed = _READERS[slot](value)
    tag = (
        value.strip().lower()
        if slot is Slot.TEMPO and value.strip().lower() in MOOD_WORDS
        else None
    )
    return Hit(slot, parsed, words, caption_tag=tag)


def unknown_setting(name: str) -> UsageError:
    """The error for `name=...` when no setting has that name, with the nearest one as a hint."""
    known = [*SETTING_NAMES, *OTHER_NAMES]
    hint = next(iter(difflib.get_close_matches(name.lower(), known, n=1)), None)
    return UsageError(msg.unknown_setting(name, hint, known), msg.EXAMPLE_SETTINGS)
