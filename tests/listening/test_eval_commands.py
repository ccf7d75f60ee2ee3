"""`eval start`, `eval close`, `eval report` and votes through the shared command path, on a
session planted through storage (`tests/listening/planted.py`), with the real composition root.

The report's figures are checked against the test's own computation from the planted scores:
the ratio of means and the Wilson interval worked out here from their formulas, the bootstrap
interval through the verdicts of the three planted zones (clearly GO, clearly NO-GO, UNDECIDED).
"""

import csv
import json
import math
from collections.abc import AsyncIterator
from pathlib import Path
from statistics import NormalDist

import pytest

from bot.services import Services, open_services
from commands.context import Caller
from commands.evaluation.report import more_votes_text
from commands.evaluation.votes import BadVote, cast_vote, parse_vote_line
from commands.router import handle
from domain.evaluations import EvalStatus
from storage import evaluations as evals
from storage.evaluations import VoteOutcome
from tests.conftest import make_settings
from tests.listening.planted import (
    PLAN,
    RATERS,
    SERVER_SECONDS,
    Planted,
    ab_scores,
    plant_session,
)

OWNER = Caller("slack", "U0OWNER", "C0LISTEN")
STRANGER = Caller("slack", "U0STRANGER", "C0LISTEN")
ADMIN = Caller("slack", "U0ADMIN", "C0LISTEN", admin=True)
OPERATOR = Caller("cli", "cli")
GPU_PER_HOUR = 2.0


@pytest.fixture
async def priced(tmp_path: Path) -> AsyncIterator[Services]:
    """Services with GPU_COST_PER_HOUR set (the default fixture leaves it unset)."""
    settings = make_settings(tmp_path, gpu_cost_per_hour=GPU_PER_HOUR)
    async with open_services(settings) as built:
        yield built


async def plant(services: Services) -> Planted:
    return await plant_session(services.db, services.settings.output_dir)


async def vote_all(services: Services, planted: Planted, raters: tuple[str, ...] = RATERS) -> None:
    """Every rater gives every pair its planted scores."""
    for rater in raters:
        for pair in planted.pairs:
            a, b = ab_scores(pair, *planted.scores[pair.id])
            answer = await cast_vote(services.db, pair, rater, score_a=a, score_b=b)
            assert answer.ok, answer.text


async def session_status(services: Services) -> EvalStatus:
    found = await evals.get_session(services.db, "q1")
    assert found is not None
    return found.status


async def test_only_the_owner_an_admin_or_the_operator_may_start(services: Services) -> None:
    await plant(services)
    refused = await handle("/music eval start q1", services, STRANGER)
    assert not refused.ok
    assert "Only the person who created" in refused.text
    assert await session_status(services) is EvalStatus.READY
    started = await handle("/music eval start q1", services, OWNER)
    assert started.ok, started.plain()
    assert "are being posted in <#C0LISTEN>" in started.text
    session = await evals.get_session(services.db, "q1")
    assert session is not None
    assert (session.status, session.channel_id) == (EvalStatus.LISTENING, "C0LISTEN")
    assert session.started_at is not None
    again = await handle("eval start q1 raters=<@U0ANA>,<@U0BEN|ben>", services, ADMIN)
    assert again.ok, again.plain()
    session = await evals.get_session(services.db, "q1")
    assert session is not None
    assert session.raters == ["U0ANA", "U0BEN"]
    assert "<@U0ANA>, <@U0BEN>" in again.plain()


async def test_the_terminal_opens_voting_without_posting(services: Services) -> None:
    await plant(services)
    reply = await handle("eval start q1", services, OPERATOR)
    assert reply.ok
    assert "Nothing was posted to Slack" in reply.text
    session = await evals.get_session(services.db, "q1")
    assert session is not None
    assert session.channel_id is None
    assert session.status is EvalStatus.LISTENING


async def test_start_reads_the_channel_and_a_user_group(services: Services) -> None:
    await plant(services)
    reply = await handle(
        "eval start q1 <#C0OTHER|listening> raters=<!subteam^S0LISTEN|@listeners>",
        services,
        OWNER,
    )
    assert reply.ok, reply.plain()
    session = await evals.get_session(services.db, "q1")
    assert session is not None
    assert (session.channel_id, session.rater_group) == ("C0OTHER", "S0LISTEN")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("eval start Q 1", "'1' is not understood here"),
        ("eval start q!", "not a session name"),
        ("eval start q1 #listening", "arrived as plain text"),
        ("eval start q1 raters=@ana", "'@ana' is not a person or a user group"),
        ("eval start q1 raters=", "raters= needs"),
        ("eval nothing q1", "'nothing' is not an eval command"),
    ],
)
async def test_bad_start_input_gets_a_specific_usage_reply(
    services: Services, text: str, words: str
) -> None:
    await plant(services)
    reply = await handle(text, services, OWNER)
    assert not reply.ok
    assert words in reply.text, reply.plain()
    assert reply.example


async def test_start_refuses_unready_and_closed_sessions(services: Services) -> None:
    session, _ = await evals.get_or_create_session(
        services.db, "fresh", origin="cli", owner=None, seed=1
    )
    unready = await handle("eval start fresh", services, OPERATOR)
    assert not unready.ok
    assert "not ready yet (collecting)" in unready.text
    missing = await handle("eval start nosuch", services, OPERATOR)
    assert not missing.ok
    assert "There is no listening session 'nosuch'" in missing.text
    await plant(services)
    await handle("eval start q1", services, OWNER)
    await handle("eval close q1", services, OWNER)
    closed = await handle("eval start q1", services, OWNER)
    assert not closed.ok
    assert "closed; its votes are final" in closed.text
    assert session.status is EvalStatus.COLLECTING


async def test_only_the_owner_or_an_admin_may_close(services: Services) -> None:
    planted = await plant(services)
    not_started = await handle("eval close q1", services, OWNER)
    assert not not_started.ok
    assert "not open for votes (ready)" in not_started.text
    await handle("eval start q1", services, OWNER)
    await vote_all(services, planted, RATERS[:2])
    refused = await handle("eval close q1", services, STRANGER)
    assert not refused.ok
    assert "Only the person who created" in refused.text
    assert await session_status(services) is EvalStatus.LISTENING
    closed = await handle("eval close q1", services, ADMIN)
    assert closed.ok, closed.plain()
    votes = 2 * len(planted.pairs)
    assert (
        f"{votes} vote(s) recorded from 2 rater(s) on {len(planted.pairs)} pair(s)" in closed.text
    )
    session = await evals.get_session(services.db, "q1")
    assert session is not None
    assert (session.status, session.closed_by) == (EvalStatus.CLOSED, "U0ADMIN")
    twice = await handle("eval close q1", services, OWNER)
    assert not twice.ok
    assert "already closed" in twice.text


async def test_a_second_vote_changes_the_first_and_votes_after_close_are_refused(
    services: Services,
) -> None:
    planted = await plant(services)
    pair = planted.pairs[0]
    early = await cast_vote(services.db, pair, "U0ANA", score_a=3, score_b=3)
    assert not early.ok
    assert "not open for votes yet" in early.text
    await handle("eval start q1", services, OWNER)
    first = await cast_vote(services.db, pair, "U0ANA", score_a=3, score_b=3)
    second = await cast_vote(services.db, pair, "U0ANA", score_a=5, score_b=1, comment="  B\nflat ")
    assert (first.outcome, second.outcome) == (VoteOutcome.RECORDED, VoteOutcome.CHANGED)
    assert "changed: A 5, B 1" in second.text
    votes = await evals.list_votes(services.db, planted.session.id)
    assert [(v.rater, v.score_a, v.score_b, v.comment) for v in votes] == [
        ("U0ANA", 5, 1, "B flat")
    ]
    await handle("eval close q1", services, OWNER)
    late = await cast_vote(services.db, pair, "U0ANA", score_a=1, score_b=1)
    assert not late.ok
    assert "closed; your vote was not recorded" in late.text
    kept = await evals.get_vote(services.db, pair.id, "U0ANA")
    assert kept is not None
    assert (kept.score_a, kept.score_b) == (5, 1)


async def test_raters_outside_the_list_or_group_are_refused(services: Services) -> None:
    planted = await plant(services)
    pair = planted.pairs[0]
    await handle("eval start q1 raters=<@U0ANA>,<!subteam^S0GROUP>", services, OWNER)
    outsider = await cast_vote(services.db, pair, "U0OUT", score_a=4, score_b=4)
    assert not outsider.ok
    assert "not one of the raters" in outsider.text
    listed = await cast_vote(services.db, pair, "U0ANA", score_a=4, score_b=4)
    member = await cast_vote(services.db, pair, "U0MEM", score_a=4, score_b=4, in_group=True)
    assert listed.ok
    assert member.ok
    too_long = await cast_vote(services.db, pair, "U0ANA", score_a=4, score_b=4, comment="x" * 201)
    assert not too_long.ok
    assert "keep it to 200" in too_long.text
    out_of_range = await cast_vote(services.db, pair, "U0ANA", score_a=6, score_b=4)
    assert not out_of_range.ok
    assert "from 1 to 5" in out_of_range.text
    raters = {vote.rater for vote in await evals.list_votes(services.db, planted.session.id)}
    assert raters == {"U0ANA", "U0MEM"}


def test_typed_votes_are_read_or_explained() -> None:
    assert parse_vote_line("4 3 nice strings") == (4, 3, "nice strings")
    assert parse_vote_line(" 5,1") == (5, 1, None)
    for bad in ("4", "0 3", "4 6", "a b", ""):
        with pytest.raises(BadVote, match="from 1 to 5"):
            parse_vote_line(bad)


async def test_the_report_is_refused_before_close_and_leaks_nothing(services: Services) -> None:
    planted = await plant(services)
    await handle("eval start q1", services, OWNER)
    await vote_all(services, planted)
    reply = await handle("eval report q1", services, OWNER)
    assert not reply.ok
    assert "not closed yet (listening)" in reply.text
    assert "GO" not in reply.plain()
    assert "ratio" not in reply.plain()
    assert not (services.settings.output_dir / "eval" / "q1" / "report.json").exists()


def wilson(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval, from its formula."""
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_the_wilson_formula_here_gives_the_issue_example() -> None:
    low, high = wilson(8, 10)
    assert (round(low, 3), round(high, 3)) == (0.490, 0.943)


async def test_report_figures_equal_an_independent_computation(priced: Services) -> None:
    planted = await plant(priced)
    await handle("eval start q1", priced, OWNER)
    await vote_all(priced, planted)
    await handle("eval close q1", priced, OWNER)
    reply = await handle("eval report q1", priced, OWNER)
    assert reply.ok, reply.plain()
    folder = priced.settings.output_dir / "eval" / "q1"
    document = json.loads((folder / "report.json").read_text())
    zones = {zone["zone"]: zone for zone in document["zones"]}
    assert set(zones) == set(PLAN)
    for zone, rows in PLAN.items():
        figures = zones[zone]
        ace = [a for a, _ in rows] * len(RATERS)
        incumbent = [i for _, i in rows] * len(RATERS)
        assert figures["votes"] == len(rows) * len(RATERS)
        assert figures["raters"] == len(RATERS)
        assert figures["mean_ace"] == pytest.approx(sum(ace) / len(ace))
        assert figures["ratio"] == pytest.approx(sum(ace) / sum(incumbent))
        wins = sum(a >= i for a, i in rows)
        assert figures["pairs_at_least_as_good"] == wins
        low, high = wilson(wins, len(rows))
        assert figures["share_interval"]["low"] == pytest.approx(low)
        assert figures["share_interval"]["high"] == pytest.approx(high)
    assert zones["spa"]["verdict"] == "GO"
    assert zones["hotel-lobby"]["verdict"] == "NO-GO"
    assert zones["cafe"]["verdict"] == "UNDECIDED"
    assert zones["cafe"]["more_votes_needed"] >= 1
    assert document["overall"] == "PARTIAL"
    assert document["undecided_zones"] == ["cafe"]
    assert [m["zone"] for m in document["missing_candidates"]] == ["spa"]
    assert "all 2 variants failed" in document["missing_candidates"][0]["reason"]
    assert {r["rater"]: r["votes"] for r in document["raters"]} == dict.fromkeys(
        RATERS, len(planted.pairs)
    )
    # cost: every job (the failed one too, submit-to-done 90 s), per READY pair, priced
    jobs = len(planted.pairs) + 1
    seconds = len(planted.pairs) * SERVER_SECONDS + 90.0
    cost = document["cost"]
    assert cost["jobs"] == jobs
    assert cost["gpu_seconds_per_track"] == pytest.approx(seconds / len(planted.pairs))
    assert cost["cost_per_track"] == pytest.approx(
        seconds / len(planted.pairs) * GPU_PER_HOUR / 3600
    )
    assert cost["incumbent_cost_per_track"] == pytest.approx(0.058)
    assert cost["time_sources"] == {"server time cost": jobs - 1, "submit-to-done": 1}
    assert document["placeholder_audio"] is True
    # the reply: verdict lines, overall, agreement, cost, method, placeholder audio
    text = reply.plain()
    for line in ("spa: GO", "hotel-lobby: NO-GO", "cafe: UNDECIDED — over 1000 more votes needed"):
        assert line in text
    for words in (
        "Overall: PARTIAL",
        "Krippendorff",
        "vs incumbent $0.0580",
        "Method:",
        "placeholder audio",
    ):
        assert words in text
    rows = list(csv.reader((folder / "report.csv").read_text().splitlines()))
    assert rows[0][0] == "zone"
    assert rows[-1][0] == "ALL"
    assert (folder / "report.png").read_bytes().startswith(b"\x89PNG")


async def test_without_a_gpu_price_the_cost_section_says_so(services: Services) -> None:
    planted = await plant(services)
    await handle("eval start q1", services, OPERATOR)
    await vote_all(services, planted, RATERS[:1])
    await handle("eval close q1", services, OPERATOR)
    reply = await handle("eval report q1", services, OPERATOR)
    assert "GPU_COST_PER_HOUR not set" in reply.plain()
    document = json.loads(
        (services.settings.output_dir / "eval" / "q1" / "report.json").read_text()
    )
    assert document["cost"] is None
    assert document["cost_note"] == "GPU_COST_PER_HOUR not set"


async def test_report_csv_cells_cannot_start_a_formula(services: Services) -> None:
    planted = await plant(services)
    await handle("eval start q1", services, OPERATOR)
    pair = planted.pairs[0]
    await cast_vote(services.db, pair, "=HYPERLINK(1)", score_a=3, score_b=3)
    await handle("eval close q1", services, OPERATOR)
    await handle("eval report q1", services, OPERATOR)
    text = (services.settings.output_dir / "eval" / "q1" / "report.csv").read_text()
    assert "=HYPERLINK" not in text.replace("'=HYPERLINK", "")


async def test_a_session_closed_without_votes_still_gets_its_report(
    services: Services,
) -> None:
    await plant(services)
    await handle("eval start q1", services, OPERATOR)
    await handle("eval close q1", services, OPERATOR)
    reply = await handle("eval report q1", services, OPERATOR)
    assert reply.ok, reply.plain()
    assert "Overall: NO-GO" in reply.text
    assert "spa: UNDECIDED (no votes)" in reply.plain()
    folder = services.settings.output_dir / "eval" / "q1"
    assert (folder / "report.png").read_bytes().startswith(b"\x89PNG")


async def test_the_pairs_go_only_to_an_allowed_channel(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, slack_allowed_channels=["C0LISTEN"])
    async with open_services(settings) as services:
        await plant(services)
        elsewhere = await handle("eval start q1 <#C0OTHER>", services, OWNER)
        assert not elsewhere.ok
        assert "can only be posted in <#C0LISTEN>" in elsewhere.text
        assert await session_status(services) is EvalStatus.READY
        here = await handle("eval start q1", services, OWNER)
        assert here.ok, here.plain()


def test_more_votes_wording_at_and_below_the_cap() -> None:
    assert more_votes_text(12, 1_000) == "about 12 more votes needed"
    assert more_votes_text(1_000, 1_000).startswith("over 1000 more votes needed: the ratio is")
