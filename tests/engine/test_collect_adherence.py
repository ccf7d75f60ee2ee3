"""QC_ADHERENCE in the engine: a take that came out at another tempo is warned about, or made
again (strict) like any take that fails the audio check.

The measuring itself belongs to the analysis step (`bot.engine.audio.analysis`); here the
track's adherence is set on the fields collect records, so these tests hold whatever measures.
"""

from typing import Any

import pytest

from bot.engine.jobs import collect
from domain.analysis import TrackAnalysis, adherence
from domain.records import JobStatus, NewTrack
from tests.engine.conftest import MakeRig

OFF_TEMPO = TrackAnalysis(analyser="test", tempo_bpm=150.0, tempo_confidence=0.9)  # asked 100
ON_TEMPO = TrackAnalysis(analyser="test", tempo_bpm=101.0, tempo_confidence=0.9)


@pytest.fixture
def measured(monkeypatch: pytest.MonkeyPatch) -> list[TrackAnalysis]:
    """Analyses handed out to the recorded takes in turn (the last one repeats)."""
    queue: list[TrackAnalysis] = []
    original = collect._provenance

    def with_analysis(*args: Any, **kwargs: Any) -> NewTrack:
        fields = original(*args, **kwargs)
        analysis = queue.pop(0) if len(queue) > 1 else queue[0]
        request = args[0].generation
        judged = adherence(
            analysis,
            asked_bpm=request.bpm,
            asked_key=request.key_scale,
            asked_duration_s=request.duration_s,
            duration_s=fields.get("duration_s"),
        )
        return {**fields, "analysis": analysis, "adherence": judged}

    monkeypatch.setattr(collect, "_provenance", with_analysis)
    return queue


async def test_warn_marks_the_miss_and_keeps_the_take(
    make_rig: MakeRig, measured: list[TrackAnalysis]
) -> None:
    measured.append(OFF_TEMPO)
    rig = await make_rig(qc_adherence="warn")
    job = await rig.enqueue()
    await rig.engine.run_until_idle()
    done = await rig.job(job.id)
    assert (done.status, done.qc_regenerations) == (JobStatus.DONE, 0)
    [track] = await rig.tracks(job.id)
    assert track.qc_verdict == "warn"
    assert "tempo off the request: asked 100 BPM, measured 150" in track.qc_problems
    assert track.qc is not None
    assert track.qc["verdict"] == "warn"
    assert track.adherence is not None
    assert track.adherence.tempo_ok is False


async def test_strict_makes_a_missed_take_again(
    make_rig: MakeRig, measured: list[TrackAnalysis]
) -> None:
    measured += [OFF_TEMPO, ON_TEMPO]
    rig = await make_rig(qc_adherence="strict", qc_max_regenerations=1)
    job = await rig.enqueue()
    await rig.engine.run_until_idle()
    done = await rig.job(job.id)
    assert (done.status, done.qc_regenerations, done.submissions) == (JobStatus.DONE, 1, 2)
    everything = await rig.tracks(job.id, include_rejected=True)
    assert [(t.variant, t.rejected, t.qc_verdict) for t in everything] == [
        (1, True, "fail"),
        (2, False, "pass"),
    ]


async def test_strict_keeps_the_last_miss_once_the_regenerations_are_used(
    make_rig: MakeRig, measured: list[TrackAnalysis]
) -> None:
    measured.append(OFF_TEMPO)
    rig = await make_rig(qc_adherence="strict", qc_max_regenerations=1)
    job = await rig.enqueue()
    await rig.engine.run_until_idle()
    done = await rig.job(job.id)
    assert (done.status, done.qc_regenerations) == (JobStatus.DONE, 1)
    kept = await rig.tracks(job.id)
    assert [(t.variant, t.qc_verdict) for t in kept] == [(2, "fail")]
    assert any("kept and marked" in note for note in done.notes)


async def test_off_ignores_the_miss(make_rig: MakeRig, measured: list[TrackAnalysis]) -> None:
    measured.append(OFF_TEMPO)
    rig = await make_rig(qc_adherence="off")
    job = await rig.enqueue()
    await rig.engine.run_until_idle()
    [track] = await rig.tracks(job.id)
    assert (track.qc_verdict, track.qc_problems) == ("pass", [])
    assert track.adherence is not None
    assert track.adherence.tempo_ok is False
