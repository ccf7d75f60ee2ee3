"""Tracks are never recorded twice; the engine lease admits one process at a time."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from storage import jobs, tracks
from storage.database import Database
from storage.leases import acquire_lease, lease_holder, release_lease
from tests.conftest import sqlite_url


def track_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "file_path": "/tmp/a.mp3",
        "file_size": 10,
        "audio_format": "mp3",
        "server": "builtin",
        "task_id": "t1",
        "caption": "jazz",
        "lyrics": "[Instrumental]",
        "metas": {"bpm": 90},
        "request_sent": {"prompt": "jazz"},
    }
    return fields | overrides


async def test_same_variant_is_recorded_once(db: Database) -> None:
    job = await jobs.create_job(db, request={}, origin="cli")
    first = await tracks.add_track(db, job_id=job.id, variant=1, **track_fields())
    again = await tracks.add_track(db, job_id=job.id, variant=1, **track_fields(file_size=99))
    assert again.id == first.id
    assert again.file_size == 10
    assert len(await tracks.list_tracks(db, job_ids=[job.id])) == 1


async def test_racing_writers_on_two_handles_make_one_row(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "race.db")
    one, two = await Database.open(url), await Database.open(url)
    try:
        job = await jobs.create_job(one, request={}, origin="cli")
        results = await asyncio.gather(
            *(
                tracks.add_track(db, job_id=job.id, variant=1, **track_fields())
                for db in (one, two, one, two)
            )
        )
        assert len({track.id for track in results}) == 1
        assert len(await tracks.list_tracks(two, job_ids=[job.id])) == 1
    finally:
        await one.close()
        await two.close()


async def test_rejected_tracks_are_hidden_unless_asked(db: Database) -> None:
    job = await jobs.create_job(db, request={}, origin="cli")
    kept = await tracks.add_track(db, job_id=job.id, variant=1, **track_fields())
    bad = await tracks.add_track(db, job_id=job.id, variant=2, **track_fields())
    await tracks.update_track(db, bad.id, rejected=True)
    assert [t.id for t in await tracks.list_tracks(db, job_ids=[job.id])] == [kept.id]
    assert len(await tracks.list_tracks(db, job_ids=[job.id], include_rejected=True)) == 2
    assert await tracks.update_track(db, 9999, rejected=True) is None


async def test_lease_is_exclusive_until_expiry_or_holder_gone(db: Database) -> None:
    now = datetime.now(UTC)
    assert await acquire_lease(db, name="engine", holder="a", ttl_s=30, now=now)
    assert not await acquire_lease(db, name="engine", holder="b", ttl_s=30, now=now)
    assert await acquire_lease(db, name="engine", holder="a", ttl_s=30, now=now)  # renewal
    assert await lease_holder(db, name="engine", now=now) == "a"
    gone = await acquire_lease(
        db, name="engine", holder="b", ttl_s=30, now=now, holder_is_gone=lambda h: h == "a"
    )
    assert gone
    later = now + timedelta(seconds=31)
    assert await acquire_lease(db, name="engine", holder="c", ttl_s=30, now=later)
    await release_lease(db, name="engine", holder="b")  # not the holder: no effect
    assert await lease_holder(db, name="engine", now=later) == "c"
    await release_lease(db, name="engine", holder="c")
    assert await lease_holder(db, name="engine", now=later) is None
