"""A track's analysis and adherence are stored with it and read back whole (SQLite and
PostgreSQL); migration 0014 adds and removes their columns, leaving older tracks unanalysed."""

import sqlite3
from pathlib import Path

from domain.analysis import Adherence, TrackAnalysis, adherence
from storage import jobs, tracks
from storage.database import Database
from tests.storage.test_slim_tracks_migration import migrate
from tests.storage.test_stats_migration import old_rows
from tests.storage.test_tracks_and_leases import track_fields

ANALYSIS = TrackAnalysis(
    analyser="librosa 0.11.0",
    tempo_bpm=121.3,
    tempo_confidence=0.82,
    key="F# minor",
    key_confidence=0.64,
    rolloff_hz=9_250.5,
    hf_energy_ratio=0.031,
    loudness_range_lu=6.4,
)


async def test_analysis_and_adherence_are_stored_with_a_new_track(db: Database) -> None:
    job = await jobs.create_job(db, request={}, origin="cli")
    judged = adherence(
        ANALYSIS, asked_bpm=60, asked_key="A major", asked_duration_s=30, duration_s=30.2
    )
    made = await tracks.add_track(
        db,
        job_id=job.id,
        variant=1,
        **track_fields(duration_s=30.2, analysis=ANALYSIS, adherence=judged),
    )
    found = await tracks.get_track(db, made.id)
    assert found is not None
    assert found.analysis == ANALYSIS
    assert found.adherence == judged
    assert found.adherence.measured_bpm == 60.65  # folded: half of 121.3
    assert found.adherence.obeys
    assert made == found


async def test_a_track_recorded_without_analysis_reads_as_not_analysed(db: Database) -> None:
    job = await jobs.create_job(db, request={}, origin="cli")
    made = await tracks.add_track(db, job_id=job.id, variant=1, **track_fields())
    assert made.analysis is None
    assert made.adherence is None
    listed = await tracks.list_tracks(db, job_ids=[job.id])
    assert [(t.analysis, t.adherence) for t in listed] == [(None, None)]


async def test_save_analysis_sets_replaces_and_clears(db: Database) -> None:
    job = await jobs.create_job(db, request={}, origin="cli")
    made = await tracks.add_track(db, job_id=job.id, variant=1, **track_fields(duration_s=50.0))
    missed = adherence(
        ANALYSIS, asked_bpm=90, asked_key="C major", asked_duration_s=60, duration_s=50.0
    )
    saved = await tracks.save_analysis(db, made.id, ANALYSIS, missed)
    assert saved is not None
    assert saved.analysis == ANALYSIS
    assert saved.adherence == missed
    assert saved.adherence.missed == ("tempo", "key", "length")

    bare = TrackAnalysis(analyser="librosa 0.11.0")  # nothing measurable (e.g. silence)
    unjudged = Adherence(asked_bpm=90, asked_duration_s=60)
    again = await tracks.save_analysis(db, made.id, bare, unjudged)
    assert again is not None
    assert again.analysis == bare
    assert again.adherence == Adherence(
        asked_bpm=90, asked_duration_s=60, measured_duration_s=50.0
    )  # the measured length is the track's own duration

    cleared = await tracks.save_analysis(db, made.id, None, None)
    assert cleared is not None
    assert (cleared.analysis, cleared.adherence) == (None, None)
    assert await tracks.save_analysis(db, made.id + 100, ANALYSIS, missed) is None


def test_migration_adds_the_columns_and_downgrade_removes_them(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    migrate(path, "0013")
    old_rows(path)
    migrate(path, "0014")
    with sqlite3.connect(path) as raw:
        columns = {row[1] for row in raw.execute("PRAGMA table_info(tracks)")}
        kept = raw.execute("SELECT count(*), count(analyser), count(obeys) FROM tracks").fetchone()
    assert {"analyser", "measured_bpm", "measured_key", "tempo_ok", "obeys"} <= columns
    assert kept == (3, 0, 0)  # the tracks are still there, unanalysed
    migrate(path, "0013", down=True)
    with sqlite3.connect(path) as raw:
        columns = {row[1] for row in raw.execute("PRAGMA table_info(tracks)")}
        count = raw.execute("SELECT count(*) FROM tracks").fetchone()
    assert not columns & {"analyser", "measured_bpm", "hf_energy_ratio", "obeys", "key_ok"}
    assert count == (3,)
