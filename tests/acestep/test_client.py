"""The client against a MockTransport fake that answers like the real server (HEAD and PyPI)."""

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from bot.engine.acestep import (
    AceStepClient,
    FormattedPrompt,
    ModelList,
    ServerStats,
    Submission,
    TaskPhase,
    build_release_payload,
)
from domain.request import GenerationRequest

from .shapes import API_KEY, FakeServer, Shapes

ClientMaker = Callable[..., AceStepClient]


async def test_health(server: FakeServer, client: AceStepClient) -> None:
    health = {"status": "ok", "service": "ACE-Step API", "version": "1.0"}
    server.json("GET", "/health", Shapes.wrap(health))
    assert await client.health() == health
    assert client.name == "gpu-1"


async def test_models_head_shape(server: FakeServer, client: AceStepClient) -> None:
    server.json("GET", "/v1/models", Shapes.head_models("acestep-v15-turbo", "acestep-v15-base"))
    # HEAD ids are "acestep/<name>"; the primary (default) model is listed first.
    assert await client.models() == ModelList(
        names=("acestep-v15-turbo", "acestep-v15-base"), default="acestep-v15-turbo"
    )
    assert "Authorization" in server.requests[0].headers  # sent even where HEAD needs none


async def test_models_pypi_shape(server: FakeServer, client: AceStepClient) -> None:
    server.json("GET", "/v1/models", Shapes.pypi_models("acestep-v15-base", "acestep-v15-turbo"))
    models = await client.models()
    expected = ("acestep-v15-base", "acestep-v15-turbo")
    assert models == ModelList(names=expected, default="acestep-v15-base")


async def test_models_empty_lists(server: FakeServer, client: AceStepClient) -> None:
    server.json("GET", "/v1/models", Shapes.pypi_models())
    assert await client.models() == ModelList(names=(), default=None)
    server.json("GET", "/v1/models", Shapes.head_models())
    assert await client.models() == ModelList(names=(), default=None)


async def test_stats(server: FakeServer, client: AceStepClient) -> None:
    data = {
        "jobs": {"total": 9, "queued": 4, "running": 1, "succeeded": 3, "failed": 1},
        "queue_size": 1,
        "queue_maxsize": 200,
        "avg_job_seconds": 5.0,
    }
    server.json("GET", "/v1/stats", Shapes.wrap(data))
    assert await client.stats() == ServerStats(
        queued=4,
        running=1,
        succeeded=3,
        failed=1,
        total=9,
        queue_size=1,
        queue_maxsize=200,
        avg_job_seconds=5.0,
    )


async def test_release_task_sends_the_payload_as_json(
    server: FakeServer, client: AceStepClient
) -> None:
    task_id = "5b0c1d2e-aaaa-bbbb-cccc-0123456789ab"
    data = {
        "task_id": task_id,
        "status": "queued",
        "queue_position": 3,
    }
    server.json("POST", "/release_task", Shapes.wrap(data))
    request = GenerationRequest(caption="spa ambient", duration_s=120, bpm=70, variants=4)
    payload = build_release_payload(request, model="acestep-v15-turbo")
    submission = await client.release_task(payload)
    assert submission == Submission(task_id=task_id, queue_position=3)
    sent = server.requests[0]
    assert sent.headers["Content-Type"] == "application/json"
    assert json.loads(sent.content) == payload
    assert b'"bpm":70,' in sent.content
    assert b'"batch_size":4,' in sent.content


async def test_release_task_refuses_a_bad_payload_without_calling(
    server: FakeServer, client: AceStepClient
) -> None:
    with pytest.raises(ValueError, match="format"):
        await client.release_task({"prompt": "x", "format": "mp3"})
    assert server.requests == []


async def test_query_results_is_one_call_for_many_ids(
    server: FakeServer, client: AceStepClient
) -> None:
    reply = Shapes.wrap(
        [  # deliberately not in request order
            Shapes.entry("c", 1, Shapes.succeeded_items("c1.mp3", "c2.mp3")),
            Shapes.entry("a", 0, [Shapes.running_item()]),
            Shapes.unknown("b"),
        ]
    )
    server.json("POST", "/query_result", reply)
    states = await client.query_results(["a", "b", "c", "d", "a"])
    assert len(server.requests) == 1
    sent = server.requests[0]
    assert sent.headers["Content-Type"] == "application/json"
    assert json.loads(sent.content) == {"task_id_list": ["a", "b", "c", "d"]}
    assert [s.task_id for s in states] == ["a", "b", "c", "d"]
    assert [s.phase for s in states] == [
        TaskPhase.IN_PROGRESS,
        TaskPhase.UNKNOWN,
        TaskPhase.SUCCEEDED,
        TaskPhase.UNKNOWN,  # missing from the reply
    ]
    assert len(states[2].files) == 2


async def test_query_results_with_no_ids_does_not_call(
    server: FakeServer, client: AceStepClient
) -> None:
    assert await client.query_results([]) == []
    assert server.requests == []


async def test_format_input(server: FakeServer, client: AceStepClient) -> None:
    caption = "Warm lounge jazz with brushed drums and upright bass"
    data = {
        "caption": caption,
        "lyrics": "[Instrumental]",
        "bpm": 92,
        "key_scale": "Bb major",
        "time_signature": "4",
        "duration": 180.0,
        "vocal_language": "unknown",
    }
    server.json("POST", "/format_input", Shapes.wrap(data))
    result = await client.format_input(
        caption="lobby jazz", lyrics="[Instrumental]", duration_s=180, key_scale="Bb major"
    )
    assert result == FormattedPrompt(
        caption=caption,
        lyrics="[Instrumental]",
        bpm=92,
        key_scale="Bb major",
        time_signature="4",
        duration_s=180.0,
        language="unknown",
    )
    sent = server.requests[0]
    assert sent.headers["Content-Type"] == "application/json"
    assert json.loads(sent.content) == {
        "prompt": "lobby jazz",
        "lyrics": "[Instrumental]",
        "param_obj": {"duration": 180, "key_scale": "Bb major"},
    }


async def test_format_input_empty_answers_fall_back(
    server: FakeServer, client: AceStepClient
) -> None:
    data = {
        "caption": "",
        "lyrics": "",
        "bpm": None,
        "key_scale": "",
        "time_signature": "",
        "duration": None,
        "vocal_language": "",
    }
    server.json("POST", "/format_input", Shapes.wrap(data))
    result = await client.format_input(caption="mine", lyrics="my words")
    assert (result.caption, result.lyrics) == ("mine", "my words")
    assert (result.bpm, result.key_scale, result.time_signature) == (None, None, None)
    assert (result.duration_s, result.language) == (None, None)


async def test_format_input_refuses_float_bpm(server: FakeServer, client: AceStepClient) -> None:
    with pytest.raises(ValueError, match="bpm"):
        await client.format_input(caption="x", lyrics="", bpm=120.0)  # type: ignore[arg-type]
    assert server.requests == []


def _route_every_endpoint(server: FakeServer) -> None:
    stats = {
        "jobs": {"total": 0, "queued": 0, "running": 0, "succeeded": 0, "failed": 0},
        "queue_size": 0,
        "queue_maxsize": 200,
        "avg_job_seconds": 5.0,
    }
    formatted = {"caption": "c", "lyrics": "l", "bpm": None, "key_scale": "", "duration": None}
    server.json("GET", "/health", Shapes.wrap({"status": "ok"}))
    server.json("GET", "/v1/models", Shapes.pypi_models("acestep-v15-turbo"))
    server.json("GET", "/v1/stats", Shapes.wrap(stats))
    server.json("POST", "/release_task", Shapes.wrap({"task_id": "t1", "queue_position": 1}))
    server.json("POST", "/query_result", Shapes.wrap([Shapes.unknown("t1")]))
    server.json("POST", "/format_input", Shapes.wrap(formatted))
    server.on("GET", "/v1/audio", httpx.Response(200, content=b"ID3audio"))


async def _call_every_endpoint(client: AceStepClient, folder: Path) -> None:
    await client.health()
    await client.models()
    await client.stats()
    payload = build_release_payload(GenerationRequest(caption="c", duration_s=30), model=None)
    await client.release_task(payload)
    await client.query_results(["t1"])
    await client.format_input(caption="c", lyrics="l")
    await client.download(Shapes.audio_url("a.mp3"), folder / "a.mp3")


async def test_bearer_header_on_every_call_and_key_nowhere_else(
    server: FakeServer, client: AceStepClient, tmp_path: Path
) -> None:
    _route_every_endpoint(server)
    await _call_every_endpoint(client, tmp_path)
    assert len(server.requests) == 7
    for request in server.requests:
        assert request.headers["Authorization"] == f"Bearer {API_KEY}", request.url
        assert API_KEY not in str(request.url)
        assert API_KEY.encode() not in request.content
        assert b"ai_token" not in request.content
    assert API_KEY not in repr(client)


async def test_no_key_no_header(
    server: FakeServer, make_client: ClientMaker, tmp_path: Path
) -> None:
    _route_every_endpoint(server)
    await _call_every_endpoint(make_client(api_key=None), tmp_path)
    assert all("Authorization" not in request.headers for request in server.requests)
