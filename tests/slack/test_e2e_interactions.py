"""End to end: thread refinements, @mentions, card buttons, the form, and private answers."""

from typing import Any

import pytest

from bot.adapters.slack import render
from bot.adapters.slack.modal import Block
from domain.records import JobStatus
from domain.request import GenerationRequest
from storage import jobs as jobs_repo
from storage import tracks as tracks_repo
from tests.fakeslack import CHANNEL_ID, USER_ID, payloads
from tests.slack.conftest import Harness, MakeBot
from tests.slack.test_modal import simulated_values

pytestmark = pytest.mark.slow


async def finished_job(h: Harness, text: str) -> str:
    """Run `/music text` to the end; returns job 1's card ts."""
    await h.slash(text)
    return await h.card_showing(1, "track(s) in the thread")


async def job_count(h: Harness) -> int:
    return len(await jobs_repo.list_jobs(h.services.db, limit=None))


async def request_of(h: Harness, job_id: int) -> GenerationRequest:
    return GenerationRequest.model_validate((await h.job(job_id)).request)


async def test_thread_reply_refines_the_job_in_the_same_thread(make_bot: MakeBot) -> None:
    h = await make_bot("socket")
    card_ts = await finished_job(h, "cafe acoustic 10 sec x2 wav 100bpm")
    await h.event(payloads.message("slower, in D minor, 12 sec, x1, more piano", thread_ts=card_ts))
    await h.card_showing(2, "track(s) in the thread")
    parent, child = await request_of(h, 1), await request_of(h, 2)
    assert child.bpm == 85  # 100 x 0.85
    assert (child.key_scale, child.duration_s, child.variants) == ("D minor", 12, 1)
    assert "piano" in child.caption
    assert child.preset_id == parent.preset_id == "cafe"
    job = await h.job(2)
    assert job.parent_track_id == await _first_track_id(h, 1)
    assert job.thread_ts == card_ts
    card = h.fake.workspace.message(CHANNEL_ID, await h.card_ts(2))
    assert card.thread_ts == card_ts  # the refinement's card sits in the original thread
    assert "Changed from job #1" in str(card.blocks)


async def _first_track_id(h: Harness, job_id: int) -> int:
    tracks = await tracks_repo.list_tracks(h.services.db, job_ids=[job_id], oldest_first=True)
    return tracks[0].id


async def test_chatter_in_a_thread_gets_no_answer_but_a_mention_does(make_bot: MakeBot) -> None:
    h = await make_bot("socket")
    card_ts = await finished_job(h, "spa 10 sec x1 wav")
    await h.event(payloads.message("thanks, love it!", thread_ts=card_ts))
    await h.event(payloads.bot_message("a bot talking", thread_ts=card_ts))
    await h.event(payloads.message("unrelated thread", thread_ts="1.000001"))
    await h.event(payloads.app_mention("thanks", thread_ts=card_ts))

    async def explained() -> bool:
        return bool(h.fake.workspace.ephemerals)

    await h.until(explained, what="a private explanation")
    [note] = h.fake.workspace.ephemerals
    assert note.user == USER_ID
    assert "reads like a comment" in note.text
    assert await job_count(h) == 1


async def test_mention_outside_a_thread_works_like_the_slash_command(make_bot: MakeBot) -> None:
    h = await make_bot("http")
    await h.event(payloads.app_mention("hotel lobby 10 sec x1 wav"))
    await h.card_showing(1, "track(s) in the thread")
    assert (await request_of(h, 1)).preset_id == "hotel-lobby"


async def click(h: Harness, card_ts: str, action_id: str) -> Any:
    message = h.fake.render_message(CHANNEL_ID, card_ts)
    return await h.interact(payloads.block_actions(action_id, message=message))


async def test_again_and_more_buttons_make_new_jobs_once_per_click(make_bot: MakeBot) -> None:
    h = await make_bot("socket")
    card_ts = await finished_job(h, "spa 10 sec x1 wav")
    await click(h, card_ts, render.AGAIN)
    await click(h, card_ts, render.AGAIN)  # a double click
    await click(h, card_ts, render.MORE)
    await h.card_showing(3, "track(s) in the thread")
    assert await job_count(h) == 3
    parent = await request_of(h, 1)
    made = sorted([await request_of(h, 2), await request_of(h, 3)], key=lambda r: r.variants)
    # Clicks are handled concurrently, so either may be job 2.
    assert made == [parent, parent.model_copy(update={"variants": 2})]
    assert (await h.job(3)).thread_ts == card_ts


async def test_cancel_button_cancels_and_the_card_says_so(make_bot: MakeBot) -> None:
    h = await make_bot("socket", standin_job_seconds=30)
    await h.slash("spa 10 sec x1 wav")
    card_ts = await h.card_showing(1, "Job #1")
    await click(h, card_ts, render.CANCEL)
    await h.card_showing(1, "Cancelled")
    assert (await h.job(1)).status is JobStatus.CANCELLED
    # a finished job's card offers Retry, which queues the same request again
    await click(h, card_ts, render.RETRY)
    await h.card_showing(2, "Job #2")
    assert await request_of(h, 2) == await request_of(h, 1)


async def test_the_form_opens_validates_inline_and_queues(make_bot: MakeBot) -> None:
    h = await make_bot("socket")
    ack = await h.slash("")
    assert ack.payload in (None, {})
    call = await h.fake.wait_for_call("views.open")
    view_id = call.response["view"]["id"]
    view = h.fake.render_view(view_id)
    values = simulated_values(view)
    values[Block.CAPTION.value] = {
        Block.CAPTION.action_id: payloads.plain_text_value("lounge jazz")
    }
    values[Block.DURATION.value] = {Block.DURATION.action_id: payloads.number_value("5")}
    refused = await h.interact(payloads.view_submission(view, values=values))
    assert refused.payload["response_action"] == "errors"
    assert Block.DURATION.value in refused.payload["errors"]
    values[Block.DURATION.value] = {Block.DURATION.action_id: payloads.number_value("12")}
    accepted = await h.interact(payloads.view_submission(view, values=values))
    assert not accepted.payload
    await h.card_showing(1, "Job #1")
    request = await request_of(h, 1)
    assert (request.caption, request.duration_s) == ("lounge jazz", 12)


async def test_refine_button_opens_the_form_filled_from_the_job(make_bot: MakeBot) -> None:
    h = await make_bot("socket")
    card_ts = await finished_job(h, "hotel lobby 10 sec x1 wav in D minor")
    await click(h, card_ts, render.REFINE)
    call = await h.fake.wait_for_call("views.open")
    view = h.fake.render_view(call.response["view"]["id"])
    values = simulated_values(view)  # submit it unchanged: the same request, same preset
    await h.interact(payloads.view_submission(view, values=values))
    await h.card_showing(2, "Job #2")
    assert await request_of(h, 2) == await request_of(h, 1)
    assert (await h.job(2)).thread_ts == card_ts


async def test_help_and_refusals_are_private(make_bot: MakeBot) -> None:
    h = await make_bot("socket", slack_allowed_users=[USER_ID], daily_track_quota=2)
    await h.slash("help")
    await h.slash("spa 10 sec x4 wav")  # over the daily quota
    await h.slash("spa 10 sec x1 wav", user_id="U0STRANGER")  # not on the list

    async def three_answers() -> bool:
        return len(h.fake.workspace.ephemerals) == 3

    await h.until(three_answers, what="three private answers")
    answers = {e.user: e.text for e in h.fake.workspace.ephemerals if e.user != USER_ID}
    mine = [e.text for e in h.fake.workspace.ephemerals if e.user == USER_ID]
    assert any("How to use /music" in text for text in mine)  # concurrent: any order
    assert any("you have 2 of your 2 for today left" in text for text in mine)
    assert "not on the list" in answers["U0STRANGER"]
    assert await job_count(h) == 0


async def test_home_tab_shows_jobs_and_servers(make_bot: MakeBot) -> None:
    h = await make_bot("socket")
    await finished_job(h, "spa 10 sec x1 wav")
    await h.event(payloads.app_home_opened())
    call = await h.fake.wait_for_call("views.publish")
    text = str(call.args["view"])
    assert "Your recent jobs" in text
    assert "#1 done" in text
    assert "builtin (built-in stand-in: placeholder audio): ok" in text
