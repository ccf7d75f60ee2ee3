"""Ratings: one per (track, person, emoji), removable, and summed into a top list."""

from datetime import UTC, datetime, timedelta

from storage import jobs, ratings, tracks
from storage.database import Database
from tests.storage.test_tracks_and_leases import track_fields


async def test_ratings_are_unique_removable_and_ranked(db: Database) -> None:
    job = await jobs.create_job(db, request={}, origin="slack")
    one = await tracks.add_track(db, job_id=job.id, variant=1, **track_fields())
    two = await tracks.add_track(db, job_id=job.id, variant=2, **track_fields())
    assert await ratings.add_rating(db, track_id=one.id, user_id="U1", emoji="+1", score=1)
    assert not await ratings.add_rating(db, track_id=one.id, user_id="U1", emoji="+1", score=1)
    assert await ratings.add_rating(db, track_id=one.id, user_id="U2", emoji="fire", score=2)
    assert await ratings.add_rating(db, track_id=two.id, user_id="U1", emoji="five", score=5)
    best = await ratings.top_tracks(db, since=None)
    assert [(t.track.id, t.score, t.ratings) for t in best] == [(two.id, 5, 1), (one.id, 3, 2)]
    assert await ratings.remove_rating(db, track_id=two.id, user_id="U1", emoji="five")
    assert not await ratings.remove_rating(db, track_id=two.id, user_id="U1", emoji="five")
    assert [t.track.id for t in await ratings.top_tracks(db, since=None)] == [one.id]
    later = datetime.now(UTC) + timedelta(days=1)
    assert await ratings.top_tracks(db, since=later) == []
    assert len(await ratings.ratings_for(db, [one.id, two.id])) == 2
