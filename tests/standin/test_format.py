"""`/format_input`: the rule-based stand-in LM and its failure paths (ACESTEP_API.md §8)."""

from domain.music import parse_key
from standin.lm import ENHANCEMENT_MARK

from .conftest import MakeStandIn
from .helpers import SHORT_JOB, StandIn


async def test_enriches_the_caption_and_fills_open_fields(standin: StandIn) -> None:
    body = (await standin.client.post("/format_input", json={"prompt": "hotel lobby jazz"})).json()

    data = body["data"]
    assert body["code"] == 200
    assert set(data) == {
        "caption",
        "lyrics",
        "bpm",
        "key_scale",
        "time_signature",
        "duration",
        "vocal_language",
    }
    assert data["caption"].startswith("hotel lobby jazz, ")
    assert data["caption"].endswith(ENHANCEMENT_MARK)
    assert isinstance(data["bpm"], int)
    assert parse_key(data["key_scale"]) == data["key_scale"]
    assert data["time_signature"] in ("2", "3", "4", "6")
    assert isinstance(data["duration"], float)
    assert data["vocal_language"] == "unknown"


async def test_keeps_what_was_given(standin: StandIn) -> None:
    param_obj = {"bpm": 90, "key": "C major", "duration": 30.7, "language": "ja"}
    response = await standin.client.post(
        "/format_input",
        json={
            "prompt": "pop",
            "lyrics": "[Verse]\nla",
            "param_obj": param_obj,
            "time_signature": "3",
        },
    )

    data = response.json()["data"]
    assert (data["bpm"], data["key_scale"], data["time_signature"]) == (90, "C major", "3")
    assert (data["duration"], data["vocal_language"]) == (30.0, "ja")  # truncated, as upstream
    assert data["lyrics"] == "[Verse]\nla"


async def test_is_deterministic_and_idempotent(standin: StandIn) -> None:
    first = (await standin.client.post("/format_input", json={"prompt": "spa"})).json()["data"]
    again = (await standin.client.post("/format_input", json={"prompt": "spa"})).json()["data"]
    twice = await standin.client.post("/format_input", json={"prompt": first["caption"]})

    assert first == again
    assert twice.json()["data"]["caption"] == first["caption"]


async def test_caption_is_not_an_alias_here(standin: StandIn) -> None:
    data = (await standin.client.post("/format_input", json={"caption": "jazz"})).json()["data"]

    assert "jazz" not in data["caption"]


async def test_form_bodies_and_bad_param_obj(standin: StandIn) -> None:
    form = await standin.client.post("/format_input", data={"prompt": "lofi", "param_obj": "{"})
    not_object = await standin.client.post("/format_input", json={"param_obj": "[1]"})

    assert form.json()["data"]["caption"].startswith("lofi, ")
    assert (not_object.status_code, not_object.text) == (500, "Internal Server Error")


async def test_formatting_failure_is_http_200_with_code_500(standin: StandIn) -> None:
    standin.server.set_format_failure("the LM returned nothing")
    failed = await standin.client.post("/format_input", json={"prompt": "jazz"})
    standin.server.set_format_failure(None)
    ok = await standin.client.post("/format_input", json={"prompt": "jazz"})

    assert failed.status_code == 200
    body = failed.json()
    assert (body["data"], body["code"]) == (None, 500)
    assert body["error"] == "format_sample failed: the LM returned nothing"
    assert ok.json()["code"] == 200


async def test_without_lm_503_until_a_job_tried_the_lm_then_500(make_standin: MakeStandIn) -> None:
    standin = await make_standin(lm_available=False)
    before = await standin.client.post("/format_input", json={"prompt": "jazz"})
    await standin.run(**SHORT_JOB)
    after = await standin.client.post("/format_input", json={"prompt": "jazz"})

    assert before.status_code == 503
    assert before.json()["detail"].startswith("LLM not initialized")
    assert after.status_code == 500
    assert after.json()["detail"].startswith("LLM init failed: ")
