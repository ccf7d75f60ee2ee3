"""End to end: what Slack and restarts throw at the bot — retries, 429s, failed uploads, early
reactions, a restart in the middle of a job, bad signatures, a Socket Mode reconnect."""

import pytest

from domain.records import JobStatus
from storage import jobs as jobs_repo
from storage import ratings as ratings_repo
from storage import slack as slack_repo
from tests.fakeslack import CHANNEL_ID, USER_ID, payloads
from tests.slack.conftest import Harness, MakeBot

pytestmark = pytest.mark.slow


async def jobs_made(h: Harness) -> int:
    return len(await jobs_repo.list_jobs(h.services.db, limit=None))


async def posted_tracks(h: Harness, job_id: int, count: int) -> None:
    async def all_resolved() -> bool:
        posts = await slack_repo.posts_for_job(h.services.db, job_id)
        return len(posts) == count and all(p.state == "resolved" for p in posts)

    await h.until(all_resolved, what=f"{count} tracks of job {job_id} posted")


@pytest.mark.parametrize("mode", ["socket", "http"])
async def test_a_retried_event_is_handled_once(make_bot: MakeBot, mode: str) -> None:
    h = await make_bot(mode)
    await h.slash("spa 10 sec x1 wav")
    card_ts = await h.card_showing(1, "track(s) in the thread")
    body = payloads.event_callback(payloads.message("again", thread_ts=card_ts))
    await h.event(body)
    retry = {"retry_num": 1} if mode == "http" else {"retry_attempt": 1, "retry_reason": "timeout"}
    await h.event(body, **retry)  # same event_id: Slack's retry
    await h.card_showing(2, "track(s) in the thread")
    assert await jobs_made(h) == 2


async def test_rate_limited_card_and_failed_upload_are_retried_and_posted_once(
    make_bot: MakeBot,
) -> None:
    h = await make_bot("socket")
    h.fake.fail_next("chat.postMessage", retry_after=0)  # 429: slack_sdk waits, then retries
    h.fake.fail_upload(500)  # the first upload of a track fails; the publisher tries again
    await h.slash("cafe 10 sec x2 wav")
    card_ts = await h.card_showing(1, "2 track(s) in the thread")
    await posted_tracks(h, 1, 2)
    assert len(h.fake.workspace.channel_messages(CHANNEL_ID)) == 1  # one card
    assert len(h.fake.workspace.files_in(CHANNEL_ID, card_ts)) == 2  # each track once
    assert [c.status for c in h.fake.calls_to("chat.postMessage")] == [429, 200]


async def test_a_reaction_before_the_track_is_matched_still_counts(make_bot: MakeBot) -> None:
    """Runs the REAL background loops (loops=True): the reaction must arrive while the publisher's
    pass is still waiting on a slow files.info, a race a one-pass-at-a-time drive cannot stage."""
    h = await make_bot("socket", loops=True)
    h.fake.slow_down(2.0, "files.info")  # Slack is slow to tell the bot where the file went
    await h.slash("spa 10 sec x1 wav")
    card_ts = await h.card_ts(1)

    async def shared_ts() -> str | None:
        files = h.fake.workspace.files_in(CHANNEL_ID, card_ts)
        return files[0].shares[0].ts if files else None

    ts = await h.until(shared_ts, what="the track message to appear")
    await h.event(payloads.reaction_added("five", ts=ts))
    assert await slack_repo.find_message(h.services.db, channel_id=CHANNEL_ID, ts=ts) is None

    async def rated() -> bool:
        return bool(await ratings_repo.top_tracks(h.services.db, since=None))

    await h.until(rated, what="the early rating applied")
    [best] = await ratings_repo.top_tracks(h.services.db, since=None)
    assert best.score == 5


async def test_restart_mid_job_finishes_the_card_and_posts_each_track_once(
    make_bot: MakeBot,
) -> None:
    first = await make_bot("socket", standin_job_seconds=30)
    await first.slash("hotel lobby 10 sec x2 wav")
    card_ts = await first.card_showing(1, "Generating")
    await first.stop()  # a deploy in the middle of the job
    second = await make_bot("socket", fake=first.fake)
    await second.card_showing(1, "2 track(s) in the thread")
    await posted_tracks(second, 1, 2)
    job = await second.job(1)
    assert job.status is JobStatus.DONE
    assert job.lost_count == 1  # the in-process stand-in restarted too: the task was sent again
    assert len(second.fake.workspace.channel_messages(CHANNEL_ID)) == 1
    assert len(second.fake.workspace.files_in(CHANNEL_ID, card_ts)) == 2


async def test_requests_with_a_bad_or_stale_signature_are_refused(make_bot: MakeBot) -> None:
    h = await make_bot("http")
    assert h.signed is not None
    assert (await h.signed.slash_command("spa", bad_signature=True)).status == 401
    assert (await h.signed.slash_command("spa", stale=True)).status == 401
    verified = await h.signed.url_verification("challenge-123")
    assert verified.status == 200
    assert "challenge-123" in verified.text
    assert await jobs_made(h) == 0


async def test_socket_mode_reconnects_when_slack_asks(make_bot: MakeBot) -> None:
    h = await make_bot("socket")
    old = await h.fake.socket.send_disconnect()
    await h.fake.socket.wait_connected(newer_than=old)
    await h.slash("spa 10 sec x1 wav")
    await h.card_showing(1, "Job #1")
    assert (await h.job(1)).requested_by == USER_ID
