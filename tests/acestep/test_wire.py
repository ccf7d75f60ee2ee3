"""Building `/release_task` bodies and matching model names (pure functions)."""

import json
from typing import Any

import pytest

from bot.engine.acestep.wire import (
    bare_model_name,
    build_release_payload,
    check_release_payload,
    match_model,
)
from domain.constants import INSTRUMENTAL_LYRICS
from domain.request import GenerationRequest


def make_request(**over: Any) -> GenerationRequest:
    fields: dict[str, Any] = {"caption": "hotel lobby jazz", "duration_s": 180}
    return GenerationRequest(**(fields | over))


def test_integers_go_out_as_json_integers() -> None:
    request = make_request(bpm=120, variants=3, seed=7, inference_steps=8, guidance_scale=7.0)
    payload = build_release_payload(request, model=None)
    for name in ("bpm", "batch_size", "seed", "inference_steps", "audio_duration"):
        assert type(payload[name]) is int, name
    text = json.dumps(payload)
    assert '"bpm": 120,' in text
    assert '"batch_size": 3,' in text
    assert "120.0" not in text
    assert "180.0" not in text


@pytest.mark.parametrize("fmt", ["mp3", "wav", "flac"])
def test_audio_format_is_explicit_and_format_key_never_sent(fmt: str) -> None:
    payload = build_release_payload(make_request(audio_format=fmt), model=None)
    assert payload["audio_format"] == fmt
    assert "format" not in payload
    assert payload["use_format"] is False


def test_batch_size_always_present_even_at_the_default() -> None:
    payload = build_release_payload(make_request(), model=None)
    assert payload["batch_size"] == 2


def test_instrumental_is_explicit() -> None:
    payload = build_release_payload(make_request(instrumental=True), model=None)
    assert payload["lyrics"] == INSTRUMENTAL_LYRICS == "[Instrumental]"
    assert payload["vocal_language"] == "unknown"


def test_vocal_request_sends_lyrics_and_language() -> None:
    request = make_request(instrumental=False, lyrics="[verse]\nla la", language="ja")
    payload = build_release_payload(request, model=None)
    assert payload["lyrics"] == "[verse]\nla la"
    assert payload["vocal_language"] == "ja"


def test_model_passthrough_uses_the_resolved_name_only() -> None:
    request = make_request(model="turbo")
    assert build_release_payload(request, model="acestep-v15-turbo")["model"] == "acestep-v15-turbo"
    assert "model" not in build_release_payload(request, model=None)


def test_no_seed_means_random_seed() -> None:
    payload = build_release_payload(make_request(seed=None), model=None)
    assert payload["use_random_seed"] is True
    assert payload["seed"] == -1


def test_given_seed_is_sent_with_random_off() -> None:
    payload = build_release_payload(make_request(seed=42), model=None)
    assert payload["use_random_seed"] is False
    assert payload["seed"] == 42


def test_optional_fields_only_when_given() -> None:
    bare = build_release_payload(make_request(), model=None)
    for name in ("bpm", "key_scale", "time_signature", "inference_steps", "guidance_scale"):
        assert name not in bare
    full = build_release_payload(
        make_request(bpm=90, key_scale="f#m", time_signature="3", guidance_scale=5.5),
        model=None,
    )
    assert (full["bpm"], full["key_scale"], full["time_signature"]) == (90, "F# minor", "3")
    assert full["guidance_scale"] == 5.5


def test_core_fields() -> None:
    payload = build_release_payload(make_request(thinking=True), model=None)
    assert payload["task_type"] == "text2music"
    assert payload["prompt"] == "hotel lobby jazz"
    assert payload["audio_duration"] == 180
    assert payload["thinking"] is True
    assert "ai_token" not in payload


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"format": "mp3"}, "use_format"),
        ({"ai_token": "k"}, "Authorization header"),
        ({"bpm": 120.0}, "JSON integer"),
        ({"batch_size": True}, "JSON integer"),
        ({"batch_size": None}, "JSON integer"),
    ],
)
def test_check_refuses_payloads_the_server_would_misread(
    change: dict[str, object], complaint: str
) -> None:
    payload = build_release_payload(make_request(), model=None) | change
    with pytest.raises(ValueError, match=complaint):
        check_release_payload(payload)


def test_check_requires_explicit_batch_size_and_format() -> None:
    payload = build_release_payload(make_request(), model=None)
    del payload["batch_size"], payload["audio_format"]
    with pytest.raises(ValueError, match="audio_format, batch_size"):
        check_release_payload(payload)


@pytest.mark.parametrize(
    ("model_id", "bare"),
    [
        ("acestep/acestep-v15-turbo", "acestep-v15-turbo"),
        ("acestep-v15-turbo", "acestep-v15-turbo"),
        (" acestep/acestep-v15-base ", "acestep-v15-base"),
        ("/models/checkpoints/acestep-v15-turbo/", "acestep-v15-turbo"),
        ("C:\\ckpt\\acestep-v15-sft", "acestep-v15-sft"),
    ],
)
def test_bare_model_name(model_id: str, bare: str) -> None:
    assert bare_model_name(model_id) == bare


SERVER_MODELS = ["acestep-v15-turbo", "acestep-v15-base", "acestep-v15-turbo-shift3"]


@pytest.mark.parametrize(
    ("wanted", "available", "expected"),
    [
        ("acestep-v15-turbo", SERVER_MODELS, "acestep-v15-turbo"),  # exact beats substring
        ("acestep/acestep-v15-base", SERVER_MODELS, "acestep-v15-base"),  # HEAD id
        ("ACESTEP-V15-BASE", SERVER_MODELS, "acestep-v15-base"),  # case-insensitive
        ("turbo", SERVER_MODELS, "acestep-v15-turbo"),  # unique suffix
        ("shift3", SERVER_MODELS, "acestep-v15-turbo-shift3"),  # suffix
        ("base", ["acestep/acestep-v15-base", "acestep/acestep-v15-turbo"], "acestep-v15-base"),
        ("v15-tur", ["acestep-v15-turbo", "acestep-v15-base"], "acestep-v15-turbo"),  # substring
    ],
)
def test_match_model(wanted: str, available: list[str], expected: str) -> None:
    assert match_model(wanted, available) == expected


@pytest.mark.parametrize(
    ("wanted", "available", "complaint"),
    [
        ("sft", SERVER_MODELS, "no model 'sft'.*acestep-v15-turbo, acestep-v15-base"),
        ("v15", SERVER_MODELS, "ambiguous"),
        ("turbo", ["a-turbo", "b-turbo"], "ambiguous: it matches a-turbo, b-turbo"),
        ("turbo", [], "lists no models"),
        ("  ", SERVER_MODELS, "no model name"),
    ],
)
def test_match_model_failures_list_what_exists(
    wanted: str, available: list[str], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        match_model(wanted, available)
