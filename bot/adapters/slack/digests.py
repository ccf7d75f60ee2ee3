"""Batch digests: one Slack message per batch, posted once and then edited in place.

Part of the publisher's outbox (same rules as job cards): the digest row is written before the
message is posted, the ts is stored the moment Slack returns it, edits are throttled and share the
publisher's per-minute budget, and a failed post or edit is retried with back-off. Once the digest
is up, the batch's tracks are queued as ordinary track posts in its thread (except a listening
test's candidates, which are never posted: its digest shows counts only). A batch larger than
BATCH_POST_ALL_MAX posts only its listening sample (`domain.samples`): each time the digest is
looked at, the parts of the batch whose jobs have all finished are drawn (`storage.samples`) and
only the chosen tracks are queued; the digest says it is a sample and how to ask for more.
"""

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Final

from slack_sdk.errors import SlackApiError

from bot.adapters.slack.claims import first_post
from bot.adapters.slack.context import SlackBot
from bot.adapters.slack.render import rendered_hash
from bot.adapters.slack.render_digest import DigestState, digest_blocks, digest_fallback
from bot.adapters.slack.uploads import describe_error
from bot.engine.batches.estimate import estimate_batch
from domain.records import BatchDigestRecord, BatchRecord, MessageKind
from storage import batches as batches_repo
from storage import samples as samples_repo
from storage import slack as slack_repo
from storage import slack_digests as digests_repo
from storage.batches import BatchTally

log = logging.getLogger(__name__)

SLACK_BATCH_ORIGINS: Final = frozenset({"slack", "schedule"})
MAX_DIGEST_ATTEMPTS: Final = 10
BACKOFF_MAX_S: Final = 300.0


class Digests:
    """Posts and edits batch digests; `take_edit` is the publisher's shared edit budget."""

    def __init__(
        self, bot: SlackBot, *, update_every_s: float, take_edit: Callable[[], bool]
    ) -> None:
        self.bot = bot
        self.update_every_s = update_every_s
        self._take_edit = take_edit
        self._lock = asyncio.Lock()  # a listener posting a digest vs the loop refreshing it
        self._drawn_at: dict[int, tuple[int, int]] = {}  # batch -> (finished jobs, tracks) drawn at

    async def run_once(self) -> None:
        """Adopt orphans, refresh due digests, queue the tracks of posted digests."""
        db = self.bot.services.db
        await digests_repo.adopt_orphan_batches(db, origins=set(SLACK_BATCH_ORIGINS))
        for digest, _batch in await digests_repo.digests_to_refresh(db, now=self.bot.clock()):
            await self.refresh(digest.batch_id)
        await digests_repo.queue_batch_track_posts(db)

    async def refresh(self, batch_id: int) -> None:
        """Post a batch's digest, or edit it when what it shows changed and an edit is allowed."""
        async with self._lock:
            db = self.bot.services.db
            digest = await digests_repo.get_digest(db, batch_id)
            batch = await batches_repo.get_batch(db, batch_id)
            if digest is None or batch is None or (digest.final and digest.ts):
                return
            if digest.ts is not None:
                await self._refresh(digest, batch)
                return
            async with first_post(self.bot, f"slack-digest:{batch_id}") as mine:
                digest = await digests_repo.get_digest(db, batch_id)  # posted by another serve?
                if mine and digest is not None:
                    await self._refresh(digest, batch)

    async def _refresh(self, digest: BatchDigestRecord, batch: BatchRecord) -> None:
        running = "summary" not in batch.details
        if digest.ts is not None and running and not self._edit_due(digest, final=False):
            # Nothing could be shown before the next edit is allowed: the counts, the sample draw
            # and the posted tally (each a read of the whole batch) wait until then, so a
            # 20,000-track batch is not re-read on every publisher pass.
            return
        state = await self._state(batch)
        blocks = digest_blocks(state)
        digest_hash = rendered_hash(blocks)
        settled = state.posted + state.not_posted
        blind = batch.evaluation_id is not None  # a listening test's candidates are never posted
        to_post = state.tally.tracks_made if state.sample is None else state.sample.picked
        final = state.summary is not None and (blind or settled >= to_post)
        if digest.ts is not None and digest_hash == digest.rendered:
            if final:
                await digests_repo.update_digest(self.bot.services.db, batch.id, final=True)
            return
        if digest.ts is not None and not (self._edit_due(digest, final) and self._take_edit()):
            return
        try:
            await self._send(digest, state, blocks)
        except SlackApiError as exc:
            await self._failed(digest, describe_error(exc))
            return
        await digests_repo.update_digest(
            self.bot.services.db,
            batch.id,
            rendered=digest_hash,
            rendered_at=self.bot.clock(),
            final=final,
            attempts=0,
            next_attempt_at=None,
            last_error=None,
        )

    def _edit_due(self, digest: BatchDigestRecord, final: bool) -> bool:
        if final or digest.rendered_at is None:
            return True
        return self.bot.clock() - digest.rendered_at >= timedelta(seconds=self.update_every_s)

    async def _draw(self, batch_id: int, tally: BatchTally) -> None:
        """Draw the listening sample's parts that became ready (only when jobs or tracks changed
        since the last look: a 2,000-track batch is not re-read every second for nothing)."""
        seen = (tally.finished_jobs, tally.tracks_made)
        if self._drawn_at.get(batch_id) == seen:
            return
        await samples_repo.draw_due(self.bot.services.db, batch_id)
        self._drawn_at[batch_id] = seen

    async def _state(self, batch: BatchRecord) -> DigestState:
        services = self.bot.services
        tally = await batches_repo.tally(services.db, batch.id)
        sample = await samples_repo.counts(services.db, batch.id)
        if sample is not None:
            await self._draw(batch.id, tally)
            sample = await samples_repo.counts(services.db, batch.id)
        posted, not_posted = await digests_repo.posted_in_batch(services.db, batch.id)
        eta = None
        if tally.unfinished:
            estimate = await estimate_batch(
                services.servers, tracks=0, jobs=tally.unfinished, cost_per_hour=None
            )
            eta = estimate.wall_seconds
        return DigestState(
            batch,
            tally,
            posted,
            eta,
            placeholder=services.placeholder_engine,
            not_posted=not_posted,
            sample=sample,
        )

    async def _send(
        self, digest: BatchDigestRecord, state: DigestState, blocks: list[dict[str, object]]
    ) -> None:
        client = self.bot.client
        text = digest_fallback(state)
        if digest.ts is not None:
            await client.chat_update(
                channel=digest.channel_id, ts=digest.ts, text=text, blocks=blocks
            )
            return
        response = await client.chat_postMessage(
            channel=digest.channel_id, text=text, blocks=blocks
        )
        ts = str(response["ts"])
        db = self.bot.services.db
        await digests_repo.update_digest(db, digest.batch_id, ts=ts)
        await slack_repo.remember_message(
            db,
            channel_id=digest.channel_id,
            ts=ts,
            kind=MessageKind.BATCH,
            batch_id=digest.batch_id,
        )

    async def _failed(self, digest: BatchDigestRecord, reason: str) -> None:
        attempts = digest.attempts + 1
        log.warning("digest of batch %s not sent (try %d): %s", digest.batch_id, attempts, reason)
        delay = min(float(2 ** (attempts - 1)), BACKOFF_MAX_S)
        await digests_repo.update_digest(
            self.bot.services.db,
            digest.batch_id,
            attempts=attempts,
            last_error=reason,
            final=attempts >= MAX_DIGEST_ATTEMPTS,
            next_attempt_at=self.bot.clock() + timedelta(seconds=delay),
        )
