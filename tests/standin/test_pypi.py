"""The PyPI flavour: the older build's wire differences (ACESTEP_API.md §11)."""

import io
import urllib.parse
from pathlib import Path

import pytest
import soundfile as sf

from .conftest import MakeStandIn
from .helpers import API_KEY, SHORT_JOB, StandIn, items

BEARER = {"Authorization": f"Bearer {API_KEY}"}
BASE_KEYS = {"file", "wave", "status", "create_time", "env"}


@pytest.fixture
async def pypi(make_standin: MakeStandIn) -> StandIn:
    return await make_standin(flavour="pypi")


async def test_models_are_wrapped_and_need_the_header(make_standin: MakeStandIn) -> None:
    standin = await make_standin(flavour="pypi", api_key=API_KEY)
    bare = await standin.client.get("/v1/models")
    body = (await standin.client.get("/v1/models", headers=BEARER)).json()

    assert bare.status_code == 401
    assert body["data"] == {
        "models": [
            {"name": "acemusic-placeholder-turbo", "is_default": True},
            {"name": "acemusic-placeholder-base", "is_default": False},
        ],
        "default_model": "acemusic-placeholder-turbo",
    }


async def test_results_have_no_progress_fields(pypi: StandIn) -> None:
    entry = await pypi.finish(await pypi.submit(**SHORT_JOB))

    assert "progress_text" not in entry
    (item,) = items(entry)
    assert not {"progress", "stage"} & set(item)
    assert item["file"]


async def test_queued_and_running_jobs_look_alike(make_standin: MakeStandIn) -> None:
    standin = await make_standin(flavour="pypi", job_seconds=0.4)
    standin.server.pause_workers()
    task_id = await standin.submit(**SHORT_JOB)
    queued = items(await standin.entry(task_id))
    standin.server.resume_workers()
    await standin.wait_running()
    running = items(await standin.entry(task_id))

    assert running == queued
    assert set(queued[0]) == BASE_KEYS | {"prompt", "lyrics", "metas"}
    assert queued[0]["metas"] == {}
    await standin.server.wait_until_idle()


async def test_failed_jobs_have_only_the_base_fields(make_standin: MakeStandIn) -> None:
    standin = await make_standin(flavour="pypi", failure_rate=1.0)
    entry = await standin.finish(await standin.submit(**SHORT_JOB))

    assert entry["status"] == 2
    assert set(items(entry)[0]) == BASE_KEYS


async def test_form_bodies_work(pypi: StandIn) -> None:
    form = {"prompt": "jazz", "audio_duration": "1", "audio_format": "wav", "batch_size": "1"}
    urlencoded = await pypi.client.post("/release_task", data=form)
    multipart = await pypi.client.post(
        "/release_task", data=form, files={"ref_audio": ("r.wav", b"RIFF")}
    )
    sniffed = await pypi.client.post("/release_task", content=urllib.parse.urlencode(form))

    for response in (urlencoded, multipart, sniffed):
        assert response.status_code == 200, response.text
        (item,) = items(await pypi.finish(response.json()["data"]["task_id"]))
        assert (item["prompt"], item["metas"]["duration"]) == ("jazz", 1.0)


async def test_no_gpu_tier_clamping(make_standin: MakeStandIn) -> None:
    standin = await make_standin(flavour="pypi", max_duration_s=0.5, max_batch=1)
    found = await standin.run(**{**SHORT_JOB, "batch_size": 2})

    assert len(found) == 2
    content = (await standin.client.get(found[0]["file"])).content
    assert sf.info(io.BytesIO(content)).duration == pytest.approx(1.0)


async def test_missing_audio_detail_names_the_path(pypi: StandIn) -> None:
    path = pypi.server.config.audio_dir.resolve() / "api_audio" / "gone.mp3"
    response = await pypi.client.get(f"/v1/audio?path={urllib.parse.quote(str(path), safe='')}")

    assert response.json() == {"detail": f"Audio file not found: {path}"}


async def test_lm_backend_mlx_is_refused(pypi: StandIn) -> None:
    response = await pypi.client.post("/release_task", json={**SHORT_JOB, "lm_backend": "mlx"})

    assert (response.status_code, response.text) == (500, "Internal Server Error")


async def test_format_input_without_lm_is_500(make_standin: MakeStandIn) -> None:
    standin = await make_standin(flavour="pypi", lm_available=False)
    response = await standin.client.post("/format_input", json={"prompt": "jazz"})

    assert response.status_code == 500


async def test_restart_forgets_running_jobs(make_standin: MakeStandIn) -> None:
    standin = await make_standin(flavour="pypi", job_seconds=30.0)
    task_id = await standin.submit(**SHORT_JOB)
    await standin.wait_running()

    standin.server.restart()

    assert await standin.entry(task_id) == {"task_id": task_id, "result": "[]", "status": 0}


async def test_a_missing_file_anywhere_is_404_with_its_path(pypi: StandIn, tmp_path: Path) -> None:
    # The real PyPI server checks existence only (docs/acestep-notes.md); existing files outside
    # the audio folder are still refused by the stand-in (tests/standin/test_audio.py).
    gone = tmp_path / "elsewhere" / "gone.wav"
    query = urllib.parse.quote(str(gone), safe="")
    response = await pypi.client.get(f"/v1/audio?path={query}")
    secret = tmp_path / "secret.wav"
    secret.write_bytes(b"RIFF")
    outside = await pypi.client.get(f"/v1/audio?path={urllib.parse.quote(str(secret), safe='')}")

    assert (response.status_code, response.json()) == (
        404,
        {"detail": f"Audio file not found: {gone}"},
    )
    assert outside.status_code == 403
