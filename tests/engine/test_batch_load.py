"""Batch work under load: the priority lane, spreading over two servers, failover mid-batch."""

from domain.constants import PRIORITY_BATCH
from domain.records import JobStatus
from storage import batches as batches_repo
from storage import jobs as jobs_repo
from storage.batches import NewJob
from tests.engine.conftest import MakeRig, Rig, make_request


async def _batch(rig: Rig, jobs: int) -> list[int]:
    request = make_request().model_dump(mode="json")
    _, job_ids = await batches_repo.create_batch(
        rig.db,
        name="load",
        origin="test",
        jobs=[NewJob(request) for _ in range(jobs)],
        priority=PRIORITY_BATCH,
    )
    return job_ids


async def test_an_interactive_request_overtakes_a_500_job_batch(make_rig: MakeRig) -> None:
    rig = await make_rig(servers=1, capacity=3)
    rig.standins[0].pause_workers()
    await _batch(rig, 500)
    await rig.engine.tick()  # the server is now full of batch work
    person = await rig.enqueue(priority=0)
    assert (await rig.job(person.id)).status is JobStatus.QUEUED
    assert await jobs_repo.queued_ahead(rig.db, person) == 0  # first in line, not 498th
    rig.standins[0].resume_workers()
    for _ in range(200):
        await rig.engine.tick()
        if (await rig.job(person.id)).status.finished:
            break
    job = await rig.job(person.id)
    assert job.status is JobStatus.DONE
    # Only the batch jobs already on the server when the person asked went before them: theirs
    # was the fourth task the server was sent. (How many batch jobs finished meanwhile is up to
    # the machine's pace: a tick sends more work as soon as the server has room.)
    sent = [task.task_id for task in rig.standins[0].finished_tasks()]
    assert job.task_id in sent
    assert sent.index(job.task_id) == 3


async def test_a_batch_spreads_over_both_servers(make_rig: MakeRig) -> None:
    rig = await make_rig(servers=2, capacity=2)
    job_ids = await _batch(rig, 12)
    await rig.engine.run_until_idle()
    finished = [await rig.job(job_id) for job_id in job_ids]
    assert {job.status for job in finished} == {JobStatus.DONE}
    by_server = {
        name: sum(job.server == name for job in finished) for name in ("server0", "server1")
    }
    assert min(by_server.values()) >= 3, by_server


async def test_a_server_dying_mid_batch_loses_and_duplicates_nothing(make_rig: MakeRig) -> None:
    rig = await make_rig(servers=2, capacity=2, failover_s=60)
    job_ids = await _batch(rig, 10)
    for server in rig.standins:
        server.pause_workers()
    await rig.engine.tick()
    stranded = [j.id for j in await jobs_repo.list_jobs(rig.db) if j.server == "server0"]
    assert len(stranded) == 2
    rig.transports[0].down = True  # server0 dies with two batch tasks on it
    rig.standins[1].resume_workers()
    for _ in range(200):
        await rig.engine.tick()
        await rig.standins[1].wait_until_idle()  # its work keeps pace with the moved clock
        rig.clock.advance(30)
        if await batches_repo.settled_batches(rig.db):
            break
    for job_id in job_ids:
        job = await rig.job(job_id)
        assert job.status is JobStatus.DONE
        assert job.server == "server1"
        assert len(await rig.tracks(job_id)) == 1
    # server0 comes back and finishes its old tasks: they are ignored, nothing is stored twice.
    rig.transports[0].down = False
    rig.standins[0].resume_workers()
    await rig.standins[0].wait_until_idle()
    await rig.engine.run_until_idle()
    tally = await batches_repo.tally(rig.db, (await rig.job(job_ids[0])).batch_id or 0)
    assert (tally.tracks_made, tally.unfinished, tally.failed_jobs) == (10, 0, 0)
