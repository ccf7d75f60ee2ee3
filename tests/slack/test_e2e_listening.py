"""End to end through the local Slack, both modes: a listening session is started, its pairs are
posted in a thread (two neutral files and a vote card each), three raters vote through the form
(an outsider is refused, a second vote changes the first), the session is closed and the report
is posted in the thread with its chart; a vote after close is refused.

THE BLINDING TEST: every message text, block, file name, title, modal and private answer the bot
sends until the session closes is searched for the source ("Mureka", the references' original
file names), the model ("acestep", "turbo", "PLACEHOLDER"), the seed, the zones' preset ids and
names, and the candidates' caption; none may appear. The files it uploads carry no tags.
"""

import io
import json
import re
from typing import Any

import mutagen
import pytest

from bot.adapters.slack.evaluation_render import (
    COMMENT,
    SCORE_A,
    SCORE_B,
    VOTE_ACTION,
)
from commands.context import Caller
from commands.router import handle
from domain.evaluations import EvalPairRecord, EvalStatus
from storage import evaluations as evals
from tests.fakeslack import CHANNEL_ID, OTHER_USER_ID, USER_ID, payloads
from tests.listening.planted import (
    CAPTION_WORD,
    MODEL,
    PLAN,
    RATERS,
    SEED,
    SOURCE,
    Planted,
    ab_scores,
    plant_session,
)
from tests.slack.conftest import Harness, MakeBot

pytestmark = pytest.mark.slow

GROUP = "S0RATERS"


def selected(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


async def session(h: Harness) -> Any:
    found = await evals.get_session(h.services.db, "q1")
    assert found is not None
    return found


async def cards_posted(h: Harness, planted: Planted) -> list[EvalPairRecord]:
    async def all_posted() -> list[EvalPairRecord] | None:
        pairs = await evals.list_pairs(h.services.db, planted.session.id)
        ready = [p for p in pairs if p.card_ts is not None]
        return ready if len(ready) == len(planted.pairs) else None

    return list(await h.until(all_posted, what="every pair's card"))


async def open_form(h: Harness, pair: EvalPairRecord, rater: str) -> dict[str, Any] | None:
    """Click the pair's Vote button as `rater`; the form it opened (None: none opened)."""
    assert pair.card_ts is not None
    before = len(h.fake.calls_to("views.open"))
    message = h.fake.render_message(CHANNEL_ID, pair.card_ts)
    await h.interact(payloads.block_actions(VOTE_ACTION, message=message, user=rater))
    await h.run.bot.wait_idle(10)
    opened = h.fake.calls_to("views.open")[before:]
    if not opened:
        return None
    return h.fake.render_view(opened[-1].response["view"]["id"])


async def vote(h: Harness, pair: EvalPairRecord, rater: str, *, a: int, b: int, note: str) -> None:
    view = await open_form(h, pair, rater)
    assert view is not None, f"no form for {rater}"
    values = {
        SCORE_A: {SCORE_A: selected(str(a))},
        SCORE_B: {SCORE_B: selected(str(b))},
        COMMENT: {COMMENT: payloads.plain_text_value(note)},
    }
    await h.interact(payloads.view_submission(view, values=values, user=rater))
    await h.run.bot.wait_idle(10)


def private_texts(h: Harness, user: str) -> list[str]:
    return [e.text for e in h.fake.workspace.ephemerals if e.user == user]


def forbidden_patterns(h: Harness, planted: Planted) -> list[re.Pattern[str]]:
    words = [SOURCE, "acestep", "turbo", "placeholder", MODEL, SEED, CAPTION_WORD]
    words += planted.originals
    patterns = [re.compile(re.escape(word), re.IGNORECASE) for word in words]
    for zone in PLAN:
        preset = h.services.presets.get(zone)
        assert preset is not None
        for name in (zone, preset.name, *preset.names):
            patterns.append(re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE))
    return patterns


def what_the_bot_showed(h: Harness, upto: int) -> list[str]:
    """Every request the bot made to Slack (messages, edits, ephemerals, modals, file names and
    titles) and every private answer through a response_url, as JSON text."""
    sent = [json.dumps(call.args, default=str, ensure_ascii=False) for call in h.fake.calls[:upto]]
    sent += [
        json.dumps(post.body, default=str, ensure_ascii=False) for post in h.fake.response_posts
    ]
    sent += [
        json.dumps(view.definition, ensure_ascii=False) for view in h.fake.workspace.views.values()
    ]
    return sent


@pytest.mark.parametrize("mode", ["socket", "http"])
async def test_listening_session_in_slack_with_the_blinding_test(
    make_bot: MakeBot, mode: str
) -> None:
    h = await make_bot(mode, slack_channel_post_gap_seconds=0)
    for rater in RATERS:
        h.fake.workspace.add_user(rater, rater.lower())
    h.fake.workspace.add_usergroup(GROUP, list(RATERS))
    planted = await plant_session(h.services.db, h.services.settings.output_dir, owner=USER_ID)

    refused = await h.slash("eval start q1", user_id=OTHER_USER_ID)
    assert refused is not None
    await h.run.bot.wait_idle(10)
    assert (await session(h)).status is EvalStatus.READY
    await h.slash(f"eval start q1 raters=<!subteam^{GROUP}|@raters>")
    pairs = await cards_posted(h, planted)
    started = await session(h)
    assert started.status is EvalStatus.LISTENING
    assert started.thread_ts is not None

    # the thread: root message, then per pair its two files and its card, in label order
    root = h.fake.workspace.message(CHANNEL_ID, started.thread_ts)
    assert root.text.startswith(f"Listening session q1: {len(planted.pairs)} pairs. Score A and B")
    thread = h.fake.workspace.thread(CHANNEL_ID, started.thread_ts)
    files = h.fake.workspace.files_in(CHANNEL_ID, started.thread_ts)
    expected = [f"{p.label}-{side}.mp3" for p in pairs for side in "AB"]
    assert sorted(f.name for f in files) == sorted(expected)
    assert {f.title for f in files} == set(expected)
    labels = [m.text.split(":")[0] for m in thread if m.blocks and "Vote" in str(m.blocks)]
    assert labels == [p.label for p in pairs]
    for file in files:
        assert file.data is not None
        tags = mutagen.File(io.BytesIO(file.data))
        assert tags is None or not tags.tags, f"{file.name} carries tags: {tags.tags}"

    # an outsider is refused privately and gets no form
    assert await open_form(h, pairs[0], OTHER_USER_ID) is None
    assert any("not one of the raters" in text for text in private_texts(h, OTHER_USER_ID))

    # three raters vote on every pair; the first changes one vote (prefilled form)
    first = pairs[0]
    await vote(h, first, RATERS[0], a=1, b=1, note="first try")
    for rater in RATERS:
        for pair in pairs:
            a, b = ab_scores(pair, *planted.scores[pair.id])
            await vote(h, pair, rater, a=a, b=b, note="ok")
    form = await open_form(h, first, RATERS[0])
    assert form is not None
    a, b = ab_scores(first, *planted.scores[first.id])
    assert form["blocks"][0]["element"]["initial_option"]["value"] == str(a)
    assert form["blocks"][1]["element"]["initial_option"]["value"] == str(b)
    votes = await evals.list_votes(h.services.db, planted.session.id)
    assert len(votes) == len(RATERS) * len(pairs)  # the changed vote replaced the first
    assert any("is changed" in text for text in private_texts(h, RATERS[0]))

    async def counts_shown() -> bool:
        return all(
            "3 raters have voted" in str(h.fake.workspace.message(CHANNEL_ID, p.card_ts).blocks)
            for p in pairs
            if p.card_ts
        )

    await h.until(counts_shown, what="every card to count 3 raters")
    late_form = await open_form(h, first, RATERS[1])  # opened before close, sent after
    assert late_form is not None
    cut = len(h.fake.calls)

    await h.slash("eval close q1")

    async def report_posted() -> bool:
        return bool((await session(h)).report_posted)

    await h.until(report_posted, what="the report in the thread")
    thread = h.fake.workspace.thread(CHANNEL_ID, started.thread_ts)
    report = next(m for m in thread if "Overall: PARTIAL" in m.text)
    for line in ("spa: GO", "hotel-lobby: NO-GO", "cafe: UNDECIDED"):
        assert line in str(report.blocks)

    async def chart_shared() -> list[Any]:
        files = h.fake.workspace.files_in(CHANNEL_ID, started.thread_ts)
        return [f for f in files if f.name.endswith(".png")]

    charts = await h.until(chart_shared, what="the chart in the thread")
    assert [f.name for f in charts] == ["q1-report.png"]
    assert charts[0].data is not None
    assert charts[0].data.startswith(b"\x89PNG")

    # a vote after close is refused and changes nothing
    late = {SCORE_A: {SCORE_A: selected("5")}, SCORE_B: {SCORE_B: selected("5")}}
    await h.interact(payloads.view_submission(late_form, values=late, user=RATERS[1]))
    await h.run.bot.wait_idle(10)
    assert await open_form(h, first, RATERS[2]) is None  # the closed card has no Vote button
    assert any("closed" in text for text in private_texts(h, RATERS[1]))
    assert len(await evals.list_votes(h.services.db, planted.session.id)) == len(votes)

    # the blinding test: nothing shown before close names source, model, seed, preset, caption
    shown = what_the_bot_showed(h, cut)
    assert len(shown) > len(pairs)  # the posts are really there to search
    for pattern in forbidden_patterns(h, planted):
        leaks = [text[:200] for text in shown if pattern.search(text)]
        assert not leaks, f"{pattern.pattern!r} shown before close: {leaks[:2]}"
    assert not h.fake.problems


async def test_posting_resumes_after_a_restart_and_posts_nothing_twice(
    make_bot: MakeBot,
) -> None:
    h = await make_bot("socket", slack_channel_post_gap_seconds=0)
    planted = await plant_session(h.services.db, h.services.settings.output_dir, owner=USER_ID)
    # a file id recorded just before a crash, whose upload never reached Slack
    await evals.update_pair(h.services.db, planted.pairs[0].id, file_ids=["F0NEVERSHARED"])
    await h.slash("eval start q1")
    for _ in range(6):
        await h.one_pass()
    posted_before = len(h.fake.workspace.files)
    assert 0 < posted_before < 2 * len(planted.pairs)  # stopped half-way
    await h.stop()

    again = await make_bot("socket", fake=h.fake, slack_channel_post_gap_seconds=0)
    pairs = await cards_posted(again, planted)
    started = await session(again)
    assert started.thread_ts is not None
    names = [f.name for f in again.fake.workspace.files_in(CHANNEL_ID, started.thread_ts)]
    assert sorted(names) == sorted(f"{p.label}-{side}.mp3" for p in pairs for side in "AB")
    thread = again.fake.workspace.thread(CHANNEL_ID, started.thread_ts)
    cards = [m for m in thread if m.blocks and "Vote" in str(m.blocks)]
    assert len(cards) == len(pairs)
    roots = [
        m
        for m in again.fake.workspace.channel_messages(CHANNEL_ID)
        if "Listening session" in m.text
    ]
    assert len(roots) == 1

    # closed from the terminal: the Slack process posts the report once
    closed = await handle("eval close q1", again.services, Caller("cli", user_id="cli"))
    assert closed.ok

    async def report_posted() -> bool:
        return bool((await session(again)).report_posted)

    await again.until(report_posted, what="the report")
    for _ in range(3):
        await again.one_pass()
    thread = again.fake.workspace.thread(CHANNEL_ID, started.thread_ts)
    assert sum("Overall:" in m.text for m in thread) == 1
    for pair in pairs:
        assert pair.card_ts is not None
        card = str(again.fake.workspace.message(CHANNEL_ID, pair.card_ts).blocks)
        assert "voting closed" in card
        assert VOTE_ACTION not in card
    assert (await session(again)).settings.get("slack_settled") is True  # not looked at again


async def test_votes_pass_the_allow_lists_first(make_bot: MakeBot) -> None:
    h = await make_bot("socket", slack_channel_post_gap_seconds=0, slack_allowed_users=[USER_ID])
    h.fake.workspace.add_user(RATERS[0], "rater")
    planted = await plant_session(h.services.db, h.services.settings.output_dir, owner=USER_ID)
    await h.slash("eval start q1")
    pairs = await cards_posted(h, planted)
    assert await open_form(h, pairs[0], RATERS[0]) is None
    assert any("not on the list" in text for text in private_texts(h, RATERS[0]))
    assert await open_form(h, pairs[0], USER_ID) is not None  # the allowed owner may vote


async def test_the_vote_form_points_at_what_is_missing(make_bot: MakeBot) -> None:
    h = await make_bot("socket", slack_channel_post_gap_seconds=0)
    planted = await plant_session(h.services.db, h.services.settings.output_dir, owner=USER_ID)
    await h.slash("eval start q1")
    pairs = await cards_posted(h, planted)
    view = await open_form(h, pairs[0], USER_ID)
    assert view is not None
    values = {
        SCORE_B: {SCORE_B: selected("4")},
        COMMENT: {COMMENT: payloads.plain_text_value("x" * 201)},
    }
    ack = await h.interact(payloads.view_submission(view, values=values))
    assert ack.payload["response_action"] == "errors"
    assert set(ack.payload["errors"]) == {SCORE_A, COMMENT}
    assert "Score A from 1 to 5" in ack.payload["errors"][SCORE_A]
    assert await evals.list_votes(h.services.db, planted.session.id) == []
