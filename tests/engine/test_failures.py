"""Every external failure has a defined outcome: 429, failed tasks, 5xx, a dead server, failover."""

import httpx

from bot.engine.jobs.dispatch import dispatch
from domain.records import JobStatus
from storage import jobs as jobs_repo
from tests.engine.conftest import MakeRig


async def test_queue_full_holds_work_without_counting_a_failure(make_rig: MakeRig) -> None:
    rig = await make_rig(capacity=5, standin={"queue_maxsize": 1})
    rig.standins[0].pause_workers()
    jobs = [await rig.enqueue() for _ in range(3)]
    await rig.engine.tick()
    assert await rig.statuses(jobs) == [JobStatus.SUBMITTED, JobStatus.QUEUED, JobStatus.QUEUED]
    server = rig.ctx.servers[0]
    assert server.full_until is not None
    assert not server.accepts_work(rig.clock())
    assert [(await rig.job(job.id)).failures for job in jobs] == [0, 0, 0]
    rig.standins[0].resume_workers()
    rig.clock.advance(10)  # past the back-off
    await rig.engine.run_until_idle()
    assert await rig.statuses(jobs) == [JobStatus.DONE] * 3


async def test_failed_task_is_retried_then_succeeds(make_rig: MakeRig) -> None:
    rig = await make_rig(standin={"failure_rate": 1.0})
    job = await rig.enqueue()
    while (await rig.job(job.id)).failures == 0:
        await rig.engine.tick()
    rig.standins[0].set_failure_rate(0.0)
    rig.clock.advance(60)  # past the retry back-off
    await rig.engine.run_until_idle()
    done = await rig.job(job.id)
    assert done.status is JobStatus.DONE
    assert done.submissions == 2
    assert any("Attempt 1 failed" in note for note in done.notes)


async def test_task_failing_every_time_fails_the_job_with_a_reason(make_rig: MakeRig) -> None:
    rig = await make_rig(standin={"failure_rate": 1.0}, max_attempts=3)
    job = await rig.enqueue()
    for _ in range(200):
        await rig.engine.tick()
        rig.clock.advance(60)
        if (await rig.job(job.id)).status.finished:
            break
    failed = await rig.job(job.id)
    assert failed.status is JobStatus.FAILED
    assert failed.failures == 3
    assert failed.submissions == 3
    assert failed.error is not None
    assert "3 tries" in failed.error
    assert "no reason" in failed.error
    assert await rig.tracks(job.id) == []


async def test_unreachable_server_keeps_jobs_queued_and_recovers(make_rig: MakeRig) -> None:
    rig = await make_rig()
    rig.transports[0].down = True
    job = await rig.enqueue()
    await rig.engine.tick()
    assert (await rig.job(job.id)).status is JobStatus.QUEUED
    server = rig.ctx.servers[0]
    assert not server.healthy
    assert "cannot reach the server" in (server.last_error or "")
    rig.transports[0].down = False
    rig.clock.advance(5)  # past the first back-off
    await rig.engine.run_until_idle()
    done = await rig.job(job.id)
    assert done.status is JobStatus.DONE
    assert done.failures == 0


async def test_server_errors_on_submit_are_retried_a_bounded_number_of_times(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig(server_error_limit=2)
    original = rig.transports[0].inner

    class Broken(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path == "/release_task":
                return httpx.Response(500, text="Internal Server Error")
            return await original.handle_async_request(request)

    rig.transports[0].inner = Broken()
    job = await rig.enqueue()
    await dispatch(rig.ctx)
    first = await rig.job(job.id)
    assert first.status is JobStatus.QUEUED
    assert first.failures == 0  # the server's trouble, not the job's: held, not counted
    assert first.server_errors == 1
    assert first.not_before is not None  # backing off
    assert not rig.ctx.servers[0].healthy
    rig.clock.advance(60)
    await dispatch(rig.ctx)
    failed = await rig.job(job.id)
    assert failed.status is JobStatus.FAILED
    assert failed.error is not None
    assert "2 times" in failed.error


async def test_rejected_request_fails_at_once(make_rig: MakeRig) -> None:
    rig = await make_rig()
    original = rig.transports[0].inner

    class Refusing(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path == "/release_task":
                return httpx.Response(415, json={"detail": "Unsupported Content-Type: text/x"})
            return await original.handle_async_request(request)

    rig.transports[0].inner = Refusing()
    job = await rig.enqueue()
    await dispatch(rig.ctx)
    failed = await rig.job(job.id)
    assert failed.status is JobStatus.FAILED
    assert failed.error is not None
    assert "refused" in failed.error


async def test_two_servers_share_the_work(make_rig: MakeRig) -> None:
    rig = await make_rig(servers=2, capacity=2)
    for server in rig.standins:
        server.pause_workers()
    for _ in range(4):
        await rig.enqueue()
    await rig.engine.tick()
    assert await jobs_repo.count_on_server(rig.db) == {"server0": 2, "server1": 2}
    for server in rig.standins:
        server.resume_workers()
    await rig.engine.run_until_idle()
    assert (await jobs_repo.count_by_status(rig.db)) == {JobStatus.DONE: 4}


async def test_dead_server_hands_its_tasks_to_the_other_without_duplicates(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig(servers=2, capacity=2, failover_s=60)
    for server in rig.standins:
        server.pause_workers()
    jobs = [await rig.enqueue() for _ in range(4)]
    await rig.engine.tick()
    on_dead = [j.id for j in await jobs_repo.list_jobs(rig.db) if j.server == "server0"]
    assert len(on_dead) == 2
    rig.transports[0].down = True
    rig.standins[1].resume_workers()
    # The healthy server finishes its own two; the dead one is polled, fails, then times out.
    for _ in range(50):
        await rig.engine.tick()
        await rig.standins[1].wait_until_idle()  # its work keeps pace with the moved clock
        rig.clock.advance(30)
        if await rig.all_finished(jobs):
            break
    for job in jobs:
        finished = await rig.job(job.id)
        assert finished.status is JobStatus.DONE
        assert finished.server == "server1"
        assert len(await rig.tracks(job.id)) == 1
    moved = [await rig.job(job_id) for job_id in on_dead]
    assert all(any("stopped answering" in note for note in job.notes) for job in moved)
    # The dead server comes back and finishes its old tasks: nothing is recorded twice.
    rig.transports[0].down = False
    rig.standins[0].resume_workers()
    await rig.standins[0].wait_until_idle()
    await rig.engine.run_until_idle()
    for job in jobs:
        assert len(await rig.tracks(job.id)) == 1
