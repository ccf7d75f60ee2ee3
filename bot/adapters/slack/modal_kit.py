"""The `/music` form's vocabulary: block and action ids, option values, and Block Kit pieces.

Every builder here returns plain dicts in Slack's JSON shape and stays inside Slack's limits
(shared/SLACK.md §6, §8): option text at most 75 characters, option value at most 150, at most 100
options (or 100 groups of 100) per select, and an `initial_option` that is exactly one of the
options — or none at all.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from bot.adapters.slack import modal_text as t
from domain import constants as c
from domain.music import display_time_signature, key_root_semitone

Json = dict[str, Any]


class Block(StrEnum):
    """The block_id of every input in the form; its element's action_id is `<block_id>_input`."""

    CAPTION = "caption"
    VOCALS = "vocals"
    LYRICS = "lyrics"
    LANGUAGE = "language"
    DURATION = "duration"
    VARIANTS = "variants"
    BPM = "bpm"
    KEY = "key"
    TIME_SIGNATURE = "time_signature"
    MODEL = "model"
    FORMAT = "format"
    LM = "language_model"
    SEED = "seed"
    STEPS = "steps"
    GUIDANCE = "guidance"

    @property
    def action_id(self) -> str:
        """The action_id of the block's one element."""
        return f"{self.value}_input"


ADVANCED_BLOCK_ID: Final = "advanced"  # the header above seed, steps and guidance

# --- Option values (what Slack sends back); labels live in modal_text ---
AUTO: Final = "auto"  # key, time signature, model: the server chooses
INSTRUMENTAL: Final = "instrumental"
SUNG: Final = "vocals"
ENHANCE: Final = "enhance"
THINKING: Final = "thinking"
MODEL_PREFIX: Final = "model:"  # so that no model name can be mistaken for AUTO

OPTION_TEXT_MAX: Final = 75
OPTION_VALUE_MAX: Final = 150
OPTIONS_MAX: Final = 100  # per select, and per option group
MODEL_OPTIONS_MAX: Final = 300  # keeps the view far below Slack's 250 kB
MODEL_NAME_MAX: Final = OPTION_VALUE_MAX - len(MODEL_PREFIX)

# Keys in ACE-Step's spelling, from C upwards, with the accidental musicians usually write.
MAJOR_ROOTS: Final = "C Db D Eb E F F# G Ab A Bb B".split()
MINOR_ROOTS: Final = "C C# D Eb E F F# G G# A Bb B".split()


def plain(text: str) -> Json:
    """A plain_text object."""
    return {"type": "plain_text", "text": text}


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def option(text: str, value: str, description: str | None = None) -> Json:
    """An option object; its text is clipped to Slack's 75 characters."""
    made = {"text": plain(clip(text, OPTION_TEXT_MAX)), "value": value}
    if description:
        made["description"] = plain(clip(description, OPTION_TEXT_MAX))
    return made


def group(label: str, options: list[Json]) -> Json:
    """An option group (a labelled part of a select's list)."""
    return {"label": plain(clip(label, OPTION_TEXT_MAX)), "options": options}


def find_option(options: Iterable[Json], value: str | None) -> Json | None:
    """The option whose value is `value`, if any."""
    return next((o for o in options if value is not None and o["value"] == value), None)


def static_select(
    action_id: str,
    *,
    selected: str | None,
    options: list[Json] | None = None,
    groups: list[Json] | None = None,
) -> Json:
    """A static_select with `options` or `groups`, pre-selecting `selected` when it is listed."""
    element: Json = {"type": "static_select", "action_id": action_id}
    if groups is not None:
        element["option_groups"] = groups
        options = [o for g in groups for o in g["options"]]
    else:
        element["options"] = options
    initial = find_option(options or [], selected)
    if initial is not None:
        element["initial_option"] = initial
    return element


def number_input(
    action_id: str,
    *,
    low: float,
    high: float,
    initial: float | None,
    decimal: bool = False,
    placeholder: str | None = None,
) -> Json:
    """A number_input; Slack wants every number as a string, and an initial value in range."""
    element: Json = {
        "type": "number_input",
        "action_id": action_id,
        "is_decimal_allowed": decimal,
        "min_value": str(low),
        "max_value": str(high),
    }
    if initial is not None and low <= initial <= high:
        element["initial_value"] = str(initial)
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return element


def input_block(
    block: Block, label: str, element: Json, *, hint: str | None = None, optional: bool = False
) -> Json:
    """An input block holding one element, with the block's ids."""
    made: Json = {
        "type": "input",
        "block_id": block.value,
        "label": plain(label),
        "element": element | {"action_id": block.action_id},
        "optional": optional,
    }
    if hint:
        made["hint"] = plain(hint)
    return made


def key_groups(selected: str | None) -> list[Json]:
    """Options: the server chooses, then major and minor keys; an unusual spelling is kept."""
    majors = [f"{root} major" for root in MAJOR_ROOTS]
    minors = [f"{root} minor" for root in MINOR_ROOTS]
    for mode, keys in ((" major", majors), (" minor", minors)):
        if selected and selected.endswith(mode) and selected not in keys:
            keys.append(selected)
            keys.sort(key=key_root_semitone)  # stable: the new key lands beside its equivalent
    return [
        group(t.SERVER_GROUP, [option(t.SERVER_CHOOSES, AUTO)]),
        group(t.MAJOR_GROUP, [option(key, key) for key in majors]),
        group(t.MINOR_GROUP, [option(key, key) for key in minors]),
    ]


def time_signature_options() -> list[Json]:
    """Options: the server chooses, then 2/4, 3/4, 4/4 and 6/8 (values in the server's form)."""
    metres = dict.fromkeys(c.TIME_SIGNATURES.values())
    return [option(t.SERVER_CHOOSES, AUTO)] + [
        option(display_time_signature(metre), metre) for metre in metres
    ]


def language_groups() -> list[Json]:
    """Every language ACE-Step knows: the common ones first, then the rest by name."""
    common = [code for code in t.COMMON_LANGUAGES if code in c.LANGUAGES]
    rest = sorted(c.LANGUAGES - set(common), key=lambda x: (x == "unknown", t.language_label(x)))
    return [
        group(t.LANGUAGE_COMMON_GROUP, [option(t.language_label(x), x) for x in common]),
        group(t.LANGUAGE_MORE_GROUP, [option(t.language_label(x), x) for x in rest]),
    ]


def variants_options() -> list[Json]:
    """1 to 8 variants."""
    counts = range(c.VARIANTS_MIN, c.VARIANTS_MAX + 1)
    return [option(t.variants_label(n), str(n)) for n in counts]


def format_options() -> list[Json]:
    """MP3, WAV and FLAC."""
    return [option(t.FORMAT_LABELS[fmt], fmt) for fmt in c.AUDIO_FORMATS]


@dataclass(frozen=True)
class ModelChoices:
    """The model select's list: flat `options`, or `groups` when there are more than 100."""

    options: list[Json] | None
    groups: list[Json] | None
    hint: str | None


def model_choices(models: Sequence[str], selected: str | None) -> ModelChoices:
    """The server's default and its models; a pre-filled model is kept even if not listed.

    Names longer than an option value can hold are left out; past `MODEL_OPTIONS_MAX` the list is
    cut (the hint says so); past 99 models the list is split into groups of 100.
    """
    names = list(dict.fromkeys(n for n in models if 0 < len(n) <= MODEL_NAME_MAX))
    shown = names[:MODEL_OPTIONS_MAX]
    if selected and len(selected) <= MODEL_NAME_MAX and selected not in shown:
        shown = [selected, *shown][:MODEL_OPTIONS_MAX]
    hint = t.models_cut_hint(len(shown), len(names)) if len(names) > len(shown) else None
    default = option(t.SERVER_DEFAULT_MODEL, AUTO)
    listed = [option(name, MODEL_PREFIX + name) for name in shown]
    if len(listed) < OPTIONS_MAX:
        return ModelChoices(options=[default, *listed], groups=None, hint=hint)
    groups = [group(t.SERVER_GROUP, [default])]
    for start in range(0, len(listed), OPTIONS_MAX):
        chunk = listed[start : start + OPTIONS_MAX]
        groups.append(group(t.models_group_label(start + 1, start + len(chunk)), chunk))
    return ModelChoices(options=None, groups=groups, hint=hint)
