"""Private answers to slash commands and buttons go through their response_url, which works in
DMs and channels the bot has not joined; chat.postEphemeral is only the fallback."""

import pytest

from bot.adapters.slack import render
from tests.fakeslack import CHANNEL_ID, USER_ID, payloads
from tests.fakeslack.payloads import DM_CHANNEL_ID
from tests.slack.conftest import Harness, MakeBot

pytestmark = pytest.mark.slow


async def ephemeral_saying(h: Harness, words: str) -> str:
    async def found() -> str | None:
        for note in h.fake.workspace.ephemerals:
            if words in note.text:
                return note.source
        return None

    return str(await h.until(found, what=f"a private answer saying {words!r}"))


@pytest.mark.parametrize("mode", ["socket", "http"])
async def test_help_in_a_dm_the_bot_cannot_post_to_arrives_via_response_url(
    make_bot: MakeBot, mode: str
) -> None:
    h = await make_bot(mode)
    # In a DM (or a channel the bot is not in) Slack refuses chat.postEphemeral.
    h.fake.fail_next("chat.postEphemeral", "channel_not_found", times=10)
    await h.slash("help", channel_id=DM_CHANNEL_ID)
    assert await ephemeral_saying(h, "How to use /music") == "response_url"
    [post] = h.fake.response_posts
    assert post.body.get("response_type") == "ephemeral"
    assert post.target.user == USER_ID
    assert not h.fake.calls_to("chat.postEphemeral")


async def test_usage_errors_and_refusals_use_the_response_url(make_bot: MakeBot) -> None:
    h = await make_bot("socket", slack_allowed_users=[USER_ID])
    await h.slash("spa x9999")
    await h.slash("help", user_id="U0STRANGER")
    await ephemeral_saying(h, "not on the list")
    assert await h.until(lambda: _count(h, 2), what="two private answers")
    assert {note.source for note in h.fake.workspace.ephemerals} == {"response_url"}
    assert not h.fake.calls_to("chat.postEphemeral")


async def _count(h: Harness, n: int) -> bool:
    return len(h.fake.workspace.ephemerals) >= n


async def test_spent_response_url_falls_back_to_post_ephemeral(make_bot: MakeBot) -> None:
    h = await make_bot("socket", fake_options={"response_url_uses": 0})
    await h.slash("help")
    assert await ephemeral_saying(h, "How to use /music") == "chat.postEphemeral"


async def test_button_answer_goes_through_the_button_response_url(make_bot: MakeBot) -> None:
    h = await make_bot("socket")
    await h.slash("spa 10 sec x1 wav")
    card_ts = await h.card_showing(1, "track(s) in the thread")
    h.fake.fail_next("chat.postEphemeral", "not_in_channel", times=10)
    message = h.fake.render_message(CHANNEL_ID, card_ts)
    # A stale copy of the card: its Cancel clicked after the job finished.
    await h.interact(payloads.block_actions(render.CANCEL, message=message, value="1"))
    assert await ephemeral_saying(h, "already finished") == "response_url"


async def test_thread_mention_without_response_url_still_answers_privately(
    make_bot: MakeBot,
) -> None:
    h = await make_bot("socket")
    await h.event(payloads.app_mention("help"))
    assert await ephemeral_saying(h, "How to use /music") == "chat.postEphemeral"
