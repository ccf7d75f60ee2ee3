"""Lost tasks: ids the server forgot, tasks far overdue, the 1 h cut-off, and bot restarts."""

import dataclasses

from bot.engine.jobs.dispatch import dispatch
from bot.engine.jobs.poll import poll
from bot.engine.jobs.runner import JobEngine
from bot.engine.jobs.servers import Server
from domain.records import JobStatus
from tests.engine.conftest import MakeRig, Rig


async def _tick_until(
    rig: Rig, job_id: int, wanted: set[JobStatus], *, step_s: float = 1, lost: int | None = None
) -> None:
    """Tick (moving the clock) until the job is in a wanted state (and lost `lost` times)."""
    for _ in range(100):
        job = await rig.job(job_id)
        if job.status in wanted and (lost is None or job.lost_count == lost):
            return
        await rig.engine.tick()
        rig.clock.advance(step_s)
    raise AssertionError(f"job {job_id} never reached {wanted} (lost={lost})")


async def test_task_forgotten_by_a_restarted_server_is_sent_again(make_rig: MakeRig) -> None:
    rig = await make_rig()
    rig.standins[0].pause_workers()
    job = await rig.enqueue()
    await rig.engine.tick()
    first_task = (await rig.job(job.id)).task_id
    rig.standins[0].restart()  # the queued task is gone; its id now reads "unknown"
    # Lost, re-queued and sent again within the same tick.
    await _tick_until(rig, job.id, {JobStatus.SUBMITTED}, lost=1)
    requeued = await rig.job(job.id)
    assert requeued.task_id != first_task
    assert any("no longer knows this task" in note for note in requeued.notes)
    rig.standins[0].resume_workers()
    await rig.engine.run_until_idle()
    done = await rig.job(job.id)
    assert done.status is JobStatus.DONE
    assert done.task_id != first_task
    assert done.submissions == 2


async def test_task_lost_twice_fails_with_the_reason(make_rig: MakeRig) -> None:
    rig = await make_rig()
    rig.standins[0].pause_workers()
    job = await rig.enqueue()
    await _tick_until(rig, job.id, {JobStatus.SUBMITTED})
    rig.standins[0].restart()
    await _tick_until(rig, job.id, {JobStatus.SUBMITTED}, lost=1)
    rig.standins[0].restart()
    await _tick_until(rig, job.id, {JobStatus.FAILED})
    failed = await rig.job(job.id)
    assert failed.status is JobStatus.FAILED
    assert failed.error is not None
    assert "lost this job twice" in failed.error


async def test_task_stuck_in_progress_far_beyond_its_time_is_sent_again(make_rig: MakeRig) -> None:
    rig = await make_rig(lost_task_grace_s=300, standin={"job_seconds": 3600})
    job = await rig.enqueue()
    await _tick_until(rig, job.id, {JobStatus.RUNNING}, step_s=0)
    rig.standins[0].restart()  # a running task keeps reading "in progress" forever (HEAD)
    await rig.engine.tick()
    assert (await rig.job(job.id)).status is JobStatus.RUNNING  # not yet overdue
    rig.standins[0].set_job_seconds(0)
    rig.clock.advance(400)  # past max(3 x expected, expected + grace)
    await rig.engine.tick()
    requeued = await rig.job(job.id)
    assert requeued.lost_count == 1
    assert any("far beyond the expected" in note for note in requeued.notes)
    await rig.engine.run_until_idle()
    assert (await rig.job(job.id)).status is JobStatus.DONE


async def test_job_past_the_servers_cutoff_is_not_taken_as_failed(make_rig: MakeRig) -> None:
    rig = await make_rig(standin={"job_cutoff_s": 0.5, "job_seconds": 2.5})
    job = await rig.enqueue()
    await rig.engine.run_until_idle()
    done = await rig.job(job.id)
    assert done.status is JobStatus.DONE
    assert done.failures == 0
    assert done.submissions == 1


def _restarted(rig: Rig) -> JobEngine:
    """A new engine on the same database and servers, as after the bot process was killed."""
    servers = [
        Server(client=s.client, capacity=s.capacity, placeholder=True) for s in rig.ctx.servers
    ]
    rig.clock.advance(31)  # the dead process's lease expires
    return JobEngine(dataclasses.replace(rig.ctx, servers=servers), holder="restarted")


async def test_restart_while_tasks_are_on_the_server_repolls_without_resubmitting(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig()
    rig.standins[0].pause_workers()
    jobs = [await rig.enqueue(variants=2) for _ in range(2)]
    await rig.engine.tick()
    assert await rig.statuses(jobs) == [JobStatus.SUBMITTED] * 2
    rig.standins[0].resume_workers()
    await _restarted(rig).run_until_idle()
    for job in jobs:
        done = await rig.job(job.id)
        assert done.status is JobStatus.DONE
        assert done.submissions == 1
        assert len(await rig.tracks(job.id)) == 2
    assert rig.transports[0].count("/release_task") == 2


async def test_restart_in_the_middle_of_downloading_records_each_file_once(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig()
    job = await rig.enqueue(variants=2)
    await dispatch(rig.ctx)
    await rig.standins[0].wait_until_idle()
    await poll(rig.ctx)  # finished on the server: now DOWNLOADING, nothing fetched yet
    assert (await rig.job(job.id)).status is JobStatus.DOWNLOADING
    transport = rig.transports[0]
    original_handle = transport.handle_async_request
    downloads = 0

    async def die_after_first_download(request):  # type: ignore[no-untyped-def]
        nonlocal downloads
        if request.url.path == "/v1/audio":
            downloads += 1
            transport.down = downloads > 1  # the "crash": the second file never arrives
        return await original_handle(request)

    transport.handle_async_request = die_after_first_download  # type: ignore[method-assign]
    await rig.engine.tick()
    half = await rig.tracks(job.id)
    assert [t.variant for t in half] == [1]
    assert (await rig.job(job.id)).status is JobStatus.DOWNLOADING
    transport.handle_async_request = original_handle  # type: ignore[method-assign]
    transport.down = False
    await _restarted(rig).run_until_idle()
    tracks = await rig.tracks(job.id)
    assert [t.variant for t in tracks] == [1, 2]
    assert tracks[0].id == half[0].id  # variant 1 was not fetched or recorded again
    assert (await rig.job(job.id)).status is JobStatus.DONE
