"""The `/music` form as pure functions: `build_modal` makes the view, `parse_submission` reads it.

`/music` with no text opens the form blank (the team's defaults); "Refine…" on a track opens it
pre-filled from that track's request. Each input sits in a block whose block_id is a `Block`
member and whose element's action_id is `Block.X.action_id`; Slack sends the values back keyed
the same way (`view["state"]["values"][block_id][action_id]`). The preset of a refined request
is not a field: the caller carries it in `private_metadata`.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from bot.adapters.slack import modal_kit as kit
from bot.adapters.slack import modal_text as t
from bot.adapters.slack.modal_kit import ADVANCED_BLOCK_ID, Block, Json
from bot.adapters.slack.modal_submission import ModalErrors, parse_submission
from commands.parsing import GenerationDefaults
from domain import constants as c
from domain.request import GenerationRequest

__all__ = [
    "ADVANCED_BLOCK_ID",
    "MODAL_CALLBACK_ID",
    "Block",
    "ModalErrors",
    "build_modal",
    "parse_submission",
]

MODAL_CALLBACK_ID: Final = "music_modal"
PRIVATE_METADATA_MAX: Final = 3000
TEXT_INPUT_MAX: Final = 3000  # the most a plain_text_input holds
LYRICS_INPUT_MAX: Final = min(c.LYRICS_MAX_CHARS, TEXT_INPUT_MAX)
SEED_MAX: Final = 2**32 - 1


@dataclass(frozen=True)
class _Form:
    """What the blocks are built from: the starting values and the server's models."""

    start: GenerationRequest
    models: tuple[str, ...]


def build_modal(
    *,
    models: Sequence[str],
    defaults: GenerationDefaults,
    prefill: GenerationRequest | None = None,
    private_metadata: str = "",
) -> dict[str, Any]:
    """The `view` for views.open: blank from `defaults`, or pre-filled from `prefill`."""
    if len(private_metadata) > PRIVATE_METADATA_MAX:
        raise ValueError(f"private_metadata is over Slack's {PRIVATE_METADATA_MAX} characters")
    form = _Form(start=prefill or _blank(defaults), models=tuple(models))
    view: Json = {
        "type": "modal",
        "callback_id": MODAL_CALLBACK_ID,
        "title": kit.plain(t.TITLE),
        "submit": kit.plain(t.SUBMIT),
        "close": kit.plain(t.CLOSE),
        "blocks": [build(form) for build in _BUILDERS],
    }
    if private_metadata:
        view["private_metadata"] = private_metadata
    return view


def _blank(defaults: GenerationDefaults) -> GenerationRequest:
    """The starting values of a new request (unvalidated: the caption is still empty)."""
    return GenerationRequest.model_construct(
        caption="",
        duration_s=defaults.duration_s,
        variants=defaults.variants,
        audio_format=defaults.audio_format,
        language=defaults.language,
    )


def _text_input(*, initial: str, max_length: int, placeholder: str) -> Json:
    element: Json = {
        "type": "plain_text_input",
        "multiline": True,
        "max_length": max_length,
        "placeholder": kit.plain(placeholder),
    }
    if initial:
        element["initial_value"] = initial
    return element


def _caption(form: _Form) -> Json:
    element = _text_input(
        initial=form.start.caption[: c.CAPTION_MAX_CHARS],
        max_length=c.CAPTION_MAX_CHARS,
        placeholder=t.CAPTION_PLACEHOLDER,
    )
    element["focus_on_load"] = True
    return kit.input_block(Block.CAPTION, t.CAPTION_LABEL, element, hint=t.CAPTION_HINT)


def _vocals(form: _Form) -> Json:
    options = [
        kit.option(t.VOCALS_INSTRUMENTAL, kit.INSTRUMENTAL),
        kit.option(t.VOCALS_SUNG, kit.SUNG),
    ]
    chosen = kit.INSTRUMENTAL if form.start.instrumental else kit.SUNG
    element: Json = {
        "type": "radio_buttons",
        "options": options,
        "initial_option": kit.find_option(options, chosen),
    }
    return kit.input_block(Block.VOCALS, t.VOCALS_LABEL, element)


def _lyrics(form: _Form) -> Json:
    lyrics = form.start.lyrics
    clipped = len(lyrics) > LYRICS_INPUT_MAX
    element = _text_input(
        initial=lyrics[:LYRICS_INPUT_MAX],
        max_length=LYRICS_INPUT_MAX,
        placeholder=t.LYRICS_PLACEHOLDER,
    )
    hint = t.LYRICS_CLIPPED_HINT if clipped else t.LYRICS_HINT
    return kit.input_block(Block.LYRICS, t.LYRICS_LABEL, element, hint=hint, optional=True)


def _language(form: _Form) -> Json:
    element = kit.static_select(
        Block.LANGUAGE.action_id, selected=form.start.language, groups=kit.language_groups()
    )
    return kit.input_block(Block.LANGUAGE, t.LANGUAGE_LABEL, element, hint=t.LANGUAGE_HINT)


def _duration(form: _Form) -> Json:
    element = kit.number_input(
        Block.DURATION.action_id,
        low=c.DURATION_MIN_S,
        high=c.DURATION_MAX_S,
        initial=form.start.duration_s,
    )
    return kit.input_block(Block.DURATION, t.DURATION_LABEL, element, hint=t.DURATION_HINT)


def _variants(form: _Form) -> Json:
    element = kit.static_select(
        Block.VARIANTS.action_id,
        selected=str(form.start.variants),
        options=kit.variants_options(),
    )
    return kit.input_block(Block.VARIANTS, t.VARIANTS_LABEL, element, hint=t.VARIANTS_HINT)


def _bpm(form: _Form) -> Json:
    element = kit.number_input(
        Block.BPM.action_id,
        low=c.BPM_MIN,
        high=c.BPM_MAX,
        initial=form.start.bpm,
        placeholder=t.BPM_PLACEHOLDER,
    )
    return kit.input_block(Block.BPM, t.BPM_LABEL, element, optional=True)


def _key(form: _Form) -> Json:
    key = form.start.key_scale
    element = kit.static_select(
        Block.KEY.action_id, selected=key or kit.AUTO, groups=kit.key_groups(key)
    )
    return kit.input_block(Block.KEY, t.KEY_LABEL, element)


def _time_signature(form: _Form) -> Json:
    element = kit.static_select(
        Block.TIME_SIGNATURE.action_id,
        selected=form.start.time_signature or kit.AUTO,
        options=kit.time_signature_options(),
    )
    return kit.input_block(Block.TIME_SIGNATURE, t.TIME_SIGNATURE_LABEL, element)


def _model(form: _Form) -> Json:
    model = form.start.model
    choices = kit.model_choices(form.models, model)
    element = kit.static_select(
        Block.MODEL.action_id,
        selected=kit.MODEL_PREFIX + model if model else kit.AUTO,
        options=choices.options,
        groups=choices.groups,
    )
    return kit.input_block(Block.MODEL, t.MODEL_LABEL, element, hint=choices.hint)


def _format(form: _Form) -> Json:
    element = kit.static_select(
        Block.FORMAT.action_id, selected=form.start.audio_format, options=kit.format_options()
    )
    return kit.input_block(Block.FORMAT, t.FORMAT_LABEL, element)


def _language_model(form: _Form) -> Json:
    options = [
        kit.option(t.ENHANCE_TEXT, kit.ENHANCE, t.ENHANCE_DESCRIPTION),
        kit.option(t.THINKING_TEXT, kit.THINKING, t.THINKING_DESCRIPTION),
    ]
    ticked = {kit.ENHANCE: form.start.enhance, kit.THINKING: form.start.thinking}
    element: Json = {"type": "checkboxes", "options": options}
    initial = [o for o in options if ticked[o["value"]]]
    if initial:  # Slack refuses an empty initial_options
        element["initial_options"] = initial
    return kit.input_block(Block.LM, t.LM_LABEL, element, optional=True)


def _advanced(_form: _Form) -> Json:
    return {"type": "header", "block_id": ADVANCED_BLOCK_ID, "text": kit.plain(t.ADVANCED_HEADER)}


def _seed(form: _Form) -> Json:
    element = kit.number_input(
        Block.SEED.action_id,
        low=0,
        high=SEED_MAX,
        initial=form.start.seed,
        placeholder=t.SEED_PLACEHOLDER,
    )
    return kit.input_block(Block.SEED, t.SEED_LABEL, element, hint=t.SEED_HINT, optional=True)


def _steps(form: _Form) -> Json:
    element = kit.number_input(
        Block.STEPS.action_id,
        low=1,
        high=c.INFERENCE_STEPS_MAX,
        initial=form.start.inference_steps,
        placeholder=t.STEPS_PLACEHOLDER,
    )
    return kit.input_block(Block.STEPS, t.STEPS_LABEL, element, hint=t.STEPS_HINT, optional=True)


def _guidance(form: _Form) -> Json:
    element = kit.number_input(
        Block.GUIDANCE.action_id,
        low=c.GUIDANCE_MIN,
        high=c.GUIDANCE_MAX,
        initial=form.start.guidance_scale,
        decimal=True,
        placeholder=t.GUIDANCE_PLACEHOLDER,
    )
    hint = t.GUIDANCE_HINT
    return kit.input_block(Block.GUIDANCE, t.GUIDANCE_LABEL, element, hint=hint, optional=True)


# The form, top to bottom.
_BUILDERS: Final[tuple[Callable[[_Form], Json], ...]] = (
    _caption,
    _vocals,
    _lyrics,
    _language,
    _duration,
    _variants,
    _bpm,
    _key,
    _time_signature,
    _model,
    _format,
    _language_model,
    _advanced,
    _seed,
    _steps,
    _guidance,
)
