"""Slack bookkeeping on real SQLite: cards, track posts, message map, early reactions, seen keys."""

from datetime import UTC, datetime, timedelta

from domain.records import JobStatus
from storage import jobs, slack, tracks
from storage.database import Database
from tests.storage.test_tracks_and_leases import track_fields

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


async def test_seen_keys_once_forever_or_once_per_window(db: Database) -> None:
    assert await slack.claim_key(db, "event:Ev1", now=NOW, window_s=None)
    assert not await slack.claim_key(db, "event:Ev1", now=NOW + timedelta(days=1), window_s=None)
    assert await slack.claim_key(db, "click:a", now=NOW, window_s=10)
    assert not await slack.claim_key(db, "click:a", now=NOW + timedelta(seconds=5), window_s=10)
    assert await slack.claim_key(db, "click:a", now=NOW + timedelta(seconds=11), window_s=10)
    assert await slack.forget_keys_before(db, NOW + timedelta(seconds=1)) == 1


async def test_cards_are_refreshed_until_final_and_orphans_are_adopted(db: Database) -> None:
    first = await jobs.create_job(db, request={}, origin="slack", channel_id="C1")
    orphan = await jobs.create_job(db, request={}, origin="slack", channel_id="C1", thread_ts="1.0")
    await jobs.create_job(db, request={}, origin="cli")
    await slack.ensure_card(db, job_id=first.id, channel_id="C1", thread_ts=None)
    assert await slack.adopt_orphan_jobs(db) == 1
    due = await slack.cards_to_refresh(db, now=NOW)
    assert [(card.job_id, card.thread_ts) for card, _ in due] == [
        (first.id, None),
        (orphan.id, "1.0"),
    ]
    await slack.update_card(db, first.id, ts="2.0", final=True)
    assert [card.job_id for card, _ in await slack.cards_to_refresh(db, now=NOW)] == [orphan.id]
    await slack.update_card(db, orphan.id, next_attempt_at=NOW + timedelta(minutes=1))
    assert await slack.cards_to_refresh(db, now=NOW) == []


async def test_finished_tracks_get_one_post_each_in_the_cards_thread(db: Database) -> None:
    job = await jobs.create_job(db, request={}, origin="slack", channel_id="C1")
    for variant in (1, 2, 3):
        track = await tracks.add_track(db, job_id=job.id, variant=variant, **track_fields())
        if variant == 3:
            await tracks.update_track(db, track.id, rejected=True)
    await slack.ensure_card(db, job_id=job.id, channel_id="C1", thread_ts=None)
    assert await slack.queue_track_posts(db) == 0  # job not done, card not posted
    await jobs.update_job(db, job.id, status=JobStatus.DONE)
    assert await slack.queue_track_posts(db) == 0  # card not posted yet
    await slack.update_card(db, job.id, ts="5.0")
    assert await slack.queue_track_posts(db) == 2  # the rejected take is not posted
    assert await slack.queue_track_posts(db) == 0  # and never queued twice
    posts = await slack.due_track_posts(db, now=NOW, states={"pending"})
    assert [(p.state, p.thread_ts) for p in posts] == [("pending", "5.0"), ("pending", "5.0")]
    assert await slack.unresolved_posts_in(db, "C1") == 0
    await slack.update_track_post(db, posts[0].track_id, state="shared", file_id="F1")
    assert await slack.unresolved_posts_in(db, "C1") == 1


async def test_threads_map_to_their_newest_job(db: Database) -> None:
    root = await jobs.create_job(db, request={}, origin="slack", channel_id="C1")
    await slack.ensure_card(db, job_id=root.id, channel_id="C1", thread_ts=None)
    await slack.update_card(db, root.id, ts="10.0")
    follow = await jobs.create_job(db, request={}, origin="slack", channel_id="C1")
    await slack.ensure_card(db, job_id=follow.id, channel_id="C1", thread_ts="10.0")
    assert await slack.latest_job_in_thread(db, channel_id="C1", thread_ts="10.0") == follow.id
    assert await slack.latest_job_in_thread(db, channel_id="C1", thread_ts="99.0") is None
    assert await slack.latest_job_in_thread(db, channel_id="C2", thread_ts="10.0") is None


async def test_messages_and_early_reactions(db: Database) -> None:
    await slack.remember_message(db, channel_id="C1", ts="3.0", kind="card", job_id=None)
    await slack.remember_message(db, channel_id="C1", ts="3.0", kind="track")  # first one stands
    found = await slack.find_message(db, channel_id="C1", ts="3.0")
    assert found is not None
    assert found.kind == "card"
    await slack.add_pending_reaction(
        db, channel_id="C1", ts="4.0", user_id="U1", emoji="fire", added=True
    )
    await slack.add_pending_reaction(
        db, channel_id="C1", ts="4.0", user_id="U1", emoji="fire", added=False
    )
    taken = await slack.take_pending_reactions(db, channel_id="C1", ts="4.0")
    assert [r.added for r in taken] == [True, False]
    assert await slack.take_pending_reactions(db, channel_id="C1", ts="4.0") == []


async def test_a_track_post_is_claimed_by_one_serve_until_its_claim_expires(db: Database) -> None:
    job = await jobs.create_job(db, request={}, origin="slack", channel_id="C1")
    track = await tracks.add_track(db, job_id=job.id, variant=1, **track_fields())
    await slack.ensure_card(db, job_id=job.id, channel_id="C1", thread_ts=None)
    await jobs.update_job(db, job.id, status=JobStatus.DONE)
    await slack.update_card(db, job.id, ts="5.0")
    assert await slack.queue_track_posts(db) == 1
    until = NOW + timedelta(seconds=30)
    first = await slack.claim_track_post(db, track.id, holder="serve-a", now=NOW, until=until)
    assert first is not None
    assert first.state == "pending"
    assert (
        await slack.claim_track_post(db, track.id, holder="serve-b", now=NOW, until=until) is None
    )
    again = await slack.claim_track_post(db, track.id, holder="serve-a", now=NOW, until=until)
    assert again is not None  # its own claim, renewed
    await slack.update_track_post(db, track.id, state="shared", file_id="F1")
    later = until + timedelta(seconds=1)  # serve-a was killed: its claim ran out
    taken = await slack.claim_track_post(
        db, track.id, holder="serve-b", now=later, until=later + timedelta(seconds=30)
    )
    assert taken is not None
    assert (taken.state, taken.file_id) == ("shared", "F1")  # where serve-a left it
