"""End to end, in Socket Mode and HTTP mode: /music → card → tracks in its thread → ratings."""

import pytest

from storage import ratings as ratings_repo
from storage import slack as slack_repo
from storage import tracks as tracks_repo
from tests.fakeslack import BOT_USER_ID, CHANNEL_ID, OTHER_USER_ID, USER_ID, payloads
from tests.slack.conftest import Harness, MakeBot

pytestmark = pytest.mark.slow


async def track_messages(h: Harness, card_ts: str, count: int) -> list[str]:
    """The ts of the track messages in a card's thread, once `count` have been matched."""

    async def matched() -> list[str] | None:
        posts = await slack_repo.posts_for_job(h.services.db, 1)
        resolved = [p.message_ts for p in posts if p.state == "resolved" and p.message_ts]
        return resolved if len(resolved) == count else None

    found: list[str] = await h.until(matched, what=f"{count} track messages matched")
    in_thread = [m for m in h.fake.workspace.thread(CHANNEL_ID, card_ts) if m.files]
    assert {m.ts for m in in_thread} == set(found)
    return found


@pytest.mark.parametrize("mode", ["socket", "http"])
async def test_music_command_to_rated_tracks(make_bot: MakeBot, mode: str) -> None:
    h = await make_bot(mode)
    await music_command_to_rated_tracks(h)


async def test_music_command_to_rated_tracks_with_the_real_loops(make_bot: MakeBot) -> None:
    """Smoke test that the REAL background loops (loops=True) run: the same flow, not driven."""
    await music_command_to_rated_tracks(await make_bot("socket", loops=True))


async def music_command_to_rated_tracks(h: Harness) -> None:
    await h.slash("hotel lobby jazz 10 sec x2 wav")
    card_ts = await h.card_ts(1)
    first = h.fake.workspace.message(CHANNEL_ID, card_ts)
    assert "Job #1" in str(first.versions[0])  # shown at once, before the job finished
    assert "hotel-lobby" in str(first.versions[0])
    await h.card_showing(1, "2 track(s) in the thread")
    messages = await track_messages(h, card_ts, 2)
    # One card message, edited in place (the listener and the publisher loop both post cards).
    assert len(h.fake.calls_to("chat.postMessage")) == 1
    assert len(h.fake.workspace.message(CHANNEL_ID, card_ts).versions) >= 3
    files = h.fake.workspace.files_in(CHANNEL_ID, card_ts)
    assert len(files) == 2  # each track posted once, as playable audio, in the card's thread
    assert all(f.name.endswith(".preview.mp3") for f in files)  # WAV originals, MP3 to play
    comments = [h.fake.workspace.message(CHANNEL_ID, ts).text for ts in messages]
    assert all("Placeholder audio" in text and "Rate it" in text for text in comments)
    tracks = await tracks_repo.list_tracks(h.services.db, job_ids=[1], oldest_first=True)
    posts = {p.track_id: p.message_ts for p in await slack_repo.posts_for_job(h.services.db, 1)}

    # 🔥 on the first track by a person: a rating of 2; the bot's own reactions are ignored.
    target = posts[tracks[0].id]
    assert target in messages
    await h.event(payloads.reaction_added("fire", channel=CHANNEL_ID, ts=target, user=USER_ID))
    await h.event(payloads.reaction_added("+1", channel=CHANNEL_ID, ts=target, user=BOT_USER_ID))
    await h.event(payloads.reaction_added("fire", channel=CHANNEL_ID, ts=card_ts, user=USER_ID))
    await h.event(
        payloads.reaction_added("smile", channel=CHANNEL_ID, ts=target, user=OTHER_USER_ID)
    )

    async def rated() -> list[tuple[int, str, str, float]]:
        found = await ratings_repo.ratings_for(h.services.db, [t.id for t in tracks])
        return [(r.track_id, r.user_id, r.emoji, r.score) for r in found]

    assert await h.until(rated, what="the rating") == [(tracks[0].id, USER_ID, "fire", 2.0)]
    await h.event(payloads.reaction_removed("fire", channel=CHANNEL_ID, ts=target, user=USER_ID))

    async def unrated() -> bool:
        return not await rated()

    await h.until(unrated, what="the rating to be removed")
    assert not h.fake.problems
