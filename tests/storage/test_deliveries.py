"""Catalogue titles and delivery rows: unique titles kept across exports, rows keyed by path, and
the migration that adds them going down and up again."""

import sqlite3
from pathlib import Path

from domain.catalogue import catalogue_title
from storage import deliveries, jobs, tracks
from storage.database import Database
from tests.storage.test_slim_tracks_migration import migrate
from tests.storage.test_tracks_and_leases import track_fields


async def test_a_title_is_made_once_and_a_clash_takes_the_next_letter(db: Database) -> None:
    job = await jobs.create_job(db, request={}, origin="cli")
    first = await tracks.add_track(db, job_id=job.id, variant=1, **track_fields())
    second = await tracks.add_track(db, job_id=job.id, variant=2, **track_fields(task_id="t2"))

    title = await deliveries.title_for(db, first.id, lambda n: catalogue_title("Lobby", 7, n))
    clash = await deliveries.title_for(db, second.id, lambda n: catalogue_title("Lobby", 7, n))
    again = await deliveries.title_for(db, first.id, lambda n: f"never used {n}")

    assert (title, clash, again) == ("Lobby 0007", "Lobby 0007 B", "Lobby 0007")


async def test_a_delivery_row_is_updated_in_place_by_path(db: Database) -> None:
    job = await jobs.create_job(db, request={}, origin="cli")
    track = await tracks.add_track(db, job_id=job.id, variant=1, **track_fields())
    columns = {
        "track_id": track.id,
        "format": "mp3",
        "settings_hash": "a" * 64,
        "sha256": "b" * 64,
        "size": 10,
        "integrated_lufs": -14.0,
        "true_peak_dbtp": -1.2,
        "duration_s": 3.0,
        "title": "Lobby 0001",
    }
    first = await deliveries.record_delivery(db, path="/x/lobby-0001.mp3", **columns)
    second = await deliveries.record_delivery(
        db, path="/x/lobby-0001.mp3", **(columns | {"size": 11})
    )
    assert second.id == first.id
    found = await deliveries.delivery_at(db, "/x/lobby-0001.mp3")
    assert found is not None
    assert found.size == 11
    assert await deliveries.delivery_at(db, "/elsewhere.mp3") is None


def test_the_migration_goes_down_and_up_again(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    migrate(path, "head")
    migrate(path, "0008", down=True)
    with sqlite3.connect(path) as db:
        names = {row[0] for row in db.execute("select name from sqlite_master where type='table'")}
    assert "deliveries" not in names
    assert "catalogue_titles" not in names
    migrate(path, "head")
    with sqlite3.connect(path) as db:
        names = {row[0] for row in db.execute("select name from sqlite_master where type='table'")}
    assert {"deliveries", "catalogue_titles"} <= names
