"""Big batches in Slack post a listening sample: exactly the chosen tracks in the digest's thread,
a digest that says so, `/music batch N sample K` for more (never a repeat), the choice kept over a
restart, ratings on sampled tracks, and small batches unchanged."""

import re

import pytest

from domain.samples import Candidate, group_jobs, sample_units, spread
from domain.samples import SampleRule as Rule
from storage import batches as batches_repo
from storage import ratings as ratings_repo
from storage import samples as samples_repo
from storage import slack as slack_repo
from storage import slack_digests as digests_repo
from storage import tracks as tracks_repo
from tests.fakeslack import CHANNEL_ID, payloads
from tests.slack.conftest import Harness, MakeBot

pytestmark = pytest.mark.slow

SAMPLED = {"slack_channel_post_gap_seconds": 0, "batch_post_all_max": 4, "batch_sample_tracks": 2}
_TRACK = re.compile(r"^Track (\d+) ")


def posted_track_ids(h: Harness, ts: str) -> list[int]:
    """The track ids of the files in the thread at `ts` (from their titles), in posting order."""
    ids = []
    for file in h.fake.workspace.files_in(CHANNEL_ID, ts):
        found = _TRACK.match(file.title)
        assert found is not None, file.title
        ids.append(int(found[1]))
    return ids


async def digest_ts(h: Harness, batch_id: int) -> str:
    async def posted() -> str | None:
        digest = await digests_repo.get_digest(h.services.db, batch_id)
        return digest.ts if digest else None

    return str(await h.until(posted, what=f"the digest of batch {batch_id}"))


async def settled_thread(h: Harness, batch_id: int, files: int) -> list[int]:
    """Drive the bot until the digest is final and `files` tracks are in its thread; then a few
    more passes, so a track posted too many would show."""
    ts = await digest_ts(h, batch_id)

    async def done() -> bool:
        digest = await digests_repo.get_digest(h.services.db, batch_id)
        return bool(digest and digest.final) and len(posted_track_ids(h, ts)) >= files

    await h.until(done, what=f"{files} tracks and a final digest for batch {batch_id}")
    for _ in range(3):
        await h.one_pass()
    return posted_track_ids(h, ts)


async def expected_sample(h: Harness, batch_id: int, rule: Rule) -> list[int]:
    """The automatic sample worked out independently from the batch's jobs and tracks."""
    pairs = await batches_repo.batch_tracks(h.services.db, batch_id)
    batch = await batches_repo.get_batch(h.services.db, batch_id)
    assert batch is not None
    rows = batch.details.get("job_rows") or {}
    job_ids = sorted({job.id for _track, job in pairs})
    units = sample_units(group_jobs([(j, rows.get(str(j))) for j in job_ids]), rule)
    chosen: list[int] = []
    for unit in units:
        pool = [
            Candidate(track.id, track.qc_verdict == "pass")
            for track, job in pairs
            if job.id in unit.job_ids
        ]
        chosen += spread(pool, unit.picks)
    return chosen


def last_ephemeral(h: Harness) -> str:
    notes = h.fake.workspace.ephemerals
    return f"{notes[-1].text} {notes[-1].blocks}" if notes else ""


async def answer_to(h: Harness, text: str, **fields: str) -> str:
    """Send `/music text` and return the private answer it gets."""
    before = len(h.fake.workspace.ephemerals)
    await h.slash(text, **fields)

    async def answered() -> str | None:
        return last_ephemeral(h) if len(h.fake.workspace.ephemerals) > before else None

    return str(await h.until(answered, what=f"the answer to {text!r}"))


async def test_big_batch_posts_its_sample_and_more_on_request_without_repeats(
    make_bot: MakeBot,
) -> None:
    h = await make_bot(**SAMPLED)
    await h.slash("batch spa x8 seed=5 10s wav")
    ts = await digest_ts(h, 1)
    posted = await settled_thread(h, 1, 2)
    expected = await expected_sample(h, 1, Rule(per_group=2, max_tracks=4))
    assert sorted(posted) == sorted(expected)
    assert len(expected) == 2  # 4 jobs of 2 takes: one track from jobs 1-2, one from jobs 3-4
    assert sorted(await samples_repo.picked_ids(h.services.db, 1)) == sorted(expected)
    digest = h.fake.workspace.message(CHANNEL_ID, ts)
    final = str(digest.versions[-1])
    assert "Posted 2 of 8 tracks as a listening sample" in final
    assert "/music tracks batch=1" in final
    assert "/music batch 1 sample 10" in final
    assert "Listening sample" in str(digest.versions[0])  # said from the start, while it runs

    answer = await answer_to(h, "batch 1 sample 3")
    assert "Posting 3 more track(s) of batch #1" in answer
    more = await settled_thread(h, 1, 5)
    assert len(more) == 5
    assert len(set(more)) == 5  # no track twice
    assert "Posted 5 of 8 tracks" in str(h.fake.workspace.message(CHANNEL_ID, ts).versions[-1])

    answer = await answer_to(h, "batch 1 sample 10")
    assert "only 3 were left" in answer
    everything = await settled_thread(h, 1, 8)
    assert sorted(everything) == sorted(
        t.id for t, _ in await batches_repo.batch_tracks(h.services.db, 1)
    )
    assert len(everything) == 8
    assert "Nothing left to post" in await answer_to(h, "batch 1 sample 2")
    assert len(h.fake.calls_to("chat.postMessage")) == 1  # still one digest, edited in place
    assert not h.fake.problems


async def test_sample_requests_with_bad_input_get_a_specific_answer(make_bot: MakeBot) -> None:
    h = await make_bot(**SAMPLED, batch_confirm_tracks=1000)
    await h.slash("batch spa x8 seed=5 10s wav")
    await digest_ts(h, 1)
    # asked at once: the command is answered before the harness runs a single job
    assert "is still running" in await answer_to(h, "batch 1 sample 2")
    await settled_thread(h, 1, 2)
    assert "There is no batch #99" in await answer_to(h, "batch 99 sample 2")
    assert "1 to 100" in await answer_to(h, "batch 1 sample 0")
    assert "1 to 100" in await answer_to(h, "batch 1 sample 5000")
    assert "'ten' is not a number of tracks" in await answer_to(h, "batch 1 sample ten")
    someone_else = await answer_to(h, "batch 1 sample 2", user_id="U0SOMEONE")
    assert "is not yours" in someone_else
    ts = (await digests_repo.get_digest(h.services.db, 1)).ts  # type: ignore[union-attr]
    assert len(posted_track_ids(h, str(ts))) == 2  # none of those posted anything


async def test_restart_mid_posting_keeps_the_chosen_sample(make_bot: MakeBot) -> None:
    first = await make_bot(**SAMPLED)
    await first.slash("batch spa x8 seed=5 10s wav")
    ts = await digest_ts(first, 1)

    async def one_posted() -> bool:
        return len(posted_track_ids(first, ts)) >= 1

    await first.until(one_posted, what="the first sampled track")
    await first.stop()  # a deploy while the sample is being posted
    # The settings changed meanwhile: the batch keeps the choice it started with.
    second = await make_bot(
        fake=first.fake, slack_channel_post_gap_seconds=0, batch_post_all_max=100
    )
    posted = await settled_thread(second, 1, 2)
    assert sorted(posted) == sorted(await expected_sample(second, 1, Rule(2, 4)))
    await answer_to(second, "batch 1 sample 2")
    await second.stop()  # a deploy right after the request: the choice is stored, not posted
    third = await make_bot(fake=first.fake, slack_channel_post_gap_seconds=0)
    posted = await settled_thread(third, 1, 4)
    assert len(posted) == len(set(posted)) == 4
    assert not third.fake.problems


async def test_reactions_on_sampled_tracks_are_ratings(make_bot: MakeBot) -> None:
    h = await make_bot(**SAMPLED)
    await h.slash("batch spa x8 seed=5 10s wav")
    await settled_thread(h, 1, 2)
    track_id = (await samples_repo.picked_ids(h.services.db, 1))[0]
    track = await tracks_repo.get_track(h.services.db, track_id)
    assert track is not None
    posts = await slack_repo.posts_for_job(h.services.db, track.job_id)
    post = next(p for p in posts if p.track_id == track_id)
    assert post.message_ts is not None
    await h.event(payloads.reaction_added("+1", ts=post.message_ts))

    async def rated() -> bool:
        return bool(await ratings_repo.ratings_for(h.services.db, [track_id]))

    await h.until(rated, what="the rating of a sampled track")


async def test_batches_up_to_the_threshold_post_every_track(make_bot: MakeBot) -> None:
    h = await make_bot(**SAMPLED)
    await h.slash("batch spa x4 seed=5 10s wav")  # exactly BATCH_POST_ALL_MAX: not sampled
    posted = await settled_thread(h, 1, 4)
    assert len(posted) == 4
    assert await samples_repo.get_rule(h.services.db, 1) is None
    ts = await digest_ts(h, 1)
    assert "listening sample" not in str(h.fake.workspace.message(CHANNEL_ID, ts).versions[-1])
    assert "posts every one of its tracks" in await answer_to(h, "batch 1 sample 2")
