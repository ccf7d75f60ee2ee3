"""Plain-httpx helpers for driving the stand-in in tests (no project client involved).

Imported by the tests with `from .helpers import ...`. Polling loops are bounded in time and sleep
a few milliseconds between polls.
"""

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

import httpx

from standin import StandInServer

API_KEY: Final = "sekret-key"
POLL_S: Final = 0.01
WAIT_S: Final = 10.0
# One 1-second WAV track: the cheapest job to render.
SHORT_JOB: Final[dict[str, Any]] = {
    "prompt": "hotel lobby jazz",
    "audio_duration": 1,
    "audio_format": "wav",
    "batch_size": 1,
}

Entry = dict[str, Any]


@dataclass
class StandIn:
    """A stand-in server and an httpx client pointed at it."""

    server: StandInServer
    client: httpx.AsyncClient
    headers: dict[str, str] = field(default_factory=dict)

    async def submit(self, **body: Any) -> str:
        """POST /release_task as JSON; the task id (asserts success)."""
        response = await self.client.post("/release_task", json=body, headers=self.headers)
        assert response.status_code == 200, response.text
        task_id: str = response.json()["data"]["task_id"]
        return task_id

    async def query(self, *task_ids: object) -> list[Entry]:
        """POST /query_result as JSON; the data list."""
        response = await self.client.post(
            "/query_result", json={"task_id_list": list(task_ids)}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        data: list[Entry] = response.json()["data"]
        return data

    async def entry(self, task_id: str) -> Entry:
        """The one /query_result entry of a task."""
        (entry,) = await self.query(task_id)
        return entry

    async def wait_for(
        self, task_id: str, accept: Callable[[Entry], bool], within_s: float = WAIT_S
    ) -> Entry:
        """Poll until `accept(entry)`; fails the test after `within_s` seconds."""
        deadline = time.monotonic() + within_s
        while True:
            entry = await self.entry(task_id)
            if accept(entry):
                return entry
            assert time.monotonic() < deadline, f"gave up waiting; last entry: {entry}"
            await asyncio.sleep(POLL_S)

    async def finish(self, task_id: str) -> Entry:
        """Poll until the task is done (status 1 or 2)."""
        return await self.wait_for(task_id, lambda entry: entry["status"] in (1, 2))

    async def run(self, **body: Any) -> list[Entry]:
        """Submit, wait for success, and return the decoded result items."""
        entry = await self.finish(await self.submit(**body))
        assert entry["status"] == 1, entry
        return items(entry)

    async def wait_running(self, count: int = 1, within_s: float = WAIT_S) -> None:
        """Poll /v1/stats until `count` jobs are running (works in both flavours)."""
        deadline = time.monotonic() + within_s
        while (await self.stats())["jobs"]["running"] < count:
            assert time.monotonic() < deadline, "no job started running"
            await asyncio.sleep(POLL_S)

    async def stats(self) -> dict[str, Any]:
        """GET /v1/stats data."""
        response = await self.client.get("/v1/stats", headers=self.headers)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        return data


def items(entry: Entry) -> list[Entry]:
    """The decoded `result` of a /query_result entry (it is a JSON *string*)."""
    assert isinstance(entry["result"], str)
    decoded: list[Entry] = json.loads(entry["result"])
    return decoded


def is_running(entry: Entry) -> bool:
    """A task the cache reports as running (HEAD): an item with a stage other than queued."""
    found = items(entry)
    return bool(found) and found[0].get("status") == 0 and found[0].get("stage") != "queued"
