"""Collecting files: audio-check regeneration, top-ups, enhancement, models, delivery copies."""

from pathlib import Path

import httpx
import numpy as np
import pytest

from audiofile.codec import encode_audio
from domain.records import JobStatus
from standin.audio.synth import SAMPLE_RATE
from tests.engine.conftest import MakeRig

SILENT_WAV = encode_audio(np.zeros((SAMPLE_RATE * 10, 2), np.float32), SAMPLE_RATE, "wav")


async def test_take_that_fails_the_audio_check_is_made_again(make_rig: MakeRig) -> None:
    rig = await make_rig(qc_max_regenerations=1)
    rig.transports[0].bad_audio.append(SILENT_WAV)
    job = await rig.enqueue()
    await rig.engine.run_until_idle()
    done = await rig.job(job.id)
    assert done.status is JobStatus.DONE
    assert done.qc_regenerations == 1
    assert done.submissions == 2
    assert any("failed the audio check" in note for note in done.notes)
    everything = await rig.tracks(job.id, include_rejected=True)
    assert [(t.variant, t.rejected, t.qc_verdict) for t in everything] == [
        (1, True, "fail"),
        (2, False, "pass"),
    ]
    assert "the whole track is silent" in everything[0].qc_problems
    assert [t.variant for t in await rig.tracks(job.id)] == [2]


async def test_take_failing_again_is_kept_and_marked(make_rig: MakeRig) -> None:
    rig = await make_rig(qc_max_regenerations=1)
    rig.transports[0].bad_audio += [SILENT_WAV, SILENT_WAV]
    job = await rig.enqueue()
    await rig.engine.run_until_idle()
    done = await rig.job(job.id)
    assert done.status is JobStatus.DONE
    kept = await rig.tracks(job.id)
    assert [(t.variant, t.qc_verdict) for t in kept] == [(2, "fail")]
    assert any("kept and marked" in note for note in done.notes)


async def test_server_making_fewer_variants_per_call_is_asked_for_the_rest(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig(standin={"max_batch": 1})
    job = await rig.enqueue(variants=3)
    await rig.engine.run_until_idle()
    done = await rig.job(job.id)
    assert done.status is JobStatus.DONE
    assert [t.variant for t in await rig.tracks(job.id)] == [1, 2, 3]
    sizes = [body["batch_size"] for body in rig.transports[0].bodies("/release_task")]
    assert sizes == [3, 2, 1]
    assert any("made 1 of 3 variants" in note for note in done.notes)


async def test_enhancement_uses_the_servers_lm(make_rig: MakeRig) -> None:
    rig = await make_rig()
    job = await rig.enqueue(enhance=True, caption="calm spa")
    await rig.engine.run_until_idle()
    done = await rig.job(job.id)
    assert done.status is JobStatus.DONE
    assert done.enhancement is not None
    assert done.enhancement["used"] is True
    sent = rig.transports[0].bodies("/release_task")[0]
    assert sent["prompt"] == done.enhancement["caption"]
    assert sent["prompt"] != "calm spa"
    assert sent["use_format"] is False
    assert rig.transports[0].bodies("/format_input")[0]["prompt"] == "calm spa"


async def test_enhancement_falls_back_to_the_users_words_when_the_lm_is_off(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig(standin={"lm_available": False})
    job = await rig.enqueue(enhance=True, caption="calm spa")
    await rig.engine.run_until_idle()
    done = await rig.job(job.id)
    assert done.status is JobStatus.DONE
    assert done.enhancement is not None
    assert done.enhancement["used"] is False
    assert rig.transports[0].bodies("/release_task")[0]["prompt"] == "calm spa"
    assert any("your own wording was used" in note for note in done.notes)


async def test_model_names_are_matched_to_the_servers_own(make_rig: MakeRig) -> None:
    rig = await make_rig()
    good = await rig.enqueue(model="base")
    bad = await rig.enqueue(model="nonexistent")
    await rig.engine.run_until_idle()
    assert (await rig.job(good.id)).status is JobStatus.DONE
    assert rig.transports[0].bodies("/release_task")[0]["model"] == "acemusic-placeholder-base"
    failed = await rig.job(bad.id)
    assert failed.status is JobStatus.FAILED
    assert failed.error is not None
    assert "acemusic-placeholder-turbo" in failed.error


async def test_missing_file_on_the_server_is_retried(make_rig: MakeRig) -> None:
    rig = await make_rig()
    original = rig.transports[0].inner
    missing = [True]

    class OneMissing(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path == "/v1/audio" and missing:
                missing.pop()
                return httpx.Response(404, json={"detail": "Audio file not found"})
            return await original.handle_async_request(request)

    rig.transports[0].inner = OneMissing()
    job = await rig.enqueue()
    for _ in range(100):
        await rig.engine.tick()
        rig.clock.advance(5)
        if (await rig.job(job.id)).status.finished:
            break
    done = await rig.job(job.id)
    assert done.status is JobStatus.DONE
    assert done.failures == 1
    assert len(await rig.tracks(job.id)) == 1


async def test_delivery_copy_is_normalised_when_a_target_is_set(make_rig: MakeRig) -> None:
    rig = await make_rig(loudness_target_lufs=-16.0)
    job = await rig.enqueue()
    await rig.engine.run_until_idle()
    [track] = await rig.tracks(job.id)
    assert track.delivery_path is not None
    assert Path(track.delivery_path).is_file()
    assert Path(track.delivery_path).name.endswith(".delivery.wav")


async def test_checks_and_delivery_copies_run_in_a_real_process_pool(make_rig: MakeRig) -> None:
    rig = await make_rig(audio_workers=2, loudness_target_lufs=-16.0)
    jobs = [await rig.enqueue(variants=2), await rig.enqueue()]
    await rig.engine.run_until_idle()
    tracks = [track for job in jobs for track in await rig.tracks(job.id)]
    assert len(tracks) == 3
    for track in tracks:
        assert track.qc is not None
        assert track.qc["verdict"] == "pass"
        assert track.qc["measurements"]["integrated_lufs"] is not None
        assert track.delivery_path is not None
        assert Path(track.delivery_path).is_file()
    assert rig.ctx.audio.workers == 2


async def test_every_track_is_recorded_with_its_analysis_and_adherence(
    make_rig: MakeRig,
) -> None:
    """The stand-in's placeholder music follows the asked tempo and key, and the engine records
    what it measured and that it obeyed; a track asked for nothing measurable is not judged."""
    rig = await make_rig()
    asked = await rig.enqueue(
        bpm=72, key_scale="Bb major", duration_s=20, variants=2, audio_format="mp3"
    )
    free = await rig.enqueue(bpm=None, key_scale=None, duration_s=12)
    await rig.engine.run_until_idle()
    made = await rig.tracks(asked.id)
    assert len(made) == 2
    for track in made:
        assert track.analysis is not None
        assert track.analysis.analyser.startswith("librosa ")
        assert track.analysis.hf_energy_ratio is not None
        assert track.adherence is not None
        assert (track.adherence.asked_bpm, track.adherence.asked_key) == (72, "Bb major")
        assert track.adherence.measured_bpm == pytest.approx(72, rel=0.04)
        assert (track.adherence.tempo_ok, track.adherence.key_ok) == (True, True)
        assert track.adherence.length_ok is True
        assert track.adherence.obeys
    [other] = await rig.tracks(free.id)
    assert other.adherence is not None
    assert (other.adherence.tempo_ok, other.adherence.key_ok) == (None, None)
    assert other.adherence.length_ok is True
    assert other.analysis is not None
    assert other.analysis.tempo_bpm is not None  # measured all the same, just not judged
