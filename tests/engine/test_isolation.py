"""One bad server affects only itself: poll errors, 5xx bursts on submit, lost submit replies."""

import httpx
import pytest

from bot.engine.jobs.dispatch import dispatch
from domain.records import JobStatus
from tests.engine.conftest import MakeRig, Rig
from tests.engine.faults import Faults, FaultyTransport


@pytest.fixture
def backend() -> str:
    """SQLite only: these tests are about HTTP faults between the engine and its servers, and the
    slowest of the engine's; the PostgreSQL runs of the other engine tests cover its storage."""
    return "sqlite"


def _inject(rig: Rig, index: int, faults: dict[str, Faults], seed: int = 1) -> FaultyTransport:
    faulty = FaultyTransport(rig.transports[index].inner, faults, seed=seed)
    rig.transports[index].inner = faulty
    return faulty


@pytest.mark.parametrize(
    "faults",
    [
        Faults(queue_full=1.0),
        Faults(client_error=1.0, client_status=400),
        Faults(client_error=1.0, client_status=404),
        Faults(server_error=1.0),
        Faults(timeout=1.0),
        Faults(malformed=1.0),
    ],
    ids=["429", "400", "404", "502", "timeout", "malformed"],
)
async def test_a_poll_error_on_one_server_does_not_stall_the_others(
    make_rig: MakeRig, faults: Faults
) -> None:
    rig = await make_rig(servers=2, capacity=1)
    first, second = await rig.enqueue(), await rig.enqueue()
    await rig.engine.tick()
    on_server = {(await rig.job(job.id)).server: job for job in (first, second)}
    assert set(on_server) == {"server0", "server1"}
    _inject(rig, 0, {"/query_result": faults})
    waiting = await rig.enqueue()
    await rig.standins[1].wait_until_idle()
    rig.clock.advance(1)
    await rig.engine.tick()  # must neither raise nor skip server1
    assert (await rig.job(on_server["server1"].id)).status is JobStatus.DONE
    moved_on = await rig.job(waiting.id)
    # Sent to server1 in this tick; it may be running or even done there already: servers are
    # polled again while a tick collects (here server1's first job).
    assert moved_on.server == "server1"
    assert moved_on.status in {JobStatus.SUBMITTED, JobStatus.RUNNING, JobStatus.DOWNLOADING}
    untouched = await rig.job(on_server["server0"].id)
    assert untouched.status is JobStatus.SUBMITTED
    assert untouched.failures == 0


async def test_a_burst_of_502_on_submit_holds_jobs_instead_of_failing_them(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig(capacity=3)
    faulty = _inject(rig, 0, {"/release_task": Faults(server_error=1.0)})
    jobs = [await rig.enqueue() for _ in range(30)]
    for _ in range(20):  # a 20 s burst
        await rig.step(1)
    assert faulty.count("server_error") > 0
    assert not rig.ctx.servers[0].healthy
    assert await rig.statuses(jobs) == [JobStatus.QUEUED] * 30
    faulty.enabled = False
    rig.clock.advance(120)
    for _ in range(100):
        await rig.step(5)
        if await rig.all_finished(jobs):
            break
    assert await rig.statuses(jobs) == [JobStatus.DONE] * 30
    assert [(await rig.job(job.id)).failures for job in jobs] == [0] * 30


async def test_a_5xx_burst_sends_the_held_jobs_to_the_other_server(make_rig: MakeRig) -> None:
    rig = await make_rig(servers=2, capacity=2)
    _inject(rig, 0, {"/release_task": Faults(server_error=1.0)})
    jobs = [await rig.enqueue() for _ in range(6)]
    for _ in range(40):
        await rig.step(2)
        if await rig.all_finished(jobs):
            break
    for job in jobs:
        done = await rig.job(job.id)
        assert (done.status, done.server, done.failures) == (JobStatus.DONE, "server1", 0)


class LostReply(httpx.AsyncBaseTransport):
    """The first /release_task times out: after the server took it (`arrived`), or before."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, arrived: bool) -> None:
        self.inner = inner
        self.arrived = arrived
        self.done = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/release_task" or self.done:
            return await self.inner.handle_async_request(request)
        self.done = True
        if self.arrived:
            await (await self.inner.handle_async_request(request)).aread()
        raise httpx.ReadTimeout("timed out", request=request)


def _paths(rig: Rig) -> list[str]:
    return [request.url.path for request in rig.transports[0].requests]


@pytest.mark.parametrize("arrived", [True, False], ids=["server-took-it", "never-arrived"])
async def test_a_timed_out_submit_is_checked_on_the_server_before_sending_again(
    make_rig: MakeRig, arrived: bool
) -> None:
    rig = await make_rig()
    rig.transports[0].inner = LostReply(rig.transports[0].inner, arrived=arrived)
    job = await rig.enqueue()
    for _ in range(30):
        await rig.step(5)
        if (await rig.job(job.id)).status.finished:
            break
    done = await rig.job(job.id)
    assert done.status is JobStatus.DONE
    paths = [p for p in _paths(rig) if p in ("/release_task", "/v1/stats")]
    first, second = [i for i, p in enumerate(paths) if p == "/release_task"]
    assert "/v1/stats" in paths[:first]  # the count before sending
    assert "/v1/stats" in paths[first:second]  # checked before sending again
    received = rig.standins[0].request_counts["/release_task"]
    assert received == (2 if arrived else 1)
    assert done.duplicate_submissions == (1 if arrived else 0)
    if arrived:
        assert any("may also be making it" in note for note in done.notes)


async def test_a_job_the_server_always_errors_on_ends_failed_with_the_reason(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig(max_attempts=2)
    _inject(rig, 0, {"/release_task": Faults(server_error=1.0)})
    job = await rig.enqueue()
    for _ in range(400):
        await dispatch(rig.ctx)
        rig.clock.advance(60)
        if (await rig.job(job.id)).status.finished:
            break
    failed = await rig.job(job.id)
    assert failed.status is JobStatus.FAILED
    assert failed.error is not None
    assert "502" in failed.error
    assert failed.failures == 0  # never counted as the job's own fault


async def test_a_lost_submission_on_a_server_that_stays_away_goes_elsewhere_counted(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig(servers=2, capacity=1, failover_s=60)
    for standin in rig.standins:
        standin.pause_workers()
    busy = await rig.enqueue()  # occupies one server, so the next job goes to the other
    await rig.engine.tick()
    good = 0 if (await rig.job(busy.id)).server == "server0" else 1
    lossy = 1 - good
    rig.transports[lossy].inner = LostReply(rig.transports[lossy].inner, arrived=True)
    job = await rig.enqueue()
    await rig.engine.tick()
    held = await rig.job(job.id)
    assert (held.status, held.doubt_server) == (JobStatus.QUEUED, f"server{lossy}")
    rig.transports[lossy].down = True  # it is gone before it can be asked
    rig.standins[good].resume_workers()
    for _ in range(40):
        await rig.engine.tick()
        await rig.standins[good].wait_until_idle()
        rig.clock.advance(10)
        if await rig.all_finished([busy, job]):
            break
    done = await rig.job(job.id)
    assert (done.status, done.server, done.duplicate_submissions) == (
        JobStatus.DONE,
        f"server{good}",
        1,
    )
    assert rig.ctx.servers[lossy].duplicate_submissions == 1
    assert any("may also be making it" in note for note in done.notes)
