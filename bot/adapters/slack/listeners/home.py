"""The App Home tab: your recent jobs, this week's best-rated tracks, the last 30 days' ratings
insight (the headline of `/music stats`), and server health.

People the allow-list (SLACK_ALLOWED_USERS) leaves out see only that they are not on it.
"""

from datetime import timedelta
from typing import Any, Final

from slack_bolt.async_app import AsyncApp

from bot.adapters.slack.context import SlackBot
from bot.adapters.slack.escape import escape_mrkdwn
from bot.adapters.slack.render import Block, clip, context, section
from bot.engine.health import probe_all
from commands.listing import describe_job
from commands.stats.figures import Period, headline, placeholder_line
from commands.status import describe_server
from domain.stats import RatingStats
from storage import jobs as jobs_repo
from storage import ratings as ratings_repo
from storage import stats as stats_repo

RECENT_JOBS: Final = 10
TOP_TRACKS: Final = 5
INSIGHT_PERIOD: Final = Period(30)
NO_RATINGS: Final = "No ratings yet: react to a track with 👍 🔥 or 1️⃣–5️⃣."


def register(app: AsyncApp, bot: SlackBot) -> None:
    """Wire the Home tab."""

    async def opened(event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = str(event["user"])
        await bot.client.views_publish(user_id=user_id, view=await home_view(bot, user_id))

    app.event("app_home_opened")(bot.drained(opened))


async def home_view(bot: SlackBot, user_id: str) -> dict[str, Any]:
    """The Home tab of one person."""
    refusal = bot.policy.check_person(user_id)
    if refusal is not None:
        return {"type": "home", "blocks": [section(escape_mrkdwn(refusal.text))]}
    db = bot.services.db
    mine = await jobs_repo.list_jobs(db, requested_by=user_id, hide_blinded=True, limit=RECENT_JOBS)
    best = await ratings_repo.top_tracks(
        db, since=bot.clock() - timedelta(days=7), limit=TOP_TRACKS, hide_blinded=True
    )
    insight = await stats_repo.gather(db, since=INSIGHT_PERIOD.since(bot.clock()))
    reports = await probe_all(bot.services.servers)
    blocks: list[Block] = [
        section(
            "*🎵 ACE Music* — type `/music` and what you need, e.g. `/music hotel lobby jazz 3min`."
        ),
        {"type": "divider"},
        section("*Your recent jobs*\n" + _lines([describe_job(job) for job in mine], "None yet.")),
        section("*Best rated this week*\n" + _lines([_scored(t) for t in best], NO_RATINGS)),
        section(f"*Ratings insight, {INSIGHT_PERIOD.label}*\n" + _insight(insight)),
        section("*ACE-Step servers*\n" + _lines([describe_server(r) for r in reports], "none")),
        context("Placeholder audio comes from the built-in stand-in and is not AI music."),
    ]
    return {"type": "home", "blocks": blocks}


def _insight(stats: RatingStats) -> str:
    """The headline of `/music stats` (ACE-Step tracks), the placeholder totals apart."""
    lines = [headline(stats, INSIGHT_PERIOD)]
    if (extra := placeholder_line(stats)) is not None:
        lines.append(extra)
    text = "\n".join(escape_mrkdwn(line) for line in lines)
    return clip(f"{text}\nPer preset, model and rater, with a chart: `/music stats`", 2900)


def _scored(item: ratings_repo.TrackScore) -> str:
    track = item.track
    return f"track {track.id} (job {track.job_id}): {item.score:+g} — {track.caption[:60]}"


def _lines(lines: list[str], empty: str) -> str:
    return clip("\n".join(f"• {escape_mrkdwn(line)}" for line in lines) if lines else empty, 2900)
