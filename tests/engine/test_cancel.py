"""Cancelling: a queued job is never sent; a job on the server ends cancelled and posts nothing."""

from domain.records import JobStatus
from tests.engine.conftest import MakeRig


async def test_cancelled_queued_job_is_never_sent(make_rig: MakeRig) -> None:
    rig = await make_rig()
    job = await rig.enqueue()
    cancelled = await rig.engine.cancel(job.id)
    assert cancelled is not None
    assert cancelled.status is JobStatus.CANCELLED
    await rig.engine.run_until_idle()
    assert rig.transports[0].count("/release_task") == 0


async def test_cancelled_job_on_the_server_records_no_tracks(make_rig: MakeRig) -> None:
    rig = await make_rig()
    rig.standins[0].pause_workers()
    job = await rig.enqueue()
    await rig.engine.tick()
    cancelled = await rig.engine.cancel(job.id)
    assert cancelled is not None
    assert "may still finish" in cancelled.notes[-1]
    rig.standins[0].resume_workers()
    await rig.standins[0].wait_until_idle()
    await rig.engine.run_until_idle()
    assert (await rig.job(job.id)).status is JobStatus.CANCELLED
    assert await rig.tracks(job.id) == []
    assert rig.transports[0].count("/v1/audio") == 0


async def test_finished_or_unknown_jobs_cannot_be_cancelled(make_rig: MakeRig) -> None:
    rig = await make_rig()
    job = await rig.enqueue()
    await rig.engine.run_until_idle()
    assert await rig.engine.cancel(job.id) is None
    assert await rig.engine.cancel(9999) is None
