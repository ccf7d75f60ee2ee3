"""`/music stats` through the local Slack: the answer in the channel, the chart uploaded right
after it (a real PNG), the private replies for nothing made or an unknown period, the Home tab."""

import io
from typing import Any

import pytest
from PIL import Image

from storage import ratings as ratings_repo
from storage import tracks as tracks_repo
from tests.fakeslack import CHANNEL_ID, OTHER_USER_ID, USER_ID, payloads
from tests.slack.conftest import Harness, MakeBot
from tests.slack.test_e2e_flow import track_messages

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def private_answer(h: Harness, words: str) -> str:
    async def found() -> str | None:
        return next((e.text for e in h.fake.workspace.ephemerals if words in e.text), None)

    return str(await h.until(found, what=f"a private answer saying {words!r}"))


async def rated_tracks(h: Harness) -> None:
    """Two placeholder tracks of the spa preset, rated 🔥 (2) and 5️⃣ (5) by two people."""
    await h.slash("spa 10 sec x2 wav")
    card_ts = await h.card_showing(1, "2 track(s) in the thread")
    first, second = await track_messages(h, card_ts, 2)
    await h.event(payloads.reaction_added("fire", ts=first, user=USER_ID))
    await h.event(payloads.reaction_added("five", ts=second, user=OTHER_USER_ID))

    async def both() -> bool:
        made = await tracks_repo.list_tracks(h.services.db, limit=None)
        return len(await ratings_repo.ratings_for(h.services.db, [t.id for t in made])) == 2

    await h.until(both, what="both ratings")


@pytest.mark.parametrize("mode", ["socket", "http"])
async def test_stats_answer_and_chart_in_the_channel(make_bot: MakeBot, mode: str) -> None:
    h = await make_bot(mode)
    await h.slash("stats 7d")
    assert await private_answer(h, "No tracks made") == (
        "Ratings insight, last 7 days\nNo tracks made in the last 7 days."
    )
    await h.slash("stats lately")
    assert "'lately' is not a period: use 7d, 30d, all" in await private_answer(h, "lately")

    await rated_tracks(h)
    posts_before = len(h.fake.calls_to("chat.postMessage"))
    await h.slash("stats")

    async def chart() -> Any:
        files = [f for f in h.fake.workspace.files_in(CHANNEL_ID) if f.name == "stats.png"]
        return files[0] if files else None

    png = await h.until(chart, what="the stats chart")
    assert png.data.startswith(PNG_SIGNATURE)
    assert png.length == len(png.data) > 5000
    assert Image.open(io.BytesIO(png.data)).format == "PNG"
    assert png.title == "Mean score per preset, last 30 days"
    [answer] = [c for c in h.fake.calls_to("chat.postMessage")[posts_before:]]
    text = str(answer.args["text"])
    assert "Ratings insight, last 30 days" in text
    assert "No ACE-Step tracks in the last 30 days: all 2 were placeholder tracks" in text
    assert (
        "[placeholder] spa: 2 made, 2 rated, mean 3.50 (n=2), none decided, 0 audio-check failures"
    ) in text
    # the answer and its chart sit together at the channel's top level, chart right after
    top = h.fake.workspace.channel_messages(CHANNEL_ID)
    assert top[-1].files == [png.id]
    assert "Ratings insight" in top[-2].text
    assert not h.fake.problems


async def test_home_tab_shows_the_headline_figures(make_bot: MakeBot) -> None:
    h = await make_bot("socket")
    await rated_tracks(h)
    await h.event(payloads.app_home_opened())
    call = await h.fake.wait_for_call("views.publish")
    text = str(call.args["view"])
    assert "Ratings insight, last 30 days" in text
    assert "No ACE-Step tracks in the last 30 days: all 2 were placeholder tracks" in text
    assert (
        "placeholder tracks (built-in stand-in, not ACE-Step): 2 made, 2 rated, mean 3.50" in text
    )
    assert "`/music stats`" in text


async def test_where_the_bot_may_not_post_the_answer_comes_privately(make_bot: MakeBot) -> None:
    h = await make_bot("socket")
    await rated_tracks(h)
    h.fake.fail_next("chat.postMessage", "not_in_channel")
    await h.slash("stats all")
    text = await private_answer(h, "The chart could not be posted here: not_in_channel")
    assert "Ratings insight, all time" in text
    assert "[placeholder] spa: 2 made, 2 rated, mean 3.50 (n=2)" in text
    assert not [f for f in h.fake.workspace.files_in(CHANNEL_ID) if f.name == "stats.png"]
