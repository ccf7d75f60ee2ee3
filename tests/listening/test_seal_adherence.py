"""Best-of-K with adherence: a variant that obeyed the request's tempo and key is chosen before a
closer-in-length one that missed; a miss alone (QC_ADHERENCE's warning) does not disqualify."""

from pathlib import Path

from bot.engine.evaluations.seal import choose_candidate, seal_sessions
from bot.services import Services
from domain.analysis import Adherence, TrackAnalysis
from domain.evaluations import PairState
from storage import evaluations as evaluations_repo
from storage import tracks as tracks_repo
from tests.listening.test_prepare_seal import prepared_tracks

ANALYSED = TrackAnalysis(analyser="test", tempo_bpm=80.0, tempo_confidence=0.9)
OBEYS = Adherence(asked_bpm=80.0, measured_bpm=80.0, tempo_ok=True)
MISSES = Adherence(asked_bpm=80.0, measured_bpm=120.0, tempo_ok=False)
MISS_PROBLEM = "tempo off the request: asked 80 BPM, measured 120"


async def test_obeying_variant_is_chosen_before_a_closer_one_that_missed(
    services: Services, tmp_path: Path
) -> None:
    pair_id, (one, two, three) = await prepared_tracks(services, tmp_path)
    # Variant 1 is closest in length but came out at another tempo (a warning only).
    await tracks_repo.update_track(
        services.db, one, qc_verdict="warn", qc_problems=[MISS_PROBLEM], duration_s=12.4
    )
    await tracks_repo.save_analysis(services.db, one, ANALYSED, MISSES)
    await tracks_repo.update_track(services.db, two, qc_verdict="pass", duration_s=9.0)
    await tracks_repo.save_analysis(services.db, two, ANALYSED, OBEYS)
    await tracks_repo.update_track(services.db, three, qc_verdict="pass", duration_s=13.0)
    await tracks_repo.save_analysis(services.db, three, ANALYSED, OBEYS)
    await seal_sessions(services)
    sealed = await evaluations_repo.get_pair(services.db, pair_id)
    assert sealed is not None
    assert (sealed.state, sealed.track_id) == (PairState.READY, three)
    assert sealed.details["variants_passing"] == 3
    assert sealed.details["variants_obeying"] == 2


async def test_when_every_variant_missed_the_closest_still_represents_ace_step(
    services: Services, tmp_path: Path
) -> None:
    _, ids = await prepared_tracks(services, tmp_path)
    for track_id, length in zip(ids, (9.0, 12.0, 14.0), strict=True):
        await tracks_repo.update_track(
            services.db, track_id, qc_verdict="fail", qc_problems=[MISS_PROBLEM], duration_s=length
        )
        await tracks_repo.save_analysis(services.db, track_id, ANALYSED, MISSES)
    tracks = await tracks_repo.list_tracks(services.db, job_ids=None, oldest_first=True)
    chosen = choose_candidate([t for t in tracks if t.id in ids], reference_s=12.4)
    assert chosen is not None
    assert chosen.id == ids[1]


async def test_a_real_audio_problem_still_disqualifies_a_variant_that_also_missed(
    services: Services, tmp_path: Path
) -> None:
    _, ids = await prepared_tracks(services, tmp_path)
    for track_id in ids:
        await tracks_repo.update_track(
            services.db,
            track_id,
            qc_verdict="warn",
            qc_problems=["too quiet: -31.0 LUFS", MISS_PROBLEM],
        )
        await tracks_repo.save_analysis(services.db, track_id, ANALYSED, MISSES)
    tracks = await tracks_repo.list_tracks(services.db, job_ids=None)
    assert choose_candidate([t for t in tracks if t.id in ids], reference_s=12.4) is None
