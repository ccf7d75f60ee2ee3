"""The publisher after a crash: an upload that reached Slack is not repeated; one that did not is.

Driven directly (no background loops), against the fake Slack and real SQLite.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import httpx
import numpy as np
import pytest

from audiofile.codec import write_audio
from bot.adapters.slack import serve
from bot.adapters.slack.access import AccessPolicy
from bot.adapters.slack.context import SlackBot
from bot.adapters.slack.publisher import MAX_POST_ATTEMPTS, Publisher
from bot.adapters.slack.uploads import SlackFiles
from bot.engine.jobs.events import JobEvent, JobEventKind
from bot.services import Services, open_services
from domain.records import JobRecord, JobStatus
from storage import batches as batches_repo
from storage import jobs as jobs_repo
from storage import slack as slack_repo
from storage import slack_digests as digests_repo
from storage import tracks as tracks_repo
from storage.batches import NewJob
from storage.database import Database
from tests.conftest import make_settings
from tests.fakeslack import CHANNEL_ID, FakeSlack
from tests.storage.test_tracks_and_leases import track_fields


@dataclass
class Rig:
    fake: FakeSlack
    services: Services
    publisher: Publisher
    files: SlackFiles
    track_id: int
    card_ts: str


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    async with FakeSlack(share_delay=0.01) as fake, httpx.AsyncClient() as http:
        settings = make_settings(tmp_path)
        async with open_services(settings) as services:
            client = fake.web_client()
            bot = SlackBot(
                services, client, AccessPolicy(frozenset(), frozenset(), frozenset(), 0), {}
            )
            files = SlackFiles(client, http)
            bot.publisher = Publisher(bot, files, update_every_s=0, updates_per_minute=100)
            track_id, card_ts = await _finished_slack_job(services, fake, tmp_path)
            yield Rig(fake, services, bot.publisher, files, track_id, card_ts)


async def _finished_slack_job(
    services: Services, fake: FakeSlack, tmp_path: Path
) -> tuple[int, str]:
    audio = tmp_path / "take.mp3"
    write_audio(np.zeros((48_000, 2), np.float32) + 0.1, 48_000, audio, "mp3")
    job = await jobs_repo.create_job(
        services.db,
        request={"caption": "jazz", "duration_s": 10, "variants": 1},
        origin="slack",
        channel_id=CHANNEL_ID,
    )
    track = await tracks_repo.add_track(
        services.db,
        job_id=job.id,
        variant=1,
        **(track_fields(file_path=str(audio), file_size=audio.stat().st_size)),
    )
    await jobs_repo.update_job(services.db, job.id, status=JobStatus.DONE)
    card = await fake.web_client().chat_postMessage(channel=CHANNEL_ID, text="card")
    await slack_repo.ensure_card(services.db, job_id=job.id, channel_id=CHANNEL_ID, thread_ts=None)
    await slack_repo.update_card(services.db, job.id, ts=card["ts"], final=False)
    assert await slack_repo.queue_track_posts(services.db) == 1
    return track.id, str(card["ts"])


async def _publish_until_resolved(rig: Rig) -> None:
    for _ in range(200):
        await rig.publisher.run_once()
        [post] = await slack_repo.posts_for_job(rig.services.db, 1)
        if post.state == "resolved":
            return
        await asyncio.sleep(0.02)  # Slack shares files a moment after completion (share_delay)
    raise AssertionError("the track was never posted")


async def test_an_upload_shared_before_the_crash_is_not_uploaded_again(rig: Rig) -> None:
    # Before the crash: steps 1-3 reached Slack, but only step 1 was recorded.
    ticket = await rig.files.begin(filename="take.mp3", length=3)
    await rig.files.send(ticket, b"abc")
    await rig.files.share(
        file_id=ticket.file_id, title="t", channel_id=CHANNEL_ID, thread_ts=rig.card_ts, comment="c"
    )
    await slack_repo.update_track_post(
        rig.services.db, rig.track_id, state="uploading", file_id=ticket.file_id
    )
    await rig.fake.wait_until(lambda: rig.fake.workspace.files_in(CHANNEL_ID, rig.card_ts) or None)
    await _publish_until_resolved(rig)
    assert (
        len(rig.fake.calls_to("files.getUploadURLExternal")) == 1
    )  # only the one before the crash
    assert len(rig.fake.workspace.files_in(CHANNEL_ID, rig.card_ts)) == 1


async def test_an_upload_that_never_completed_is_made_again_once(rig: Rig) -> None:
    ticket = await rig.files.begin(filename="take.mp3", length=3)  # died right after step 1
    await slack_repo.update_track_post(
        rig.services.db, rig.track_id, state="uploading", file_id=ticket.file_id
    )
    await _publish_until_resolved(rig)
    assert len(rig.fake.calls_to("files.getUploadURLExternal")) == 2
    [shared] = rig.fake.workspace.files_in(CHANNEL_ID, rig.card_ts)
    assert shared.id != ticket.file_id
    [post] = await slack_repo.posts_for_job(rig.services.db, 1)
    assert post.file_id == shared.id
    assert post.message_ts == shared.shares[0].ts


async def test_a_track_slack_refused_eight_times_is_shown_as_failed_on_the_card(
    rig: Rig, tmp_path: Path
) -> None:
    db = rig.services.db
    await slack_repo.update_card(db, 1, final=False)
    await slack_repo.update_track_post(db, rig.track_id, attempts=MAX_POST_ATTEMPTS - 1)
    rig.fake.fail_next("files.getUploadURLExternal", "invalid_auth")  # the 8th try fails too
    await rig.publisher.run_once()
    [post] = await slack_repo.posts_for_job(db, 1)
    assert post.state == "failed"
    await rig.publisher.refresh_card(1)
    card = rig.fake.workspace.message(CHANNEL_ID, rig.card_ts)
    shown = str(card.blocks) + card.text
    assert "1 track(s) in the thread" not in shown  # it is not there
    assert "0 track(s) in the thread, 1 could not be posted to Slack" in shown
    assert "invalid_auth" in shown
    assert str(tmp_path) in shown  # where the file is, to fetch it by hand


async def test_event_and_click_keys_are_forgotten_after_a_day(rig: Rig) -> None:
    db = rig.services.db
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    rig.publisher.bot.clock = lambda: now
    old, recent = "event:Ev0OLD", "click:job_cancel:1:U1"
    assert await slack_repo.claim_key(db, old, now=now - timedelta(hours=25), window_s=None)
    assert await slack_repo.claim_key(db, recent, now=now - timedelta(hours=23), window_s=None)
    await rig.publisher.run_once()
    assert await slack_repo.claim_key(db, old, now=now, window_s=None)  # forgotten: new again
    assert not await slack_repo.claim_key(db, recent, now=now, window_s=None)  # still known


async def _running_batch(rig: Rig, jobs: int) -> tuple[int, list[int]]:
    """A running Slack batch of one-take jobs, its digest row created (not posted yet)."""
    db = rig.services.db
    batch, job_ids = await batches_repo.create_batch(
        db,
        name="spa",
        origin="slack",
        jobs=[NewJob(request={"caption": "spa", "duration_s": 10, "variants": 1})] * jobs,
        priority=1,
    )
    await digests_repo.ensure_digest(db, batch_id=batch.id, channel_id=CHANNEL_ID)
    return batch.id, job_ids


async def _finish_job(rig: Rig, tmp_path: Path, job_id: int) -> None:
    fields = track_fields(file_path=str(tmp_path / f"{job_id}.wav"), file_size=1)
    await tracks_repo.add_track(rig.services.db, job_id=job_id, variant=1, **fields)
    await jobs_repo.update_job(rig.services.db, job_id, status=JobStatus.DONE)


async def test_a_batch_whose_track_slack_refused_still_finishes_its_digest(
    rig: Rig, tmp_path: Path
) -> None:
    db = rig.services.db
    batch_id, [job_id] = await _running_batch(rig, jobs=1)
    await _finish_job(rig, tmp_path, job_id)  # its file is never written: Slack cannot get it
    summary = {"tracks_made": 1, "tracks_requested": 1}
    await batches_repo.finish_batch(db, batch_id, status="done", details={"summary": summary})
    await rig.publisher.digests.run_once()  # posts the digest, queues the batch's track post
    post = await slack_repo.update_track_post(db, rig.track_id + 1, state="failed")
    assert post is not None
    await rig.publisher.digests.refresh(batch_id)
    digest = await digests_repo.get_digest(db, batch_id)
    assert digest is not None
    assert digest.final  # before: never final, refreshed for ever, waiting for a post that failed
    assert digest.ts is not None
    shown = str(rig.fake.workspace.message(CHANNEL_ID, digest.ts).blocks)
    assert "0 track(s) · ⚠️ 1 could not be posted to Slack" in shown


async def test_a_running_batchs_digest_is_not_read_again_before_its_next_edit(
    rig: Rig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch_id, job_ids = await _running_batch(rig, jobs=3)
    now = datetime.now(UTC)
    rig.publisher.bot.clock = lambda: now
    digests = rig.publisher.digests
    digests.update_every_s = 60.0
    tallies: list[int] = []
    real_tally = batches_repo.tally

    async def counted_tally(db: Database, batch: int) -> batches_repo.BatchTally:
        tallies.append(batch)
        return await real_tally(db, batch)

    monkeypatch.setattr(batches_repo, "tally", counted_tally)
    await digests.run_once()  # the first post is never held back
    digest = await digests_repo.get_digest(rig.services.db, batch_id)
    assert digest is not None
    assert digest.ts is not None
    assert tallies == [batch_id]

    for job_id in job_ids[:2]:  # jobs finish between edits: nothing is read, nothing is sent
        await _finish_job(rig, tmp_path, job_id)
        await digests.run_once()
    assert tallies == [batch_id]
    assert len(rig.fake.workspace.message(CHANNEL_ID, digest.ts).versions) == 1

    later = now + timedelta(seconds=61)
    rig.publisher.bot.clock = lambda: later
    await digests.run_once()  # the edit is due: read once, and the digest shows both jobs
    assert tallies == [batch_id, batch_id]
    versions = rig.fake.workspace.message(CHANNEL_ID, digest.ts).versions
    assert len(versions) == 2
    assert "2 of 3 tracks made" in str(versions[-1]), versions[-1]


async def test_only_open_digests_have_their_tracks_queued(rig: Rig, tmp_path: Path) -> None:
    db = rig.services.db
    open_batch, [open_job] = await _running_batch(rig, jobs=1)
    closed_batch, [closed_job] = await _running_batch(rig, jobs=1)
    await digests_repo.update_digest(db, open_batch, ts="1700000000.000100")
    await digests_repo.update_digest(db, closed_batch, ts="1700000000.000200", final=True)
    await _finish_job(rig, tmp_path, open_job)
    await _finish_job(rig, tmp_path, closed_job)
    assert await digests_repo.queue_batch_track_posts(db) == 1
    assert [post.thread_ts for post in await slack_repo.posts_for_job(db, open_job)] == [
        "1700000000.000100"
    ]
    assert await slack_repo.posts_for_job(db, closed_job) == []
    assert await digests_repo.queue_batch_track_posts(db) == 0  # queued once


async def test_a_batch_jobs_events_leave_the_publisher_to_its_loop() -> None:
    woken: list[int] = []

    class Bot:
        def wake_publisher(self) -> None:
            woken.append(1)

    wake = serve._waker(cast(SlackBot, Bot()))
    now = datetime.now(UTC)
    job = JobRecord(1, JobStatus.DONE, 0, {}, "slack", created_at=now, updated_at=now)
    await wake(JobEvent(JobEventKind.DONE, replace(job, batch_id=7)))
    assert woken == []  # the digest shows it at its next edit; the loop comes within a second
    await wake(JobEvent(JobEventKind.DONE, job))
    assert woken == [1]  # a person's card shows it at once
