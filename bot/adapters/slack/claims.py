"""Several `serve` processes on one database: who posts a Slack message for the first time.

A card or a batch digest is posted once and then only edited. Each process already serialises
its own first post with a lock; across processes the first post is taken with a named lease row
(`storage.leases`, one per message, given up once the ts is stored), so two serves never both post
the same card or digest. A process killed while holding one leaves it to expire after
WORK_CLAIM_SECONDS. Track uploads are claimed per post row instead (`storage.slack`).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from bot.adapters.slack.context import SlackBot
from storage.leases import acquire_lease, release_lease


@asynccontextmanager
async def first_post(bot: SlackBot, name: str) -> AsyncIterator[bool]:
    """True inside the block when this process may post message `name` now (then released)."""
    services = bot.services
    holder = services.engine.holder
    now: datetime = bot.clock()
    held = await acquire_lease(
        services.db,
        name=name,
        holder=holder,
        ttl_s=services.settings.work_claim_seconds,
        now=now,
    )
    try:
        yield held
    finally:
        if held:
            await release_lease(services.db, name=name, holder=holder)
