"""`/music stats`: the period, the words, the table, the JSON and the chart from known figures."""

import io
import json

import pytest
from PIL import Image

from bot.services import Services
from commands.context import Caller
from commands.errors import UsageError
from commands.replies import Reply
from commands.router import handle
from commands.stats.chart import PLACEHOLDER_CHART_NOTE, stats_png
from commands.stats.figures import (
    PLACEHOLDER_NOTE,
    TABLE_HEADER,
    Period,
    format_table,
    group_line,
    headline,
    parse_period,
    stats_json,
    table_rows,
)
from domain.stats import GroupFigures, RaterFigures, RatingStats
from storage import jobs, tracks
from storage.schema import utcnow
from tests.storage.test_stats import scenario
from tests.storage.test_tracks_and_leases import track_fields

CALLER = Caller("test", user_id="U1")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def say(services: Services, text: str) -> Reply:
    return await handle(text, services, CALLER)


@pytest.mark.parametrize(
    ("text", "days", "label"),
    [("", 30, "last 30 days"), ("7d", 7, "last 7 days"), ("ALL", None, "all time"),
     ("90 days", 90, "last 90 days"), ("1d", 1, "last day")],
)  # fmt: skip
def test_periods(text: str, days: int | None, label: str) -> None:
    period = parse_period(text)
    assert (period.days, period.label) == (days, label)


@pytest.mark.parametrize(
    ("text", "message"),
    [("fortnight", "'fortnight' is not a period: use 7d, 30d, all"),
     ("0d", "The period must be 1 to 3650 days"), ("99999d", "The period must be 1 to 3650")],
)  # fmt: skip
def test_unknown_periods_are_refused_specifically(text: str, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_period(text)
    assert raised.value.message.startswith(message)


def figures(**groups: tuple[GroupFigures, ...]) -> RatingStats:
    presets = groups.get("presets", ())
    real = [g for g in presets if not g.placeholder]
    fake = [g for g in presets if g.placeholder]

    def total(rows: list[GroupFigures], placeholder: bool) -> GroupFigures:
        return GroupFigures(
            "all", placeholder, made=sum(g.made for g in rows), rated=sum(g.rated for g in rows),
            ratings=sum(g.ratings for g in rows), score_sum=sum(g.score_sum for g in rows),
            approved=sum(g.approved for g in rows), rejected=sum(g.rejected for g in rows),
            qc_failed=sum(g.qc_failed for g in rows),
        )  # fmt: skip

    return RatingStats(
        since=None, until=utcnow(), presets=presets, models=(), lm_models=(),
        raters=(RaterFigures("U1", False, rated=2, score_sum=7.0, approved=1),),
        real=total(real, False), placeholder=total(fake, True),
    )  # fmt: skip


LOBBY = GroupFigures("lobby", False, made=4, rated=3, ratings=5, score_sum=16.0, approved=3,
                     rejected=1, qc_failed=1)  # fmt: skip
STANDIN = GroupFigures(None, True, made=2, rated=1, ratings=1, score_sum=2.0)


def test_lines_mark_placeholder_rows_and_keep_them_out_of_the_headline() -> None:
    stats = figures(presets=(LOBBY, STANDIN))
    assert group_line("lobby", LOBBY) == (
        "lobby: 4 made, 3 rated, mean 3.20 (n=5), 3/4 approved (75%), 1 audio-check failure"
    )
    assert group_line("(no preset)", STANDIN) == (
        "[placeholder] (no preset): 2 made, 1 rated, mean 2.00 (n=1), none decided, "
        "0 audio-check failures"
    )
    assert headline(stats, Period(30)) == (
        "ACE-Step tracks, last 30 days: 4 made, 3 rated, mean score 3.20 (n=5), "
        "3/4 approved (75%), 1 audio-check failure(s)."
    )
    only_fake = figures(presets=(STANDIN,))
    assert headline(only_fake, Period(7)) == (
        "No ACE-Step tracks in the last 7 days: all 2 were placeholder tracks of the built-in "
        "stand-in."
    )
    assert headline(only_fake, Period(None)).startswith("No ACE-Step tracks so far: all 2 were")
    assert headline(figures(), Period(7)) == "No tracks made in the last 7 days."
    assert headline(figures(), Period(None)) == "No tracks made yet."


def test_table_and_json_list_every_row() -> None:
    stats = figures(presets=(LOBBY, STANDIN))
    rows = table_rows(stats)
    assert rows[0] == (
        "preset", "lobby", "", "4", "3", "5", "3.20", "3", "1", "75%", "1", "–", "–",
    )  # fmt: skip
    assert rows[1] == (
        "preset", "(no preset)", "yes", "2", "1", "1", "2.00", "0", "0", "–", "0", "–", "–",
    )  # fmt: skip
    assert ("rater", "U1", "", "", "2", "2", "3.50", "1", "0", "", "", "", "") in rows
    table = format_table(TABLE_HEADER, rows).splitlines()
    assert table[0].split()[:3] == ["section", "name", "placeholder"]
    assert len(table) == 1 + len(rows)
    document = stats_json(stats, Period(None))
    assert document["period"] == "all"
    assert document["ace_step"]["mean_score"] == 3.2
    assert document["ace_step"]["approval_rate"] == 0.75
    assert document["placeholder"]["made"] == 2
    assert [p["placeholder"] for p in document["presets"]] == [False, True]
    json.dumps(document)  # serialisable as is


def test_the_chart_is_a_png_with_the_placeholder_note_when_placeholders_are_drawn() -> None:
    png = stats_png(figures(presets=(LOBBY, STANDIN)), Period(30))
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.width >= 500
    plain = stats_png(figures(presets=(LOBBY,)), Period(30))
    assert plain.startswith(PNG_SIGNATURE)
    assert plain != png  # the note and the grey bar are drawn only with placeholders
    assert "PLACEHOLDER" in PLACEHOLDER_CHART_NOTE


async def test_stats_command_on_the_real_services(services: Services) -> None:
    empty = await say(services, "/music stats 7d")
    assert empty.text == "No tracks made in the last 7 days."
    assert empty.files == ()
    await scenario(services.db)
    reply = await say(services, "/music stats")
    assert reply.ok
    assert reply.title == "Ratings insight, last 30 days"
    assert reply.text == (
        "ACE-Step tracks, last 30 days: 3 made, 3 rated, mean score 3.25 (n=4), "
        "2/3 approved (67%), 1 audio-check failure(s)."
    )
    assert "By preset:" in reply.lines
    assert (
        "  lobby: 2 made, 2 rated, mean 3.00 (n=3), 1/2 approved (50%), 1 audio-check failure"
    ) in reply.lines
    assert (
        "  [placeholder] (no preset): 1 made, 1 rated, mean 2.00 (n=1), 1/1 approved (100%), "
        "1 audio-check failure"
    ) in reply.lines
    assert "  U1: rated 2, mean given 4.50" in reply.lines
    assert "  A1: rated 0, mean given –; decided 1 approved, 1 rejected" in reply.lines
    assert PLACEHOLDER_NOTE in reply.lines
    [chart] = reply.files
    assert chart.name == "stats.png"
    assert chart.data.startswith(PNG_SIGNATURE)
    wrong = await say(services, "/music stats lately")
    assert not wrong.ok
    assert wrong.text.startswith("'lately' is not a period")
    assert wrong.example == "/music stats 7d"


async def test_tracks_without_ratings_say_so_and_have_no_chart(services: Services) -> None:
    job = await jobs.create_job(services.db, request={"preset_id": "spa"}, origin="cli")
    await tracks.add_track(services.db, job_id=job.id, variant=1, **track_fields())
    reply = await say(services, "stats all")
    assert reply.text == (
        "ACE-Step tracks, all time: 1 made, 0 rated (no ratings yet), none decided, "
        "0 audio-check failure(s)."
    )
    assert reply.files == ()
    assert "No chart: no track has a rating yet (all time)." in reply.lines
