"""The stand-in over real HTTP: uvicorn on 127.0.0.1, port 0, in a background thread."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from standin import BackgroundStandIn, StandInConfig, serve_in_background

from .helpers import API_KEY, SHORT_JOB, StandIn, items

BEARER = {"Authorization": f"Bearer {API_KEY}"}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[BackgroundStandIn]:
    config = StandInConfig(audio_dir=tmp_path, api_key=API_KEY, seed=3)
    with serve_in_background(config) as background:
        yield background


@pytest.fixture
async def remote(served: BackgroundStandIn) -> AsyncIterator[StandIn]:
    assert served.base_url.startswith("http://127.0.0.1:")
    async with httpx.AsyncClient(base_url=served.base_url, headers=BEARER) as client:
        yield StandIn(served.server, client)


async def test_happy_path_over_http(remote: StandIn) -> None:
    found = await remote.run(prompt="lofi study", audio_duration=1, audio_format="mp3")

    assert len(found) == 2
    downloads = [await remote.client.get(item["file"]) for item in found]
    assert [d.headers["content-type"] for d in downloads] == ["audio/mpeg", "audio/mpeg"]
    assert downloads[0].content != downloads[1].content
    assert (await remote.client.head(found[0]["file"])).status_code == 405
    assert remote.server.request_counts["/release_task"] == 1


async def test_errors_over_http(remote: StandIn) -> None:
    malformed = await remote.client.post(
        "/release_task", content=b"{oops", headers={"Content-Type": "application/json"}
    )
    unauthorised = await remote.client.get("/v1/stats", headers={"Authorization": "nope"})

    assert (malformed.status_code, malformed.text) == (500, "Internal Server Error")
    assert unauthorised.json() == {"detail": "Invalid API key"}


async def test_controls_work_from_another_thread(remote: StandIn) -> None:
    remote.server.pause_workers()
    queued = await remote.submit(**SHORT_JOB)
    remote.server.restart()
    remote.server.resume_workers()

    assert await remote.entry(queued) == {"task_id": queued, "result": "[]", "status": 0}
    (item,) = await remote.run(**SHORT_JOB)
    assert item["file"]


async def test_lifespan_starts_the_workers(remote: StandIn) -> None:
    entry = await remote.finish(await remote.submit(**SHORT_JOB))

    assert entry["status"] == 1
    assert items(entry)[0]["stage"] == "succeeded"
