"""Queue, progress, cut-off and restart behaviour (ACESTEP_API.md §5.3, §6, §10)."""

import pytest

from standin import StandInConfig

from .conftest import MakeStandIn
from .helpers import SHORT_JOB, StandIn, is_running, items


async def test_queued_job_is_answered_by_the_store(standin: StandIn) -> None:
    standin.server.pause_workers()
    task_id = await standin.submit(**SHORT_JOB)
    entry = await standin.entry(task_id)

    assert entry["status"] == 0
    assert entry["progress_text"] == "Waiting"  # the server's log tail, not this job's progress
    (item,) = items(entry)
    assert item["stage"] == "queued"
    assert (item["metas"], item["error"], item["progress"], item["file"]) == ({}, None, 0.0, "")
    standin.server.resume_workers()
    assert (await standin.finish(task_id))["status"] == 1


async def test_queue_position_counts_waiting_jobs(standin: StandIn) -> None:
    standin.server.pause_workers()
    positions = []
    for _ in range(3):
        response = await standin.client.post("/release_task", json=SHORT_JOB)
        positions.append(response.json()["data"]["queue_position"])
        assert response.json()["data"]["status"] == "queued"

    assert positions == [1, 2, 3]
    standin.server.resume_workers()
    await standin.server.wait_until_idle()


async def test_running_job_shows_progress_and_stage(make_standin: MakeStandIn) -> None:
    standin = await make_standin(job_seconds=0.5)
    task_id = await standin.submit(**SHORT_JOB)
    entry = await standin.wait_for(task_id, is_running)

    (item,) = items(entry)
    assert 0.01 <= item["progress"] <= 0.99
    assert isinstance(item["stage"], str)
    assert item["stage"]
    assert "metas" not in item  # the cache's running shape
    assert isinstance(entry["progress_text"], str)
    assert (await standin.finish(task_id))["status"] == 1


async def test_full_queue_answers_429_and_leaves_a_phantom_record(
    make_standin: MakeStandIn,
) -> None:
    standin = await make_standin(queue_maxsize=2)
    standin.server.pause_workers()
    await standin.submit(**SHORT_JOB)
    await standin.submit(**SHORT_JOB)
    response = await standin.client.post("/release_task", json=SHORT_JOB)

    assert response.status_code == 429
    assert response.json() == {"detail": "Server busy: queue is full"}
    stats = await standin.stats()
    assert stats["jobs"] == {"total": 3, "queued": 3, "running": 0, "succeeded": 0, "failed": 0}
    assert (stats["queue_size"], stats["queue_maxsize"]) == (2, 2)
    standin.server.resume_workers()
    await standin.server.wait_until_idle()
    assert (await standin.stats())["jobs"]["queued"] == 1  # the phantom never goes away


async def test_zero_queue_maxsize_is_unbounded(make_standin: MakeStandIn) -> None:
    standin = await make_standin(queue_maxsize=0)
    standin.server.pause_workers()
    for _ in range(5):
        await standin.submit(**SHORT_JOB)

    assert (await standin.stats())["queue_size"] == 5
    standin.server.resume_workers()
    await standin.server.wait_until_idle()


async def test_avg_job_seconds_starts_at_five_then_follows_runs(make_standin: MakeStandIn) -> None:
    standin = await make_standin(job_seconds=0.05)
    assert (await standin.stats())["avg_job_seconds"] == 5.0
    await standin.run(**SHORT_JOB)

    assert 0.05 <= (await standin.stats())["avg_job_seconds"] < 5.0


async def test_unknown_ids_read_in_progress_with_empty_result(standin: StandIn) -> None:
    entries = await standin.query("no-such-task", 5)

    assert entries == [
        {"task_id": "no-such-task", "result": "[]", "status": 0},
        {"task_id": 5, "result": "[]", "status": 0},
    ]


async def test_job_past_cutoff_reads_failed_then_succeeded(make_standin: MakeStandIn) -> None:
    standin = await make_standin(job_seconds=0.5, job_cutoff_s=0.0)
    task_id = await standin.submit(**SHORT_JOB)

    late = await standin.wait_for(task_id, lambda entry: entry["status"] != 0)
    assert late["status"] == 2
    assert items(late)[0]["status"] == 0  # still running underneath
    assert "progress_text" not in late
    done = await standin.wait_for(task_id, lambda entry: entry["status"] == 1)
    assert items(done)[0]["file"]


async def test_restart_forgets_queued_jobs_and_keeps_finished_results(standin: StandIn) -> None:
    finished = await standin.submit(**SHORT_JOB)
    assert (await standin.finish(finished))["status"] == 1
    standin.server.pause_workers()
    queued = await standin.submit(**SHORT_JOB)

    standin.server.restart()

    kept = await standin.entry(finished)
    assert kept["status"] == 1
    download = await standin.client.get(items(kept)[0]["file"])
    assert download.status_code == 200
    assert await standin.entry(queued) == {"task_id": queued, "result": "[]", "status": 0}
    stats = await standin.stats()
    assert (stats["jobs"]["total"], stats["avg_job_seconds"]) == (0, 5.0)
    standin.server.resume_workers()
    assert len(await standin.run(**SHORT_JOB)) == 1  # workers run again after the restart


async def test_restart_leaves_a_running_job_stale_until_the_cutoff(
    make_standin: MakeStandIn,
) -> None:
    standin = await make_standin(job_seconds=30.0, job_cutoff_s=1.0)
    task_id = await standin.submit(**SHORT_JOB)
    await standin.wait_for(task_id, is_running)

    standin.server.restart()

    stale = await standin.entry(task_id)
    assert (stale["status"], items(stale)[0]["status"]) == (0, 0)
    late = await standin.wait_for(task_id, lambda entry: entry["status"] == 2, within_s=5.0)
    assert items(late)[0]["stage"] != "succeeded"


async def test_restart_can_forget_running_jobs(make_standin: MakeStandIn) -> None:
    standin = await make_standin(job_seconds=30.0)
    task_id = await standin.submit(**SHORT_JOB)
    await standin.wait_for(task_id, is_running)

    standin.server.restart(forget_running=True)

    assert await standin.entry(task_id) == {"task_id": task_id, "result": "[]", "status": 0}


async def test_several_workers_run_jobs_side_by_side(make_standin: MakeStandIn) -> None:
    standin = await make_standin(workers=2, job_seconds=0.4)
    first, second = await standin.submit(**SHORT_JOB), await standin.submit(**SHORT_JOB)
    await standin.wait_for(first, is_running)

    assert is_running(await standin.entry(second))
    await standin.server.wait_until_idle()


def test_config_refuses_model_names_without_the_placeholder_prefix(tmp_path: object) -> None:
    with pytest.raises(ValueError, match="acemusic-placeholder"):
        StandInConfig(audio_dir=tmp_path, models=("acestep-v15-turbo",))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="failure_rate"):
        StandInConfig(audio_dir=tmp_path, failure_rate=1.5)  # type: ignore[arg-type]


async def test_empty_api_key_turns_auth_on(make_standin: MakeStandIn) -> None:
    standin = await make_standin(api_key="")
    response = await standin.client.post("/release_task", json=SHORT_JOB)

    assert response.status_code == 401
    response = await standin.client.post(
        "/release_task", json=SHORT_JOB, headers={"Authorization": "x"}
    )
    assert response.json() == {"detail": "Invalid API key"}
