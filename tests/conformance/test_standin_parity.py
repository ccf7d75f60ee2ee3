"""The built-in stand-in's PyPI flavour against the real (PyPI) server code: the same requests,
the same replies, except where docs/acestep-notes.md says why not."""

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from standin import StandInConfig, StandInServer

from .conftest import API_KEY, MakeReal
from .realserver import RealServer

AUTH = {"Authorization": f"Bearer {API_KEY}"}
JOB = {
    "prompt": "p",
    "lyrics": "la la",
    "audio_duration": 10,
    "batch_size": 1,
    "audio_format": "wav",
    "vocal_language": "en",
}
WAIT_S = 30.0
JSON_TYPE = {"Content-Type": "application/json"}


@pytest.fixture
async def standin(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    config = StandInConfig(audio_dir=tmp_path / "standin", flavour="pypi", api_key=API_KEY, seed=3)
    server = StandInServer(config)
    await server.start()
    transport = httpx.ASGITransport(app=server.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://standin") as http:
        yield http
    await server.stop()


def reply(response: httpx.Response) -> tuple[int, Any]:
    if not response.headers.get("content-type", "").startswith("application/json"):
        return response.status_code, response.text
    body = response.json()
    if isinstance(body, dict):
        body.pop("timestamp", None)
    return response.status_code, body


async def exchanges(http: httpx.AsyncClient, missing: Path) -> list[tuple[int, Any]]:
    """Requests whose replies must be identical on both servers."""
    sent = [
        http.get("/v1/stats"),
        http.get("/v1/models"),
        http.post("/release_task", json=JOB),
        http.post("/release_task", json=JOB, headers={"Authorization": "Bearer wrong"}),
        http.post("/release_task", content=b"hello", headers=AUTH),
        http.post("/release_task", json=[1], headers=AUTH),
        http.post("/format_input", json={"prompt": "a"}),
        http.post("/query_result", json={"task_id_list": ["nope"]}, headers=AUTH),
        http.get("/v1/audio", params={"path": str(missing)}, headers=AUTH),
        http.get("/v1/audio", headers=AUTH),
        http.post("/create_random_sample", json={}, headers=AUTH),
        http.post("/release_task", content=b"{broken", headers=AUTH | JSON_TYPE),
        http.post("/release_task", content=b"{broken", headers=AUTH),
        http.post("/query_result", content=b'{"task_id_list": ["nope"]}', headers=AUTH),
        http.post("/query_result", json={"task_id_list": '["nope"]'}, headers=AUTH),
        http.post("/query_result", data={"task_id_list": '["nope"]'}, headers=AUTH),
        http.post("/release_task", json=JOB | {"ai_token": "wrong"}, headers=AUTH),
        http.get("/v1/stats", headers={"Authorization": API_KEY}),
        http.get("/v1/stats", headers={"Authorization": "bearer " + API_KEY}),
    ]
    return [reply(await request) for request in sent]


async def finished_item(http: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    """The one `/query_result` item of a finished job (file and time left out), and how its file
    is served (headers, a range request, a HEAD request)."""
    task = (await http.post("/release_task", json=body, headers=AUTH)).json()["data"]["task_id"]
    async with asyncio.timeout(WAIT_S):
        while True:
            reply = await http.post("/query_result", json={"task_id_list": [task]}, headers=AUTH)
            entry = reply.json()["data"][0]
            if entry["status"] != 0:
                break
            await asyncio.sleep(0.02)
    (item,) = json.loads(entry["result"])
    served: dict[str, Any] = {}
    if item["file"]:
        whole = await http.get(item["file"], headers=AUTH)
        part = await http.get(item["file"], headers=AUTH | {"Range": "bytes=0-9"})
        head = await http.head(item["file"], headers=AUTH)
        served = {
            "whole": (whole.status_code, whole.headers["content-type"]),
            "ranges": whole.headers.get("accept-ranges"),
            "part": (part.status_code, len(part.content), part.headers["content-range"][:10]),
            "head": head.status_code,
        }
    kept = {key: value for key, value in item.items() if key not in {"file", "create_time"}}
    return kept | {"served": served}


async def test_errors_and_fixed_replies_match(
    make_real: MakeReal, standin: httpx.AsyncClient, tmp_path: Path
) -> None:
    real = await make_real(api_key=API_KEY)
    missing = tmp_path / "nowhere" / "gone.wav"

    assert await exchanges(standin, missing) == await exchanges(real.http, missing)


async def test_an_empty_key_turns_auth_on(make_real: MakeReal, tmp_path: Path) -> None:
    real = await make_real(api_key="")
    server, http = await start_standin(tmp_path, api_key="")
    try:
        on_standin = [reply(await http.get("/v1/stats")), await locked(http)]
    finally:
        await http.aclose()
        await server.stop()
    on_real = [reply(await real.http.get("/v1/stats")), await locked(real.http)]

    assert on_standin == on_real
    assert on_real[0] == (401, {"detail": "Missing Authorization header"})
    # Only "Bearer " with nothing after it gets in; a bare empty header or ai_token does not.
    assert on_real[1] == [200, 401, 401]


async def locked(http: httpx.AsyncClient) -> list[int]:
    """Status codes for the ways a client might send an empty key."""
    tries = [
        http.get("/v1/stats", headers={"Authorization": "Bearer "}),
        http.get("/v1/stats", headers={"Authorization": ""}),
        http.post("/release_task", json=JOB | {"ai_token": ""}),
    ]
    return [(await request).status_code for request in tries]


async def test_a_finished_job_has_the_same_fields(
    real: RealServer, standin: httpx.AsyncClient
) -> None:
    on_real = await finished_item(real.http, JOB)
    on_standin = await finished_item(standin, JOB)

    assert set(on_standin) == set(on_real)
    assert set(on_standin["metas"]) == set(on_real["metas"])
    same = ("wave", "status", "env", "prompt", "lyrics", "served")
    assert {k: on_standin[k] for k in same} == {k: on_real[k] for k in same}
    assert on_standin["metas"]["duration"] == on_real["metas"]["duration"] == 10.0
    assert on_real["served"] == {
        "whole": (200, "audio/wav"),
        "ranges": "bytes",
        "part": (206, 10, "bytes 0-9/"),
        "head": 405,
    }


async def test_a_failed_job_has_the_same_fields(real: RealServer, tmp_path: Path) -> None:
    config = StandInConfig(
        audio_dir=tmp_path / "failing", flavour="pypi", api_key=API_KEY, failure_rate=1.0, seed=3
    )
    server = StandInServer(config)
    await server.start()
    transport = httpx.ASGITransport(app=server.app)
    real.calls.fail_next.append("placeholder failure")
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://standin") as http:
            on_standin = await finished_item(http, JOB)
    finally:
        await server.stop()
    on_real = await finished_item(real.http, JOB)

    assert on_standin == on_real == {"wave": "", "status": 2, "env": "development", "served": {}}


async def start_standin(
    tmp_path: Path, **overrides: Any
) -> tuple[StandInServer, httpx.AsyncClient]:
    settings: dict[str, Any] = {"flavour": "pypi", "api_key": API_KEY, "seed": 3} | overrides
    config = StandInConfig(audio_dir=tmp_path / "busy", **settings)
    server = StandInServer(config)
    await server.start()
    transport = httpx.ASGITransport(app=server.app)
    return server, httpx.AsyncClient(transport=transport, base_url="http://standin")


async def busy_replies(http: httpx.AsyncClient) -> dict[str, Any]:
    """One job running, one waiting, one refused (queue of one): what each side reports."""
    running = (await http.post("/release_task", json=JOB, headers=AUTH)).json()["data"]["task_id"]
    async with asyncio.timeout(WAIT_S):
        while True:
            stats = (await http.get("/v1/stats", headers=AUTH)).json()["data"]
            if stats["jobs"]["running"]:
                break
            await asyncio.sleep(0.01)
    waiting = reply(await http.post("/release_task", json=JOB, headers=AUTH))
    refused = reply(await http.post("/release_task", json=JOB, headers=AUTH))
    query = {"task_id_list": [running, waiting[1]["data"]["task_id"]]}
    entries = (await http.post("/query_result", json=query, headers=AUTH)).json()["data"]
    for entry in entries:
        entry.pop("task_id")
        entry["result"] = json.loads(entry["result"])
        for item in entry["result"]:
            item.pop("create_time")
    waiting[1]["data"].pop("task_id")
    stats = reply(await http.get("/v1/stats", headers=AUTH))
    return {"waiting": waiting, "refused": refused, "entries": entries, "stats": stats}


async def test_a_busy_server_reports_the_same(make_real: MakeReal, tmp_path: Path) -> None:
    # Running and waiting jobs look alike, a refused submission leaves a phantom queued record.
    real = await make_real(api_key=API_KEY, queue_maxsize=1)
    real.calls.hold()
    on_real = await busy_replies(real.http)
    real.calls.release()
    server, http = await start_standin(tmp_path, queue_maxsize=1, job_seconds=30.0)
    try:
        on_standin = await busy_replies(http)
    finally:
        await http.aclose()
        await server.stop()

    assert on_standin == on_real
    assert on_real["stats"][1]["data"]["jobs"] == {
        "total": 3,
        "queued": 2,
        "running": 1,
        "succeeded": 0,
        "failed": 0,
    }


async def test_the_pypi_build_has_no_cutoff_for_running_jobs(
    make_real: MakeReal, tmp_path: Path
) -> None:
    # Only finished jobs reach the PyPI build's result cache, so its 1 h cut-off never applies.
    real = await make_real(api_key=API_KEY)
    real.calls.hold()
    task = (await real.http.post("/release_task", json=JOB, headers=AUTH)).json()["data"]
    record = real.app.state.job_store.get(task["task_id"])
    record.created_at -= 2 * 3600  # submitted two hours ago
    server, http = await start_standin(tmp_path, job_seconds=30.0, job_cutoff_s=0.0)
    try:
        standin_task = (await http.post("/release_task", json=JOB, headers=AUTH)).json()["data"]
        query = {"task_id_list": [standin_task["task_id"]]}
        (on_standin,) = (await http.post("/query_result", json=query, headers=AUTH)).json()["data"]
    finally:
        await http.aclose()
        await server.stop()
    query = {"task_id_list": [task["task_id"]]}
    (on_real,) = (await real.http.post("/query_result", json=query, headers=AUTH)).json()["data"]

    assert on_real["status"] == on_standin["status"] == 0
