"""Our ACE-Step client against the real server code (model replaced: see realserver.py).

Submit, poll, download, stats, models, health and /format_input, with the bodies our client
really builds (`build_release_payload`), and the error paths a deployment meets (wrong key, full
queue, failed job, unknown task).
"""

import asyncio
from pathlib import Path

import pytest

from audiofile.codec import probe_audio
from bot.engine.acestep import (
    AceStepAuthError,
    AceStepClient,
    AceStepFileMissing,
    AceStepQueueFull,
    TaskPhase,
    TaskState,
    build_release_payload,
)
from bot.engine.acestep.wire import check_release_payload
from domain.request import GenerationRequest

from .conftest import API_KEY, MakeReal
from .realserver import DIT_MODEL, FORMATTED_PREFIX, LM_MODEL, RealServer

WAIT_S = 30.0  # a bound for the server's worker thread, not a speed assertion


def make_request(**overrides: object) -> GenerationRequest:
    fields: dict[str, object] = {
        "caption": "conformance jazz, piano",
        "duration_s": 10,
        "variants": 2,
        "audio_format": "wav",
        "bpm": 100,
        "key_scale": "C major",
        "time_signature": "4",
    }
    return GenerationRequest.model_validate(fields | overrides)


async def finish(client: AceStepClient, task_id: str) -> TaskState:
    """Poll until the task leaves IN_PROGRESS (bounded by WAIT_S)."""
    async with asyncio.timeout(WAIT_S):
        while True:
            (state,) = await client.query_results([task_id])
            if state.phase is not TaskPhase.IN_PROGRESS:
                return state
            await asyncio.sleep(0.02)


async def test_health_is_wrapped_and_open(real: RealServer) -> None:
    client = AceStepClient(real.http, name="real-acestep")  # no key: /health needs none

    assert await client.health() == {"status": "ok", "service": "ACE-Step API", "version": "1.0"}


async def test_models_list_the_configured_dit(client: AceStepClient) -> None:
    models = await client.models()

    assert models.names == (DIT_MODEL,)
    assert models.default == DIT_MODEL


async def test_submit_poll_download(
    client: AceStepClient, real: RealServer, tmp_path: Path
) -> None:
    payload = build_release_payload(make_request(), model=None)
    submission = await client.release_task(payload)
    state = await finish(client, submission.task_id)

    assert submission.queue_position == 1
    assert state.phase is TaskPhase.SUCCEEDED
    assert len(state.files) == 2
    first = state.files[0]
    assert first.file.startswith("/v1/audio?path=")
    assert first.dit_model == DIT_MODEL
    assert first.lm_model == LM_MODEL
    assert first.metas["bpm"] == 100
    assert first.metas["keyscale"] == "C major"
    assert first.metas["duration"] == 10
    assert first.prompt == "conformance jazz, piano"
    downloaded = await client.download(first.file, tmp_path / "take1.wav")
    info = probe_audio(downloaded.path)
    assert downloaded.content_type == "audio/wav"
    assert info.format == "wav"
    assert info.duration_s == pytest.approx(10.0, abs=0.01)
    (params, config) = real.calls.generations[0]
    assert (params.bpm, params.keyscale, params.timesignature) == (100, "C major", "4")
    assert (config.batch_size, config.audio_format) == (2, "wav")


async def test_the_server_reads_every_field_the_client_sends(
    client: AceStepClient, real: RealServer
) -> None:
    request = make_request(
        variants=1, seed=1234, inference_steps=16, guidance_scale=5.5, audio_format="mp3"
    )
    submission = await client.release_task(build_release_payload(request, model=DIT_MODEL))
    state = await finish(client, submission.task_id)

    assert state.phase is TaskPhase.SUCCEEDED
    (params, config) = real.calls.generations[0]
    assert params.caption == "conformance jazz, piano"
    assert params.duration == 10
    assert (params.inference_steps, params.guidance_scale, params.seed) == (16, 5.5, 1234)
    assert params.task_type == "text2music"
    assert params.thinking is False
    assert (config.batch_size, config.audio_format, config.use_random_seed) == (1, "mp3", False)


async def test_instrumental_requests_reach_the_model_as_instrumental(
    client: AceStepClient, real: RealServer
) -> None:
    request = make_request(variants=1, instrumental=True)
    await finish(
        client, (await client.release_task(build_release_payload(request, model=None))).task_id
    )

    (params, _) = real.calls.generations[0]
    assert params.instrumental is True
    assert params.vocal_language == "unknown"


async def test_stats_count_the_jobs(client: AceStepClient) -> None:
    payload = build_release_payload(make_request(variants=1), model=None)
    await finish(client, (await client.release_task(payload)).task_id)
    stats = await client.stats()

    assert (stats.total, stats.succeeded, stats.failed, stats.queued) == (1, 1, 0, 0)
    assert stats.queue_size == 0
    assert stats.queue_maxsize == 200
    assert stats.avg_job_seconds >= 0


async def test_format_input_returns_the_lm_rewrite(client: AceStepClient, real: RealServer) -> None:
    formatted = await client.format_input(
        caption="sad piano", lyrics="[verse]\nrain", duration_s=30, bpm=70, key_scale="D minor"
    )

    assert formatted.caption == FORMATTED_PREFIX + "sad piano"
    assert formatted.lyrics == "[verse]\nrain"
    assert (formatted.bpm, formatted.key_scale, formatted.duration_s) == (70, "D minor", 30)
    assert real.calls.formats == [
        {
            "caption": "sad piano",
            "lyrics": "[verse]\nrain",
            "bpm": 70,
            "duration": 30,
            "keyscale": "D minor",
        }
    ]


async def test_a_failed_generation_polls_as_failed(client: AceStepClient, real: RealServer) -> None:
    real.calls.fail_next.append("placeholder failure: CUDA out of memory")
    payload = build_release_payload(make_request(variants=1), model=None)
    state = await finish(client, (await client.release_task(payload)).task_id)

    assert state.phase is TaskPhase.FAILED
    assert state.files == []


async def test_an_unknown_task_is_unknown(client: AceStepClient) -> None:
    (state,) = await client.query_results(["00000000-0000-0000-0000-000000000000"])

    assert state.phase is TaskPhase.UNKNOWN


async def test_a_wrong_key_is_an_auth_error(real: RealServer) -> None:
    wrong = AceStepClient(real.http, name="real-acestep", api_key="not-the-key")
    payload = build_release_payload(make_request(variants=1), model=None)

    with pytest.raises(AceStepAuthError):
        await wrong.release_task(payload)
    with pytest.raises(AceStepAuthError):
        await wrong.stats()


async def test_a_missing_file_is_file_missing(
    client: AceStepClient, real: RealServer, tmp_path: Path
) -> None:
    missing = real.audio_dir / "gone.wav"

    with pytest.raises(AceStepFileMissing):
        await client.download(f"/v1/audio?path={missing}", tmp_path / "x.wav")


async def test_a_full_queue_is_queue_full(make_real: MakeReal) -> None:
    real = await make_real(api_key=API_KEY, queue_maxsize=1)
    client = AceStepClient(real.http, name="real-acestep", api_key=API_KEY)
    payload = build_release_payload(make_request(variants=1), model=None)
    real.calls.hold()
    running = await client.release_task(payload)
    async with asyncio.timeout(WAIT_S):  # the worker has taken the first job off the queue
        while True:
            if (await client.stats()).running:
                break
            await asyncio.sleep(0.01)
    waiting = await client.release_task(payload)

    with pytest.raises(AceStepQueueFull):
        await client.release_task(payload)
    real.calls.release()
    assert [s.phase for s in [await finish(client, running.task_id)]] == [TaskPhase.SUCCEEDED]
    assert (await finish(client, waiting.task_id)).phase is TaskPhase.SUCCEEDED


async def test_the_server_drops_integer_fields_sent_as_floats(real: RealServer) -> None:
    # Why `check_release_payload` refuses floats for integer fields (ACESTEP_API.md §4).
    body = {"prompt": "p", "audio_duration": 10, "bpm": 120.0, "batch_size": 1.0}
    auth = {"Authorization": f"Bearer {API_KEY}"}
    task = (await real.http.post("/release_task", json=body, headers=auth)).json()["data"]
    client = AceStepClient(real.http, name="real-acestep", api_key=API_KEY)
    await finish(client, task["task_id"])

    (params, config) = real.calls.generations[0]
    assert params.bpm is None
    assert config.batch_size == 2  # the server's default, not the 1 asked for
    with pytest.raises(ValueError, match="bpm"):
        check_release_payload(build_release_payload(make_request(), model=None) | {"bpm": 120.0})
