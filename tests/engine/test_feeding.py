"""While a tick downloads and checks finished files, the servers are still polled and fed."""

import asyncio

import httpx

from domain.records import JobStatus
from tests.engine.conftest import MakeRig, Rig

WAIT_S = 30.0  # generous: how long the test waits for the engine to do what it must


class HeldDownloads(httpx.AsyncBaseTransport):
    """Holds every download (`/v1/audio`) until `release` is set; the rest passes through."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.release = asyncio.Event()
        self.held = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/audio":
            self.held += 1
            await self.release.wait()
        return await self.inner.handle_async_request(request)


async def _until(rig: Rig, job_id: int, statuses: set[JobStatus]) -> JobStatus:
    """Wait until the job has one of `statuses`; its status then (or at the deadline)."""
    deadline = asyncio.get_running_loop().time() + WAIT_S
    while (status := (await rig.job(job_id)).status) not in statuses:
        if asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.01)
    return status


async def test_a_server_gets_its_next_job_while_the_tick_is_still_downloading(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig(capacity=1, standin={"job_seconds": 0.05})
    first, second, third = [await rig.enqueue() for _ in range(3)]
    await rig.engine.tick()  # the first is sent (one at a time: capacity 1)
    await rig.standins[0].wait_until_idle()
    held = HeldDownloads(rig.transports[0].inner)
    rig.transports[0].inner = held

    tick = asyncio.create_task(rig.engine.tick())  # the first ended: the second is sent ...
    try:
        # ... and while the first's download is held, the second ends and the third is sent.
        assert await _until(rig, second.id, {JobStatus.DOWNLOADING}) is JobStatus.DOWNLOADING
        third_status = await _until(rig, third.id, {JobStatus.SUBMITTED, JobStatus.RUNNING})
        assert third_status.on_server
        assert held.held == 1  # still the first's download: the tick has not finished it
        assert not tick.done()
    finally:
        held.release.set()
    result = await tick
    assert (await rig.job(first.id)).status is JobStatus.DONE
    assert result.more_to_collect  # the second's files: the next tick fetches them at once
    await rig.engine.run_until_idle()
    assert await rig.statuses([first, second, third]) == [JobStatus.DONE] * 3
