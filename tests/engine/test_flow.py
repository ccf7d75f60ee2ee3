"""The engine end to end against the stand-in: every variant downloaded, checked and recorded."""

import os
from pathlib import Path

import pytest

from bot.engine.jobs.events import JobEvent, JobEventKind
from domain.records import JobStatus
from standin import PLACEHOLDER_MODEL_PREFIX
from storage import jobs as jobs_repo
from tests.engine.conftest import MakeRig


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


async def test_two_jobs_each_with_two_variants_finish_with_full_provenance(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig()
    first = await rig.enqueue(variants=2, caption="hotel lobby jazz")
    second = await rig.enqueue(variants=2, audio_format="flac")
    await rig.engine.run_until_idle()

    for job_id, fmt in ((first.id, "wav"), (second.id, "flac")):
        job = await rig.job(job_id)
        assert job.status is JobStatus.DONE
        assert job.submissions == 1
        tracks = await rig.tracks(job_id)
        assert [t.variant for t in tracks] == [1, 2]
        assert tracks[0].file_path != tracks[1].file_path
        for track in tracks:
            path = Path(track.file_path)
            assert path.is_file()
            assert path.stat().st_size == track.file_size > 1000
            assert path.suffix == f".{fmt}"
            assert track.audio_format == fmt
            assert path.is_relative_to(rig.output_dir)
            assert path.stat().st_mode & 0o777 == 0o666 & ~current_umask()  # not 0600
            assert track.task_id == job.task_id
            assert track.request_sent["batch_size"] == 2
            assert track.request_sent["audio_format"] == fmt
            assert track.dit_model is not None
            assert track.dit_model.startswith(PLACEHOLDER_MODEL_PREFIX)
            assert track.placeholder
            assert track.seed
            assert track.metas["bpm"] == 100
            assert track.qc_verdict == "pass"
            assert track.duration_s is not None
            assert abs(track.duration_s - 10) < 0.1
    first_tracks = await rig.tracks(first.id)
    seeds = [track.seed for track in first_tracks]
    assert all(seed is not None and seed.isdigit() for seed in seeds)  # each take's own seed
    assert seeds[0] != seeds[1]
    names = [Path(t.file_path).name for t in first_tracks]
    assert names == [
        f"job{first.id:05d}-hotel-lobby-jazz-PLACEHOLDER-v1.wav",
        f"job{first.id:05d}-hotel-lobby-jazz-PLACEHOLDER-v2.wav",
    ]


async def test_one_poll_carries_every_in_flight_task(make_rig: MakeRig) -> None:
    rig = await make_rig(capacity=4)
    rig.standins[0].pause_workers()
    for _ in range(4):
        await rig.enqueue()
    await rig.engine.tick()  # submits all four
    await rig.engine.tick()  # polls once
    polls = rig.transports[0].bodies("/query_result")
    assert len(polls) >= 1
    assert all(len(body["task_id_list"]) == 4 for body in polls)
    rig.standins[0].resume_workers()
    await rig.engine.run_until_idle()
    assert rig.transports[0].count("/release_task") == 4
    counted = rig.ctx.servers[0].client.calls  # the client's own tally matches the wire
    for path in ("/release_task", "/query_result", "/v1/audio", "/v1/stats"):
        assert counted[path] == rig.transports[0].count(path)
    assert counted["/v1/audio"] == 4


async def test_capacity_bounds_tasks_in_flight_and_priority_goes_first(make_rig: MakeRig) -> None:
    rig = await make_rig(capacity=2)
    rig.standins[0].pause_workers()
    batch = [await rig.enqueue(priority=10) for _ in range(3)]
    urgent = await rig.enqueue(priority=0)
    await rig.engine.tick()
    on_server = await jobs_repo.count_on_server(rig.db)
    assert on_server == {"server0": 2}
    submitted = {j.id for j in await jobs_repo.list_jobs(rig.db, statuses={JobStatus.SUBMITTED})}
    assert urgent.id in submitted  # the interactive job did not wait behind the batch
    assert batch[0].id in submitted
    rig.standins[0].resume_workers()
    await rig.engine.run_until_idle()
    assert (await jobs_repo.count_by_status(rig.db)) == {JobStatus.DONE: 4}


async def test_events_tell_the_story_and_done_carries_the_tracks(make_rig: MakeRig) -> None:
    rig = await make_rig()
    seen: list[JobEvent] = []

    async def listen(event: JobEvent) -> None:
        seen.append(event)

    rig.engine.events.subscribe(listen)
    job = await rig.enqueue(variants=2)
    await rig.engine.run_until_idle()
    kinds = [event.kind for event in seen]
    assert kinds[0] is JobEventKind.QUEUED
    assert JobEventKind.SUBMITTED in kinds
    assert kinds[-1] is JobEventKind.DONE
    assert kinds.index(JobEventKind.DOWNLOADING) < kinds.index(JobEventKind.DONE)
    assert [t.variant for t in seen[-1].tracks] == [1, 2]
    assert seen[-1].job.id == job.id


async def test_a_failing_listener_does_not_stop_the_engine(make_rig: MakeRig) -> None:
    rig = await make_rig()

    async def broken(event: JobEvent) -> None:
        raise RuntimeError("listener bug")

    rig.engine.events.subscribe(broken)
    job = await rig.enqueue()
    await rig.engine.run_until_idle()
    assert (await rig.job(job.id)).status is JobStatus.DONE


@pytest.mark.parametrize("backend", ["sqlite"])  # PostgreSQL: several workers (test_workers.py)
async def test_second_engine_on_the_same_database_waits_for_the_lease(make_rig: MakeRig) -> None:
    first, second = await make_rig(), await make_rig()
    assert (await first.engine.tick()).leader
    assert not (await second.engine.tick()).leader
    await first.engine.release()
    assert (await second.engine.tick()).leader
