"""Reading a submitted `/music` form into a `GenerationRequest`, with inline errors per field.

Hierarchy:

    Exception
     └── ModalErrors   the form cannot be accepted; `errors` maps block_id -> message, ready for
                       `ack(response_action="errors", errors=...)`. A pydantic ValidationError
                       never escapes: each of its fields is mapped to the block that set it.

Slack sends every value as a string (a number_input's `value` too), and `None` or nothing at all
for an optional input left empty.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bot.adapters.slack import modal_kit as kit
from bot.adapters.slack import modal_text as t
from bot.adapters.slack.modal_kit import Block
from domain.request import GenerationRequest

State = Mapping[str, Any]  # one element's state: {"type": ..., "value" | "selected_option"...}
Fields = dict[str, object]  # GenerationRequest fields read from one block


class ModalErrors(Exception):
    """Inline errors for the form: block_id -> a sentence for the person."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{block}: {text}" for block, text in self.errors.items()))


def parse_submission(values: Mapping[str, Any]) -> GenerationRequest:
    """`view["state"]["values"]` -> a request; raises ModalErrors (only) when it cannot be made."""
    fields: Fields = {}
    errors: dict[str, str] = {}
    for block, spec in _SPECS.items():
        try:
            fields |= spec.read(_state(values, block))
        except ValueError:
            errors[block.value] = spec.error
    _check_vocals(fields, errors)
    try:
        request = GenerationRequest.model_validate(fields)
    except ValidationError as exc:
        _add_validation_errors(exc, errors)
        raise ModalErrors(errors) from None
    if errors:
        raise ModalErrors(errors)
    return request


def _state(values: Mapping[str, Any], block: Block) -> State:
    """The state of a block's element, or an empty mapping when Slack sent none."""
    in_block = values.get(block.value)
    state = in_block.get(block.action_id) if isinstance(in_block, Mapping) else None
    return state if isinstance(state, Mapping) else {}


def _check_vocals(fields: Fields, errors: dict[str, str]) -> None:
    """Lyrics and the vocals choice must agree; the error goes on the lyrics."""
    if Block.VOCALS.value in errors:
        return  # the choice itself was unreadable: nothing to compare with
    instrumental = fields.get("instrumental", True)
    has_lyrics = bool(fields.get("lyrics"))
    if instrumental and has_lyrics:
        errors.setdefault(Block.LYRICS.value, t.LYRICS_FOR_INSTRUMENTAL)
    elif not instrumental and not has_lyrics:
        errors.setdefault(Block.LYRICS.value, t.LYRICS_MISSING)


def _add_validation_errors(exc: ValidationError, errors: dict[str, str]) -> None:
    """Each pydantic error onto its field's block; what has no block goes on the caption."""
    for error in exc.errors():
        location = error["loc"]
        if not location and errors.keys() & {Block.LYRICS.value, Block.VOCALS.value}:
            continue  # the request-wide lyrics/vocals check, already said better
        block = _BLOCK_OF.get(str(location[0])) if location else None
        if block is None:
            errors.setdefault(Block.CAPTION.value, _sentence(error))
        else:
            errors.setdefault(block.value, _SPECS[block].error)


def _sentence(error: ErrorDetails) -> str:
    """A pydantic message as a sentence ("Value error, x" -> "X.")."""
    text = error["msg"].removeprefix("Value error, ").rstrip(".")
    return text[:1].upper() + text[1:] + "."


# --- Reading one element's state ---


def _text(state: State) -> str:
    value = state.get("value")
    if value is not None and not isinstance(value, str | int | float):
        raise ValueError(value)
    return "" if value is None else str(value).strip()


def _integer(state: State) -> int | None:
    text = _text(state)
    return int(text) if text else None


def _decimal(state: State) -> float | None:
    text = _text(state)
    return float(text) if text else None


def _choice(state: State) -> str | None:
    chosen = state.get("selected_option")
    return str(chosen["value"]) if isinstance(chosen, Mapping) and "value" in chosen else None


def _ticked(state: State) -> set[str]:
    chosen = state.get("selected_options") or []
    if not isinstance(chosen, list):
        raise ValueError(chosen)
    return {str(o["value"]) for o in chosen if isinstance(o, Mapping) and "value" in o}


def _server_chooses(value: str | None) -> str | None:
    return None if value in (None, kit.AUTO) else value


def _only(name: str, value: object) -> Fields:
    """`{name: value}`, or nothing so that the request's own default applies."""
    return {} if value is None else {name: value}


# --- Reading each block ---


def _vocals(state: State) -> Fields:
    chosen = _choice(state)
    if chosen not in (None, kit.INSTRUMENTAL, kit.SUNG):
        raise ValueError(chosen)
    return _only("instrumental", None if chosen is None else chosen == kit.INSTRUMENTAL)


def _variants(state: State) -> Fields:
    chosen = _choice(state)
    return _only("variants", None if chosen is None else int(chosen))


def _model(state: State) -> Fields:
    chosen = _server_chooses(_choice(state))
    if chosen is not None and not chosen.startswith(kit.MODEL_PREFIX):
        raise ValueError(chosen)
    return {"model": chosen.removeprefix(kit.MODEL_PREFIX) if chosen else None}


def _language_model(state: State) -> Fields:
    ticked = _ticked(state)
    return {"enhance": kit.ENHANCE in ticked, "thinking": kit.THINKING in ticked}


@dataclass(frozen=True)
class _Spec:
    """How one block is read, which request fields it sets, and its inline error."""

    read: Callable[[State], Fields]
    sets: tuple[str, ...]
    error: str


def _field(name: str, read: Callable[[State], object], error: str) -> _Spec:
    """A block that sets one field; an empty input leaves the request's default."""
    return _Spec(lambda state: _only(name, read(state)), (name,), error)


def _nullable(name: str, read: Callable[[State], object], error: str) -> _Spec:
    """A block that sets one optional field; empty (or "server chooses") means None."""
    return _Spec(lambda state: {name: read(state)}, (name,), error)


_SPECS: Final[dict[Block, _Spec]] = {
    Block.CAPTION: _nullable("caption", _text, t.CAPTION_ERROR),
    Block.VOCALS: _Spec(_vocals, ("instrumental",), t.VOCALS_ERROR),
    Block.LYRICS: _nullable("lyrics", _text, t.LYRICS_ERROR),
    Block.LANGUAGE: _field("language", _choice, t.LANGUAGE_ERROR),
    Block.DURATION: _field("duration_s", _integer, t.DURATION_ERROR),
    Block.VARIANTS: _Spec(_variants, ("variants",), t.VARIANTS_ERROR),
    Block.BPM: _nullable("bpm", _integer, t.BPM_ERROR),
    Block.KEY: _nullable("key_scale", lambda s: _server_chooses(_choice(s)), t.KEY_ERROR),
    Block.TIME_SIGNATURE: _nullable(
        "time_signature", lambda s: _server_chooses(_choice(s)), t.TIME_SIGNATURE_ERROR
    ),
    Block.MODEL: _Spec(_model, ("model",), t.MODEL_ERROR),
    Block.FORMAT: _field("audio_format", _choice, t.FORMAT_ERROR),
    Block.LM: _Spec(_language_model, ("enhance", "thinking"), t.LM_ERROR),
    Block.SEED: _nullable("seed", _integer, t.SEED_ERROR),
    Block.STEPS: _nullable("inference_steps", _integer, t.STEPS_ERROR),
    Block.GUIDANCE: _nullable("guidance_scale", _decimal, t.GUIDANCE_ERROR),
}
_BLOCK_OF: Final = {name: block for block, spec in _SPECS.items() for name in spec.sets}
