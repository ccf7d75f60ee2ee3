"""The `/music` form: the view stays inside Block Kit's limits, pre-filled forms read back to the
same request, and every bad input becomes an inline error on the right block."""

import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.views import View

from bot.adapters.slack import modal_text as t
from bot.adapters.slack.modal import (
    MODAL_CALLBACK_ID,
    Block,
    ModalErrors,
    build_modal,
    parse_submission,
)
from commands.parsing import GenerationDefaults
from domain import constants as c
from domain.music import key_root_semitone, parse_key
from domain.request import GenerationRequest

Json = dict[str, Any]
DEFAULTS = GenerationDefaults()
MODELS = ["acestep-v15-turbo", "acestep-v15-base", "acestep-v15-sft"]

# --- A Block Kit checker (shared/SLACK.md §6, §8; Slack's element reference) ---


def _texts(view: Json) -> Iterator[tuple[str, int]]:
    """(text, limit) for every length-limited text in the view."""
    for name in ("title", "submit", "close"):
        yield view[name]["text"], 24
    yield view["callback_id"], 255
    yield view.get("private_metadata", ""), 3000
    for block in view["blocks"]:
        yield block["block_id"], 255
        if block["type"] == "input":
            yield block["label"]["text"], 2000
            yield block.get("hint", {}).get("text", ""), 2000
            yield block["element"]["action_id"], 255
            yield block["element"].get("placeholder", {}).get("text", ""), 150


def _options(element: Json) -> list[Json]:
    """Every option of a select, radio group or checkbox group, checking the group limits."""
    if "option_groups" in element:
        assert "options" not in element
        groups = element["option_groups"]
        assert 0 < len(groups) <= 100
        for group in groups:
            assert len(group["label"]["text"]) <= 75
            assert 0 < len(group["options"]) <= 100
        return [o for g in groups for o in g["options"]]
    assert 0 < len(element["options"]) <= 100
    return list(element["options"])


def _check_options(element: Json) -> None:
    options = _options(element)
    values = [o["value"] for o in options]
    assert len(values) == len(set(values)), "option values must be unique"
    for o in options:
        assert 0 < len(o["text"]["text"]) <= 75
        assert 0 < len(o["value"]) <= 150
        assert len(o.get("description", {}).get("text", "")) <= 75
    if "initial_option" in element:
        assert element["initial_option"] in options
    for chosen in element.get("initial_options", [None]):
        assert chosen is None or chosen in options
    assert element.get("initial_options", [0]), "Slack refuses an empty initial_options"


def _check_number(element: Json) -> None:
    number = float if element["is_decimal_allowed"] else int  # int() refuses "1e9" and "1.0"
    texts = [element["min_value"], element["max_value"], element.get("initial_value", "")]
    assert all(isinstance(text, str) for text in texts)
    low, high = number(element["min_value"]), number(element["max_value"])
    assert low <= high
    if "initial_value" in element:
        assert low <= number(element["initial_value"]) <= high


def _check_text_input(element: Json) -> None:
    limit = element.get("max_length", 3000)
    assert limit <= 3000
    assert len(element.get("initial_value", "")) <= limit


CHECKS = {
    "static_select": _check_options,
    "radio_buttons": _check_options,
    "checkboxes": _check_options,
    "number_input": _check_number,
    "plain_text_input": _check_text_input,
}


def assert_valid_modal(view: Json) -> None:
    """Fail unless Slack would accept `view` for views.open."""
    assert view["type"] == "modal"
    assert 0 < len(view["blocks"]) <= 100
    for text, limit in _texts(view):
        assert len(text) <= limit, (text, limit)
    block_ids = [b["block_id"] for b in view["blocks"]]
    action_ids = [b["element"]["action_id"] for b in view["blocks"] if b["type"] == "input"]
    assert len(block_ids) == len(set(block_ids))
    assert len(action_ids) == len(set(action_ids))
    for block in view["blocks"]:
        if block["type"] == "input":
            CHECKS[block["element"]["type"]](block["element"])
    assert len(json.dumps(view)) < 250_000
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # slack_sdk warns about unknown keys
        assert View(**view).to_dict() == view  # slack_sdk's own validators, and no stray keys


def simulated_values(view: Json) -> Json:
    """`view.state.values` as Slack sends it when every input keeps its initial value."""
    values: Json = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        kind = element["type"]
        if kind in ("plain_text_input", "number_input"):
            state = {"type": kind, "value": element.get("initial_value")}
        elif kind == "checkboxes":
            state = {"type": kind, "selected_options": element.get("initial_options", [])}
        else:
            state = {"type": kind, "selected_option": element.get("initial_option")}
        values[block["block_id"]] = {element["action_id"]: state}
    return values


def element_of(view: Json, block: Block) -> Json:
    """The element of one input block."""
    found = next(b for b in view["blocks"] if b["block_id"] == block.value)
    element: Json = found["element"]
    return element


def block_of(view: Json, block: Block) -> Json:
    return next(b for b in view["blocks"] if b["block_id"] == block.value)


# --- Requests to pre-fill with ---

REQUESTS = {
    "instrumental": GenerationRequest(caption="hotel lobby jazz", duration_s=180),
    "vocal": GenerationRequest(
        caption="city pop, female vocal, 80s synths",
        lyrics="[verse]\nasa no hikari\n\n[chorus]\nmado no soto",
        instrumental=False,
        language="ja",
        duration_s=240,
        bpm=92,
        key_scale="F# minor",
        time_signature="4",
        variants=4,
        audio_format="wav",
    ),
    "no_bpm_no_key_flac_enhance": GenerationRequest(
        caption="spa ambient, soft pads",
        duration_s=600,
        audio_format="flac",
        enhance=True,
        seed=42,
        inference_steps=8,
        guidance_scale=7.5,
        model="acestep-v15-turbo",
    ),
    "edges": GenerationRequest(
        caption="x",
        duration_s=10,
        bpm=300,
        key_scale="A# minor",  # not the form's spelling: kept as it is
        time_signature="6",
        variants=8,
        seed=0,
        inference_steps=200,
        guidance_scale=1.0,
        model="someone-elses-model",  # not on this server any more
        thinking=True,
        language="unknown",
    ),
    "max": GenerationRequest(
        caption="é" * c.CAPTION_MAX_CHARS,
        lyrics="la " * 900 + "la",
        instrumental=False,
        duration_s=600,
        bpm=30,
        key_scale="Cb major",
        time_signature="2",
        variants=1,
        seed=2**32 - 1,
        guidance_scale=30.0,
        language="yue",
        audio_format="mp3",
        enhance=True,
        thinking=True,
    ),
}


# --- Block Kit limits ---


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_prefilled_form_is_valid_block_kit(name: str) -> None:
    view = build_modal(models=MODELS, defaults=DEFAULTS, prefill=REQUESTS[name])
    assert_valid_modal(view)


@pytest.mark.parametrize("count", [0, 1, 98, 99, 100, 120, 300, 1000])
def test_blank_form_is_valid_block_kit_for_any_model_count(count: int) -> None:
    models = [f"acestep-model-{n:04d}" for n in range(count)]
    view = build_modal(models=models, defaults=DEFAULTS, private_metadata='{"channel": "C1"}')
    assert_valid_modal(view)
    assert view["callback_id"] == MODAL_CALLBACK_ID
    assert view["title"]["text"] == t.TITLE
    assert view["submit"]["text"] == t.SUBMIT
    assert view["close"]["text"] == t.CLOSE
    assert view["private_metadata"] == '{"channel": "C1"}'


def test_blank_form_starts_from_the_defaults() -> None:
    defaults = GenerationDefaults(duration_s=90, variants=3, audio_format="wav", language="ja")
    view = build_modal(models=MODELS, defaults=defaults)
    assert "private_metadata" not in view
    assert element_of(view, Block.DURATION)["initial_value"] == "90"
    assert element_of(view, Block.VARIANTS)["initial_option"]["value"] == "3"
    assert element_of(view, Block.FORMAT)["initial_option"]["value"] == "wav"
    assert element_of(view, Block.LANGUAGE)["initial_option"]["value"] == "ja"
    assert element_of(view, Block.KEY)["initial_option"]["text"]["text"] == t.SERVER_CHOOSES
    assert element_of(view, Block.MODEL)["initial_option"]["text"]["text"] == (
        t.SERVER_DEFAULT_MODEL
    )
    assert "initial_value" not in element_of(view, Block.CAPTION)
    assert "initial_options" not in element_of(view, Block.LM)

    values = simulated_values(view)
    values["caption"]["caption_input"]["value"] = "  spa ambient  "
    assert parse_submission(values) == GenerationRequest(
        caption="spa ambient", duration_s=90, variants=3, audio_format="wav", language="ja"
    )


def test_defaults_out_of_range_leave_the_field_empty_rather_than_break_the_form() -> None:
    defaults = GenerationDefaults(duration_s=5, variants=20, audio_format="mp3", language="xx")
    view = build_modal(models=[], defaults=defaults)
    assert_valid_modal(view)
    assert "initial_value" not in element_of(view, Block.DURATION)
    assert "initial_option" not in element_of(view, Block.VARIANTS)
    assert "initial_option" not in element_of(view, Block.LANGUAGE)


def test_optional_inputs_are_marked_optional() -> None:
    view = build_modal(models=MODELS, defaults=DEFAULTS)
    optional = {b["block_id"] for b in view["blocks"] if b.get("optional")}
    assert optional == {"lyrics", "bpm", "language_model", "seed", "steps", "guidance"}


def test_private_metadata_over_slacks_limit_is_refused() -> None:
    build_modal(models=[], defaults=DEFAULTS, private_metadata="x" * 3000)
    with pytest.raises(ValueError, match="3000"):
        build_modal(models=[], defaults=DEFAULTS, private_metadata="x" * 3001)


# --- Option lists ---


def test_keys_are_24_canonical_keys_after_server_choice() -> None:
    groups = element_of(build_modal(models=[], defaults=DEFAULTS), Block.KEY)["option_groups"]
    assert [o["value"] for o in groups[0]["options"]] == ["auto"]
    for group, mode in zip(groups[1:], ("major", "minor"), strict=True):
        keys = [o["value"] for o in group["options"]]
        assert all(parse_key(key) == key and key.endswith(mode) for key in keys)
        assert [key_root_semitone(key) for key in keys] == list(range(12))
    assert "'F# major'" in str(groups)
    assert "'Bb minor'" in str(groups)


def test_unusual_key_spelling_is_offered_beside_its_equivalent() -> None:
    prefill = REQUESTS["edges"]  # A# minor
    view = build_modal(models=[], defaults=DEFAULTS, prefill=prefill)
    minors = [o["value"] for o in element_of(view, Block.KEY)["option_groups"][2]["options"]]
    assert minors.index("A# minor") == minors.index("Bb minor") + 1
    assert len(minors) == 13


def test_time_signatures_are_in_the_servers_form() -> None:
    options = element_of(build_modal(models=[], defaults=DEFAULTS), Block.TIME_SIGNATURE)["options"]
    assert [(o["text"]["text"], o["value"]) for o in options] == [
        (t.SERVER_CHOOSES, "auto"),
        ("2/4", "2"),
        ("3/4", "3"),
        ("4/4", "4"),
        ("6/8", "6"),
    ]


def test_every_language_ace_step_knows_is_offered_by_name() -> None:
    groups = element_of(build_modal(models=[], defaults=DEFAULTS), Block.LANGUAGE)["option_groups"]
    options = [o for g in groups for o in g["options"]]
    assert {o["value"] for o in options} == set(c.LANGUAGES)
    assert set(t.LANGUAGE_NAMES) == set(c.LANGUAGES)
    assert groups[0]["options"][0]["text"]["text"] == "English (en)"
    assert options[-1]["value"] == "unknown"


def test_no_models_means_only_the_server_default() -> None:
    element = element_of(build_modal(models=[], defaults=DEFAULTS), Block.MODEL)
    assert [o["text"]["text"] for o in element["options"]] == [t.SERVER_DEFAULT_MODEL]


def test_120_models_are_split_into_groups_and_all_selectable() -> None:
    models = [f"m{n}" for n in range(120)]
    prefill = GenerationRequest(caption="x", duration_s=60, model="m115")
    view = build_modal(models=models, defaults=DEFAULTS, prefill=prefill)
    element = element_of(view, Block.MODEL)
    labels = [g["label"]["text"] for g in element["option_groups"]]
    assert labels == [t.SERVER_GROUP, "Models 1–100", "Models 101–120"]
    values = [o["value"] for g in element["option_groups"][1:] for o in g["options"]]
    assert values == [f"model:m{n}" for n in range(120)]
    assert element["initial_option"]["value"] == "model:m115"
    assert "hint" not in block_of(view, Block.MODEL)
    assert parse_submission(simulated_values(view)) == prefill


def test_a_huge_model_list_is_cut_and_says_so() -> None:
    models = [f"m{n}" for n in range(1000)]
    prefill = GenerationRequest(caption="x", duration_s=60, model="m999")
    view = build_modal(models=models, defaults=DEFAULTS, prefill=prefill)
    element = element_of(view, Block.MODEL)
    values = [o["value"] for g in element["option_groups"] for o in g["options"]]
    assert len(values) == 301  # server default + 300
    assert element["initial_option"]["value"] == "model:m999"
    assert block_of(view, Block.MODEL)["hint"]["text"] == t.models_cut_hint(300, 1000)


def test_model_names_too_long_for_slack_are_left_out_and_long_ones_clipped() -> None:
    models = ["n" * 200, "l" * 120, "short", "short"]
    element = element_of(build_modal(models=models, defaults=DEFAULTS), Block.MODEL)
    assert [o["value"] for o in element["options"]] == ["auto", "model:" + "l" * 120, "model:short"]
    assert element["options"][1]["text"]["text"] == "l" * 74 + "…"


# --- Round trips: what the form shows is what it reads back ---


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_prefilled_form_reads_back_the_same_request(name: str) -> None:
    view = build_modal(models=MODELS, defaults=DEFAULTS, prefill=REQUESTS[name])
    assert parse_submission(simulated_values(view)) == REQUESTS[name]


def test_preset_stays_out_of_the_form() -> None:
    request = REQUESTS["vocal"].model_copy(update={"preset_id": "spa", "preset_version": 3})
    view = build_modal(models=MODELS, defaults=DEFAULTS, prefill=request, private_metadata="m")
    assert view["private_metadata"] == "m"
    assert "spa" not in json.dumps(view["blocks"])
    assert parse_submission(simulated_values(view)) == REQUESTS["vocal"]


def test_lyrics_longer_than_a_slack_input_are_cut_with_a_hint() -> None:
    lyrics = ("la " * 1300).strip()  # 3899 characters: fine for ACE-Step, too long for Slack
    request = GenerationRequest(caption="x", lyrics=lyrics, instrumental=False, duration_s=60)
    view = build_modal(models=[], defaults=DEFAULTS, prefill=request)
    assert_valid_modal(view)
    assert len(element_of(view, Block.LYRICS)["initial_value"]) == 3000
    assert block_of(view, Block.LYRICS)["hint"]["text"] == t.LYRICS_CLIPPED_HINT


words = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=40
).map(str.strip)
keys = st.sampled_from(
    [None, "C major", "F# minor", "Db major", "A# minor", "Gb major", "E# minor", "B minor"]
)


@st.composite
def requests(draw: st.DrawFn) -> GenerationRequest:
    """Any request the form can show."""
    lyrics = draw(st.one_of(st.just(""), words))
    return GenerationRequest(
        caption=draw(words.filter(bool)),
        lyrics=lyrics,
        instrumental=not lyrics,
        duration_s=draw(st.integers(c.DURATION_MIN_S, c.DURATION_MAX_S)),
        bpm=draw(st.none() | st.integers(c.BPM_MIN, c.BPM_MAX)),
        key_scale=draw(keys),
        time_signature=draw(st.sampled_from([None, "2", "3", "4", "6"])),
        language=draw(st.sampled_from(sorted(c.LANGUAGES))),
        variants=draw(st.integers(c.VARIANTS_MIN, c.VARIANTS_MAX)),
        seed=draw(st.none() | st.integers(0, 2**32 - 1)),
        inference_steps=draw(st.none() | st.integers(1, c.INFERENCE_STEPS_MAX)),
        guidance_scale=draw(st.none() | st.floats(c.GUIDANCE_MIN, c.GUIDANCE_MAX)),
        model=draw(st.sampled_from([None, *MODELS, "elsewhere"])),
        audio_format=draw(st.sampled_from(c.AUDIO_FORMATS)),
        enhance=draw(st.booleans()),
        thinking=draw(st.booleans()),
    )


@settings(max_examples=150, deadline=None)
@given(requests())
def test_any_request_survives_the_round_trip(request: GenerationRequest) -> None:
    view = build_modal(models=MODELS, defaults=DEFAULTS, prefill=request)
    assert parse_submission(simulated_values(view)) == request


# --- Inline errors ---

VOCAL = REQUESTS["vocal"]


def _submit(**changes: Json | None) -> dict[str, str]:
    """Submit the vocal form with some element states replaced (None: left out); the errors."""
    values = simulated_values(build_modal(models=MODELS, defaults=DEFAULTS, prefill=VOCAL))
    for block_id, state in changes.items():
        if state is None:
            values.pop(block_id)
        else:
            action_id = next(iter(values[block_id]))
            values[block_id][action_id] = values[block_id][action_id] | state
    with pytest.raises(ModalErrors) as caught:
        parse_submission(values)
    return caught.value.errors


def _value(text: str | None) -> Json:
    return {"value": text}


def _chosen(value: str) -> Json:
    return {"selected_option": {"text": {"type": "plain_text", "text": value}, "value": value}}


@pytest.mark.parametrize(
    ("block", "state", "message"),
    [
        ("caption", _value(""), t.CAPTION_ERROR),
        ("caption", _value("   \n "), t.CAPTION_ERROR),
        ("caption", _value(None), t.CAPTION_ERROR),
        ("caption", None, t.CAPTION_ERROR),
        ("caption", _value("x" * 1001), t.CAPTION_ERROR),
        ("lyrics", _value("la" * 2049), t.LYRICS_ERROR),
        ("duration", _value("9"), "Between 10 and 600 seconds."),
        ("duration", _value("601"), t.DURATION_ERROR),
        ("duration", _value("1.5"), t.DURATION_ERROR),
        ("duration", _value("abc"), t.DURATION_ERROR),
        ("duration", _value(None), t.DURATION_ERROR),
        ("duration", None, t.DURATION_ERROR),
        ("bpm", _value("29"), t.BPM_ERROR),
        ("bpm", _value("301"), t.BPM_ERROR),
        ("bpm", _value("120.5"), t.BPM_ERROR),
        ("key", _chosen("H major"), t.KEY_ERROR),
        ("time_signature", _chosen("5"), t.TIME_SIGNATURE_ERROR),
        ("language", _chosen("xx"), t.LANGUAGE_ERROR),
        ("variants", _chosen("0"), t.VARIANTS_ERROR),
        ("variants", _chosen("9"), t.VARIANTS_ERROR),
        ("variants", _chosen("two"), t.VARIANTS_ERROR),
        ("model", _chosen("acestep-v15-turbo"), t.MODEL_ERROR),
        ("format", _chosen("ogg"), t.FORMAT_ERROR),
        ("vocals", _chosen("choir"), t.VOCALS_ERROR),
        ("seed", _value("-1"), t.SEED_ERROR),
        ("seed", _value(str(2**32)), t.SEED_ERROR),
        ("steps", _value("0"), t.STEPS_ERROR),
        ("steps", _value("201"), t.STEPS_ERROR),
        ("guidance", _value("0.5"), t.GUIDANCE_ERROR),
        ("guidance", _value("30.01"), t.GUIDANCE_ERROR),
        ("guidance", _value("nan"), t.GUIDANCE_ERROR),
        ("guidance", _value("seven"), t.GUIDANCE_ERROR),
    ],
)
def test_each_bad_input_is_an_error_on_its_own_block(
    block: str, state: Json | None, message: str
) -> None:
    assert _submit(**{block: state}) == {block: message}


def test_lyrics_on_an_instrumental_are_an_error_on_the_lyrics() -> None:
    errors = _submit(vocals=_chosen("instrumental"))
    assert errors == {"lyrics": t.LYRICS_FOR_INSTRUMENTAL}


def test_vocals_without_lyrics_are_an_error_on_the_lyrics() -> None:
    assert _submit(lyrics=_value("  ")) == {"lyrics": t.LYRICS_MISSING}
    assert _submit(lyrics=None) == {"lyrics": t.LYRICS_MISSING}


def test_every_problem_is_reported_at_once() -> None:
    errors = _submit(caption=_value(""), duration=_value("5"), bpm=_value("1"), lyrics=None)
    assert errors == {
        "caption": t.CAPTION_ERROR,
        "duration": t.DURATION_ERROR,
        "bpm": t.BPM_ERROR,
        "lyrics": t.LYRICS_MISSING,
    }


def test_empty_optional_inputs_mean_the_server_decides() -> None:
    values = simulated_values(build_modal(models=MODELS, defaults=DEFAULTS, prefill=VOCAL))
    for block in ("bpm", "seed", "steps", "guidance"):
        values[block][f"{block}_input"]["value"] = None
    del values["language_model"]
    request = parse_submission(values)
    assert (request.bpm, request.seed, request.inference_steps, request.guidance_scale) == (
        (None,) * 4
    )
    assert not request.enhance


junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["value", "text"]) | st.text(max_size=8), inner)
    ),
    max_leaves=6,
)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_any_state_gives_a_request_or_modal_errors(data: st.DataObject) -> None:
    values = simulated_values(build_modal(models=MODELS, defaults=DEFAULTS, prefill=VOCAL))
    for block_id in data.draw(st.lists(st.sampled_from(sorted(values)), max_size=5)):
        action_id = next(iter(values[block_id]))
        key = data.draw(st.sampled_from(["value", "selected_option", "selected_options"]))
        values[block_id][action_id][key] = data.draw(junk)
    try:
        outcome: GenerationRequest | dict[str, str] = parse_submission(values)
    except ModalErrors as problems:
        outcome = problems.errors
    if isinstance(outcome, dict):
        assert outcome
        assert set(outcome) <= {b.value for b in Block}
        assert all(isinstance(text, str) and text for text in outcome.values())
