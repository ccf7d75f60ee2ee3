"""Adherence per preset and model in the stats: exact shares of the judged tracks (SQLite and
PostgreSQL); tracks never analysed, or with nothing asked, are not judged."""

from domain.analysis import TrackAnalysis, adherence
from domain.stats import GroupFigures
from storage import jobs, stats
from storage.database import Database
from tests.storage.test_stats import BASE, STANDIN, TURBO, by_key, made


def analysed(bpm: float, key: str) -> TrackAnalysis:
    return TrackAnalysis(
        analyser="test", tempo_bpm=bpm, tempo_confidence=0.9, key=key, key_confidence=0.8
    )


async def judged_track(
    db: Database,
    job_id: int,
    variant: int,
    dit: str,
    measured: TrackAnalysis | None,
    *,
    bpm: float | None = None,
    key: str | None = None,
) -> None:
    result = None
    if measured is not None:
        result = adherence(
            measured, asked_bpm=bpm, asked_key=key, asked_duration_s=None, duration_s=None
        )
    await made(
        db,
        job_id,
        variant,
        dit=dit,
        placeholder=dit == STANDIN,
        analysis=measured,
        adherence=result,
    )


async def test_shares_of_tracks_within_tolerance_per_preset_and_model(db: Database) -> None:
    lobby = await jobs.create_job(db, request={"preset_id": "lobby"}, origin="slack")
    spa = await jobs.create_job(db, request={"preset_id": "spa"}, origin="slack")
    fake = await jobs.create_job(db, request={"preset_id": "spa"}, origin="cli")
    # lobby, turbo: tempo 2 of 3 (one at double time counts), key 1 of 2 (one not asked)
    await judged_track(db, lobby.id, 1, TURBO, analysed(120, "A minor"), bpm=120, key="C major")
    await judged_track(db, lobby.id, 2, TURBO, analysed(240, "E major"), bpm=120, key="C major")
    await judged_track(db, lobby.id, 3, TURBO, analysed(90, "D minor"), bpm=120)
    await judged_track(db, lobby.id, 4, TURBO, None)  # never analysed: not judged
    # spa, base: tempo 0 of 1, no key asked
    await judged_track(db, spa.id, 1, BASE, analysed(100, "C major"), bpm=60)
    # placeholder, kept apart
    await judged_track(db, fake.id, 1, STANDIN, analysed(60, "C major"), bpm=60, key="C major")

    figures = await stats.gather(db, since=None)

    presets = by_key(figures.presets)
    lobby_figures = presets[("lobby", False)]
    assert (lobby_figures.made, lobby_figures.tempo_judged, lobby_figures.tempo_obeyed) == (4, 3, 2)
    assert (lobby_figures.key_judged, lobby_figures.key_obeyed) == (2, 1)
    assert lobby_figures.key_share == 0.5
    spa_figures = presets[("spa", False)]
    assert (spa_figures.tempo_judged, spa_figures.tempo_obeyed, spa_figures.tempo_share) == (
        1,
        0,
        0.0,
    )
    assert (spa_figures.key_judged, spa_figures.key_share) == (0, None)
    models = by_key(figures.models)
    assert (models[(TURBO, False)].tempo_judged, models[(BASE, False)].tempo_judged) == (3, 1)
    assert (figures.real.tempo_judged, figures.real.tempo_obeyed) == (4, 2)
    assert (figures.real.key_judged, figures.real.key_obeyed) == (2, 1)
    standin = figures.placeholder
    assert (standin.tempo_judged, standin.tempo_obeyed, standin.key_obeyed) == (1, 1, 1)


async def test_without_analysed_tracks_nothing_is_judged(db: Database) -> None:
    job = await jobs.create_job(db, request={"preset_id": "lobby"}, origin="slack")
    await judged_track(db, job.id, 1, TURBO, None)
    figures = await stats.gather(db, since=None)
    assert figures.real == GroupFigures("all", False, made=1)
    assert figures.real.tempo_share is None
