"""`/music stats [7d|30d|all]`: the figures of `storage.stats` as an answer with its chart."""

import asyncio
from datetime import UTC, datetime
from typing import Final

from commands.context import Caller
from commands.ports import CommandServices
from commands.replies import Reply, ReplyFile
from commands.stats.chart import charted, stats_png
from commands.stats.figures import Period, headline, parse_period, stats_lines
from domain.stats import RatingStats
from storage import stats as stats_repo
from storage.database import Database

CHART_NAME: Final = "stats.png"


async def gather(db: Database, period: Period) -> RatingStats:
    """The figures of the period (blinded listening-test candidates left out)."""
    return await stats_repo.gather(db, since=period.since(datetime.now(UTC)))


async def chart_file(stats: RatingStats, period: Period) -> ReplyFile | None:
    """The chart, or None when no preset has ratings to draw."""
    if not charted(stats):
        return None
    data = await asyncio.to_thread(stats_png, stats, period)
    return ReplyFile(CHART_NAME, data, f"Mean score per preset, {period.label}")


async def stats_reply(stats: RatingStats, period: Period) -> Reply:
    """The answer: headline, the sections, and the chart (when there is something to draw)."""
    title = f"Ratings insight, {period.label}"
    if stats.made == 0:
        return Reply(title=title, text=headline(stats, period), ephemeral=True)
    chart = await chart_file(stats, period)
    lines = stats_lines(stats)
    if chart is None:
        lines.append(f"No chart: no track has a rating yet ({period.label}).")
    return Reply(
        title=title,
        text=headline(stats, period),
        lines=tuple(lines),
        files=() if chart is None else (chart,),
    )


async def stats(text: str, services: CommandServices, caller: Caller) -> Reply:
    """stats [7d|30d|all] — ratings, approvals and audio checks per preset, model and rater"""
    period = parse_period(text)
    return await stats_reply(await gather(services.db, period), period)
