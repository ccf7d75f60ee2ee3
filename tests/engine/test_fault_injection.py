"""Fault injection: stand-in servers that answer 429 / 4xx / 5xx / timeouts / garbage at set rates
(seeded), beside one healthy server. Every job must end DONE or FAILED with a reason, none may be
lost or stuck, the healthy server must never sit idle while work waits, and every submission a
server may have taken without us knowing is counted as a possible duplicate."""

from collections import Counter

import pytest

from bot.engine.jobs.events import JobEvent, JobEventKind
from domain.records import JobRecord, JobStatus
from storage import jobs as jobs_repo
from tests.engine.conftest import MakeRig, Rig
from tests.engine.faults import Faults, FaultyTransport


@pytest.fixture
def backend() -> str:
    """SQLite only: these tests are about HTTP faults between the engine and its servers, and the
    slowest of the engine's; the PostgreSQL runs of the other engine tests cover its storage."""
    return "sqlite"


JOBS = 24
CAPACITY = 2
TICK_S = 3.0
MAX_TICKS = 600

FLAKY = {  # every route of a badly behaved server (or the proxy in front of it)
    "/release_task": Faults(
        queue_full=0.1, server_error=0.15, timeout=0.05, lost_reply=0.1, malformed=0.05
    ),
    "/query_result": Faults(
        queue_full=0.1, client_error=0.05, server_error=0.1, timeout=0.05, malformed=0.1
    ),
    "/v1/audio": Faults(server_error=0.1, timeout=0.1, malformed=0.05),
    "/v1/stats": Faults(server_error=0.1, timeout=0.05, malformed=0.05),
}
LOSSY = {  # a server behind a link that drops replies to submissions
    "/release_task": Faults(lost_reply=0.3, timeout=0.1, client_error=0.05, client_status=404),
    "/query_result": Faults(timeout=0.1),
}


def _wrap(rig: Rig, index: int, faults: dict[str, Faults], seed: int) -> FaultyTransport:
    faulty = FaultyTransport(rig.transports[index].inner, faults, seed=seed)
    rig.transports[index].inner = faulty
    return faulty


async def _healthy_server_is_busy_or_nothing_waits(rig: Rig, server: str) -> bool:
    """After a tick: the healthy server is full, or no job could have been sent to it."""
    waiting = await jobs_repo.next_queued(rig.db, limit=1, now=rig.clock())
    return not waiting or (await jobs_repo.count_on_server(rig.db)).get(server, 0) == CAPACITY


async def _run(rig: Rig, jobs: list[JobRecord]) -> int:
    """Tick (moving the clock) until every job has finished; returns idle-while-waiting ticks."""
    idle = 0
    for _ in range(MAX_TICKS):
        await rig.step(0)
        if not await _healthy_server_is_busy_or_nothing_waits(rig, "server0"):
            idle += 1
        if await rig.all_finished(jobs):
            return idle
        rig.clock.advance(TICK_S)
    raise AssertionError(f"jobs still unfinished: {await rig.statuses(jobs)}")


async def _assert_every_job_ended_properly(rig: Rig, jobs: list[JobRecord]) -> list[JobRecord]:
    ended = [await rig.job(job.id) for job in jobs]
    assert len(await jobs_repo.list_jobs(rig.db, limit=None)) == JOBS  # nothing lost or added
    for job in ended:
        assert job.status in (JobStatus.DONE, JobStatus.FAILED), job
        if job.status is JobStatus.FAILED:
            assert job.error, job  # a reason people can read
        else:
            assert len(await rig.tracks(job.id)) == job.variants  # nothing recorded twice
        assert job.doubt_server is None
    return ended


@pytest.mark.parametrize("seed", [3, 11])
async def test_faulty_servers_beside_a_healthy_one(make_rig: MakeRig, seed: int) -> None:
    rig = await make_rig(servers=3, capacity=CAPACITY, failover_s=30, server_error_limit=10)
    flaky = _wrap(rig, 1, FLAKY, seed)
    lossy = _wrap(rig, 2, LOSSY, seed + 1)
    rig.standins[1].set_failure_rate(0.2)  # some tasks also fail on the server (status 2)
    accepted: Counter[str] = Counter()

    async def count_submissions(event: JobEvent) -> None:
        if event.kind is JobEventKind.SUBMITTED and event.job.server:
            accepted[event.job.server] += 1

    rig.engine.events.subscribe(count_submissions)
    jobs = [await rig.enqueue() for _ in range(JOBS)]
    idle_ticks = await _run(rig, jobs)
    ended = await _assert_every_job_ended_properly(rig, jobs)

    assert idle_ticks == 0  # the healthy server never waited on the others
    assert sum(job.status is JobStatus.DONE for job in ended) >= JOBS - 2
    assert flaky.injected
    assert lossy.injected

    # Tasks a server made that the engine never learnt of = replies lost after arrival.
    orphans = {
        f"server{i}": rig.standins[i].request_counts["/release_task"] - accepted[f"server{i}"]
        for i in (1, 2)
    }
    assert orphans == {
        "server1": flaky.injected["/release_task lost_reply"],
        "server2": lossy.injected["/release_task lost_reply"],
    }
    counted = sum(job.duplicate_submissions for job in ended)
    in_doubt = sum(t.count("lost_reply") + t.count("timeout") for t in (flaky, lossy))
    in_doubt += flaky.injected["/release_task malformed"]
    assert sum(orphans.values()) <= counted <= in_doubt  # every duplicate counted, bounded
    assert counted == sum(server.duplicate_submissions for server in rig.ctx.servers)


async def test_a_server_failing_every_call_never_holds_up_the_healthy_one(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig(servers=2, capacity=CAPACITY, failover_s=30)
    everything_fails = Faults(server_error=0.4, queue_full=0.2, timeout=0.2, malformed=0.2)
    routes = ("/release_task", "/query_result", "/v1/audio", "/v1/stats")
    broken = _wrap(rig, 1, dict.fromkeys(routes, everything_fails), seed=5)
    jobs = [await rig.enqueue() for _ in range(JOBS)]
    idle_ticks = await _run(rig, jobs)
    ended = await _assert_every_job_ended_properly(rig, jobs)
    assert idle_ticks == 0
    assert all(job.status is JobStatus.DONE for job in ended)
    assert all(job.failures == 0 for job in ended)
    assert {job.server for job in ended} == {"server0"}
    assert broken.injected  # it was tried (and failed) between its back-offs
