"""The whole listening test through the local Slack, in both modes, from files to verdicts.

References are attached to `@bot eval import` with a manifest naming their zones; `/music eval
prepare` has the built-in stand-in make one variant each and the engine picks and renders the
pairs; `/music eval start` posts them; three raters vote through the form with planted scores
(one zone clearly GO, one clearly NO-GO, one UNDECIDED); `/music eval close` ends it and the
report in the thread gives those verdicts.
"""

from pathlib import Path
from typing import Any, Final

import pytest

from bot.adapters.slack.evaluation_render import COMMENT, SCORE_A, SCORE_B, VOTE_ACTION
from domain.evaluations import EvalPairRecord, EvalStatus, PairState
from storage import evaluations as evals
from tests.fakeslack import CHANNEL_ID, payloads
from tests.listening.audio import tone
from tests.slack.conftest import Harness, MakeBot
from tests.slack.test_e2e_eval_prepare import attach, private_answers

pytestmark = pytest.mark.slow

PREPARE_S: Final = 90.0  # the stand-in's real work: 8 ten-second tracks and 8 rendered pairs
RATERS: Final = ("U0RATER1", "U0RATER2", "U0RATER3")
# zone -> (ACE-Step score, incumbent score) per reference, the same from every rater
PLAN: Final[dict[str, list[tuple[int, int]]]] = {
    "spa": [(4, 4), (5, 4), (5, 5)],  # every resample ≥ 1.0: GO
    "hotel-lobby": [(2, 5), (1, 5), (1, 4)],  # every resample ≤ 0.4: NO-GO
    "cafe": [(5, 5), (3, 5)],  # ratio 0.8 from two pairs: UNDECIDED
}


def references(tmp_path: Path) -> tuple[dict[str, bytes], dict[str, tuple[int, int]]]:
    """Attachments (a manifest and one short tone per reference) and each file's planted scores."""
    files: dict[str, bytes] = {}
    scores: dict[str, tuple[int, int]] = {}
    rows = ["file,zone,bpm,source"]
    for zone, planned in PLAN.items():
        for index, score in enumerate(planned):
            name = f"mureka-{zone}-{index}.wav"
            hz = 180.0 + 40 * len(files)
            files[name] = tone(tmp_path / name, 1.0 + 0.1 * index, hz=hz).read_bytes()
            scores[name] = score
            rows.append(f"{name},{zone},90,Mureka")
    files["refs.csv"] = ("\n".join(rows) + "\n").encode()
    return files, scores


def selected(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


async def vote(h: Harness, pair: EvalPairRecord, rater: str, a: int, b: int) -> None:
    assert pair.card_ts is not None
    before = len(h.fake.calls_to("views.open"))
    message = h.fake.render_message(CHANNEL_ID, pair.card_ts)
    await h.interact(payloads.block_actions(VOTE_ACTION, message=message, user=rater))
    await h.run.bot.wait_idle(10)
    (opened,) = h.fake.calls_to("views.open")[before:]
    view = h.fake.render_view(opened.response["view"]["id"])
    values = {
        SCORE_A: {SCORE_A: selected(str(a))},
        SCORE_B: {SCORE_B: selected(str(b))},
        COMMENT: {COMMENT: payloads.plain_text_value("")},
    }
    await h.interact(payloads.view_submission(view, values=values, user=rater))
    await h.run.bot.wait_idle(10)


@pytest.mark.parametrize("mode", ["socket", "http"])
async def test_import_prepare_start_vote_close_report(
    make_bot: MakeBot, tmp_path: Path, mode: str
) -> None:
    h = await make_bot(mode, slack_channel_post_gap_seconds=0)
    for rater in RATERS:
        h.fake.workspace.add_user(rater, rater.lower())
    files, planned = references(tmp_path)

    mention = payloads.app_mention("eval import q1")
    attach(h, mention, files)
    await h.event(mention)
    (answer,) = await private_answers(h, 1)
    assert f"Session q1: {len(planned)} reference(s) imported" in answer

    await h.slash("eval prepare q1 best-of=1")

    async def ready() -> bool:
        session = await evals.get_session(h.services.db, "q1")
        return session is not None and session.status is EvalStatus.READY

    await h.until(ready, what="the candidates made and the pairs rendered", seconds=PREPARE_S)
    session = await evals.get_session(h.services.db, "q1")
    assert session is not None
    pairs = await evals.list_pairs(h.services.db, session.id)
    assert len(pairs) == len(planned)
    assert {pair.state for pair in pairs} == {PairState.READY}

    raters = ",".join(f"<@{rater}>" for rater in RATERS)
    await h.slash(f"eval start q1 raters={raters}")

    async def cards() -> list[EvalPairRecord] | None:
        posted = await evals.list_pairs(h.services.db, session.id)
        return posted if all(p.card_ts for p in posted) else None

    posted = list(await h.until(cards, what="every pair's vote card"))
    references_by_id = {
        ref.id: ref for ref in await evals.list_references(h.services.db, session.id)
    }
    for pair in posted:
        ace, incumbent = planned[references_by_id[pair.reference_id].original_name]
        a, b = (ace, incumbent) if pair.ace_side == "A" else (incumbent, ace)
        for rater in RATERS:
            await vote(h, pair, rater, a, b)
    assert len(await evals.list_votes(h.services.db, session.id)) == len(RATERS) * len(posted)

    await h.slash("eval close q1")

    async def report() -> Any:
        closed = await evals.get_session(h.services.db, "q1")
        if closed is None or not closed.report_posted or closed.thread_ts is None:
            return None
        thread = h.fake.workspace.thread(CHANNEL_ID, closed.thread_ts)
        return next((m for m in thread if "Overall:" in m.text), None)

    message = await h.until(report, what="the report in the thread")
    shown = f"{message.text} {message.blocks}"
    assert "Overall: PARTIAL" in shown
    for line in ("spa: GO", "hotel-lobby: NO-GO", "cafe: UNDECIDED"):
        assert line in shown
    assert "placeholder" in shown.lower()  # the stand-in's audio is labelled as such
    assert not h.fake.problems
