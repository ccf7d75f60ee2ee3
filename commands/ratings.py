"""`/music top`: the best-rated tracks of the last week, by summed reaction scores."""

from datetime import UTC, datetime, timedelta

from commands.context import Caller
from commands.ports import CommandServices
from commands.replies import Reply
from storage import ratings as ratings_repo

TOP_DAYS = 7
TOP_LIMIT = 10


async def top(text: str, services: CommandServices, caller: Caller) -> Reply:
    """top — the best-rated tracks of the last 7 days"""
    since = datetime.now(UTC) - timedelta(days=TOP_DAYS)
    best = await ratings_repo.top_tracks(
        services.db, since=since, limit=TOP_LIMIT, hide_blinded=True
    )
    lines = tuple(
        f"track {item.track.id} (job {item.track.job_id} v{item.track.variant}): "
        f"score {item.score:+g} from {item.ratings} rating(s) — {item.track.caption[:80]}"
        for item in best
    )
    return Reply(
        title=f"Top tracks, last {TOP_DAYS} days",
        text="Rated by reactions on the tracks in Slack." if lines else "No ratings yet.",
        lines=lines,
        ephemeral=True,
    )
