"""Pure parsing: lenient values, field sources and aliases, form bodies, the stand-in LM."""

import random

import pytest

from standin import lm
from standin.bodies import parse_multipart, parse_urlencoded
from standin.errors import ServerFault
from standin.request import build_job_request
from standin.values import Params, to_bool, to_float, to_int


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (120, 120),
        ("120", 120),
        (" 7 ", 7),
        (120.0, None),
        ("120.5", None),
        ("x", None),
        (None, None),
    ],
)
def test_to_int_drops_floats_and_junk(value: object, expected: int | None) -> None:
    assert to_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(30, 30.0), ("30.5", 30.5), (1.5, 1.5), ("abc", None), (True, None), ("", None)],
)
def test_to_float(value: object, expected: float | None) -> None:
    assert to_float(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Yes", True), ("on", True), (1, True), ("mp3", False), ("0", False), (False, False)],
)
def test_to_bool(value: object, expected: bool) -> None:
    assert to_bool(value) is expected


def test_lookup_order_is_body_then_param_obj_then_first_metas() -> None:
    params = Params(
        {
            "bpm": None,
            "param_obj": {"bpm": 90, "caption": "from param_obj"},
            "meta": "",
            "metadata": '{"bpm": 70, "keyScale": "A minor"}',
            "user_metadata": {"key": "C major"},
        }
    )

    assert params.get("bpm") == 90
    assert params.get("prompt") == "from param_obj"
    assert params.get("key_scale") == "A minor"  # first non-empty metas source only


def test_aliases_are_tried_in_order() -> None:
    params = Params({"caption": "second", "prompt": "first", "targetDuration": 12})

    assert params.text("prompt") == "first"
    assert params.number("audio_duration") == 12.0


def test_bad_param_obj_json_reads_empty_but_non_objects_crash() -> None:
    assert Params({"param_obj": "{not json"}).get("bpm") is None
    with pytest.raises(ServerFault):
        Params({"param_obj": "[1, 2]"})


def test_build_job_request_defaults_and_traps() -> None:
    request = build_job_request({"format": "mp3", "seed": 42, "batch_size": 2.0}, "head")

    assert request.use_format is False  # "mp3" is not a true word
    assert request.audio_format == "mp3"
    assert request.batch_size is None  # float dropped -> server default 2
    assert (request.inference_steps, request.guidance_scale, request.vocal_language) == (
        8,
        7.0,
        "en",
    )


def test_head_only_fields_are_ignored_by_pypi() -> None:
    body = {"analysis_only": True, "src_audio_path": "/x.wav"}

    assert build_job_request(body, "head").analysis_only is True
    pypi = build_job_request(body, "pypi")
    assert (pypi.analysis_only, pypi.src_audio_path) == (False, None)


def test_multipart_text_fields_skip_files() -> None:
    body = (
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="prompt"\r\n\r\n'
        b"caf\xc3\xa9 jazz\r\n"
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="ref_audio"; filename="r.wav"\r\n'
        b"Content-Type: audio/wav\r\n\r\n"
        b"RIFF\r\n"
        b"--XyZ--\r\n"
    )

    assert parse_multipart("multipart/form-data; boundary=XyZ", body) == {"prompt": "café jazz"}
    assert parse_multipart("multipart/form-data", b"junk") == {}


def test_urlencoded_keeps_the_last_value() -> None:
    assert parse_urlencoded(b"a=1&a=2&b=x+y&c=") == {"a": "2", "b": "x y", "c": ""}


def test_invented_metadata_is_in_range_and_seeded() -> None:
    first = lm.invent_metadata("ambient spa", random.Random(1))
    again = lm.invent_metadata("ambient spa", random.Random(1))

    assert first == again
    assert 56 <= first.bpm <= 76
    assert 10 <= first.duration_s <= 120
    assert lm.invent_metadata("a slow waltz", random.Random(1)).time_signature == "3"


def test_sample_from_query_guesses_language_and_instrumental() -> None:
    vocal = lm.sample_from_query("a japanese city pop song", "en", random.Random(2))
    instrumental = lm.sample_from_query("instrumental piano", "en", random.Random(2))
    forced = lm.sample_from_query("a japanese song", "ko", random.Random(2))

    assert vocal.language == "ja"
    assert (instrumental.language, instrumental.lyrics) == ("unknown", "[Instrumental]")
    assert forced.language == "ko"
