"""Wire shapes: success wrapper, unwrapped errors, Content-Type handling (ACESTEP_API.md §2-5)."""

import json
from typing import Any

import pytest

from standin.config import SERVICE_NAME

from .conftest import MakeStandIn
from .helpers import SHORT_JOB, StandIn, items

INTERNAL_ERROR = "Internal Server Error"


def assert_plain_500(response: Any) -> None:
    assert response.status_code == 500
    assert response.text == INTERNAL_ERROR
    assert response.headers["content-type"].startswith("text/plain")


async def test_success_is_wrapped(standin: StandIn) -> None:
    body = (await standin.client.get("/health")).json()

    assert set(body) == {"data", "code", "error", "timestamp", "extra"}
    assert body["data"] == {"status": "ok", "service": SERVICE_NAME, "version": "1.0"}
    assert (body["code"], body["error"], body["extra"]) == (200, None, None)
    assert isinstance(body["timestamp"], int)
    assert body["timestamp"] > 10**12


async def test_unknown_path_and_wrong_method_are_unwrapped(standin: StandIn) -> None:
    missing = await standin.client.get("/nope")
    wrong = await standin.client.get("/release_task")
    head = await standin.client.head("/health")

    assert (missing.status_code, missing.json()) == (404, {"detail": "Not Found"})
    assert (wrong.status_code, wrong.json()) == (405, {"detail": "Method Not Allowed"})
    assert head.status_code == 405


async def test_json_that_is_not_an_object_is_400(standin: StandIn) -> None:
    response = await standin.client.post("/release_task", json=[SHORT_JOB])

    assert response.status_code == 400
    assert response.json() == {"detail": "JSON payload must be an object"}


async def test_malformed_json_under_json_content_type_is_plain_500(standin: StandIn) -> None:
    headers = {"Content-Type": "application/json"}
    for path in ("/release_task", "/query_result", "/format_input"):
        assert_plain_500(await standin.client.post(path, content=b"{oops", headers=headers))


@pytest.mark.parametrize(
    ("content", "status", "detail"),
    [
        (b"{oops", 400, "Invalid JSON body (hint: set 'Content-Type: application/json')"),
        (b"[1, 2]", 400, "JSON payload must be an object"),
        (b"hello", 415, "Unsupported Content-Type: (missing); use application/json, "),
    ],
)
async def test_body_without_content_type_is_sniffed(
    standin: StandIn, content: bytes, status: int, detail: str
) -> None:
    response = await standin.client.post("/release_task", content=content)

    assert response.status_code == status
    assert response.json()["detail"].startswith(detail)


async def test_json_without_content_type_is_accepted(standin: StandIn) -> None:
    response = await standin.client.post("/release_task", content=json.dumps(SHORT_JOB))

    assert response.status_code == 200
    assert (await standin.finish(response.json()["data"]["task_id"]))["status"] == 1


async def test_unknown_content_type_names_itself_in_415(standin: StandIn) -> None:
    headers = {"Content-Type": "text/plain"}
    response = await standin.client.post("/release_task", content=b"hello", headers=headers)

    assert response.status_code == 415
    assert response.json()["detail"].startswith("Unsupported Content-Type: text/plain;")


async def test_plus_json_content_type_is_json(standin: StandIn) -> None:
    headers = {"Content-Type": "application/vnd.api+json"}
    content = json.dumps(SHORT_JOB)
    response = await standin.client.post("/release_task", content=content, headers=headers)

    assert response.status_code == 200


async def test_form_bodies_crash_upstream_head(standin: StandIn) -> None:
    urlencoded = await standin.client.post("/release_task", data={"prompt": "jazz"})
    multipart = await standin.client.post(
        "/release_task", data={"prompt": "jazz"}, files={"x": ("x.txt", b"x")}
    )
    sniffed = await standin.client.post("/release_task", content=b"prompt=jazz")

    for response in (urlencoded, multipart, sniffed):
        assert_plain_500(response)


async def test_rejected_lm_backend_is_plain_500(standin: StandIn) -> None:
    assert_plain_500(await standin.client.post("/release_task", json={"lm_backend": "onnx"}))
    ok = await standin.client.post("/release_task", json={**SHORT_JOB, "lm_backend": "mlx"})
    assert ok.status_code == 200


async def test_param_obj_string_that_is_not_an_object_is_plain_500(standin: StandIn) -> None:
    response = await standin.client.post("/release_task", json={"param_obj": "[1]"})

    assert_plain_500(response)


async def test_query_result_without_json_content_type_reads_nothing(standin: StandIn) -> None:
    task_id = await standin.submit(**SHORT_JOB)
    body = json.dumps({"task_id_list": [task_id]})
    bare = await standin.client.post("/query_result", content=body)
    text = await standin.client.post(
        "/query_result", content=body, headers={"Content-Type": "text/plain"}
    )

    assert bare.json()["data"] == []
    assert text.json()["data"] == []


async def test_query_result_accepts_a_json_string_list_and_forms(standin: StandIn) -> None:
    task_id = await standin.submit(**SHORT_JOB)
    await standin.finish(task_id)
    as_string = await standin.client.post(
        "/query_result", json={"task_id_list": json.dumps([task_id])}
    )
    as_form = await standin.client.post(
        "/query_result", data={"task_id_list": json.dumps([task_id, "other"])}
    )
    junk = await standin.client.post("/query_result", json={"task_id_list": "not json"})

    assert [e["task_id"] for e in as_string.json()["data"]] == [task_id]
    assert [e["status"] for e in as_form.json()["data"]] == [1, 0]
    assert junk.json()["data"] == []


async def test_query_result_json_array_body_is_plain_500(standin: StandIn) -> None:
    assert_plain_500(await standin.client.post("/query_result", json=["abc"]))


async def test_query_result_keeps_request_order_and_decodes_twice(standin: StandIn) -> None:
    first, second = await standin.submit(**SHORT_JOB), await standin.submit(**SHORT_JOB)
    await standin.finish(second)
    entries = await standin.query(second, "unknown", first)

    assert [entry["task_id"] for entry in entries] == [second, "unknown", first]
    assert isinstance(entries[0]["result"], str)
    assert items(entries[0])[0]["status"] == 1


async def test_random_sample_has_no_examples(standin: StandIn) -> None:
    body = (await standin.client.post("/create_random_sample", json={})).json()

    assert (body["data"], body["code"], body["error"]) == (None, 500, "No example data available")


async def test_models_at_head_are_openrouter_shaped_and_open(make_standin: MakeStandIn) -> None:
    standin = await make_standin(api_key="k")
    body = (await standin.client.get("/v1/models")).json()

    assert body["object"] == "list"
    ids = [model["id"] for model in body["data"]]
    assert ids == ["acestep/acemusic-placeholder-turbo", "acestep/acemusic-placeholder-base"]
    assert "stand-in" in body["data"][0]["description"]


async def test_request_counts_per_path(standin: StandIn) -> None:
    await standin.run(**SHORT_JOB)
    await standin.client.get("/health")

    counts = standin.server.request_counts
    assert counts["/release_task"] == 1
    assert counts["/health"] == 1
    assert counts["/query_result"] >= 1
