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


async def test_a_persons_rating_is_their_latest_reaction(db: Database) -> None:
    job = await jobs.create_job(db, request={}, origin="slack")
    track = await tracks.add_track(db, job_id=job.id, variant=1, **track_fields())
    for emoji, score in (("+1", 1), ("fire", 2), ("star", 2), ("five", 5), ("heart", 2)):
        assert await ratings.add_rating(
            db, track_id=track.id, user_id="U1", emoji=emoji, score=score
        )
    await ratings.add_rating(db, track_id=track.id, user_id="U2", emoji="-1", score=-1)
    [best] = await ratings.top_tracks(db, since=None)
    assert (best.score, best.ratings) == (1, 2)  # U1's heart (+2) and U2's -1, not +12 - 1
    # removing the latest falls back to the person's newest reaction still on the message
    assert await ratings.remove_rating(db, track_id=track.id, user_id="U1", emoji="heart")
    [best] = await ratings.top_tracks(db, since=None)
    assert (best.score, best.ratings) == (4, 2)  # U1's five (+5), U2's -1
