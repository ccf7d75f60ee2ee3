"""The publisher: posts and updates job cards, and posts finished tracks into their threads.

An outbox over the database. Every step is recorded before the next one starts, so after a crash
it resumes where it stopped: a card is posted once and then only edited; a track's upload is
checked with Slack (`files.info`) before anything is uploaded again, so nothing is posted twice.
Card edits are throttled (one per stage change, progress at most every `update_every_s`, and at
most `updates_per_minute` across all cards: `chat.update` is Tier 3); tracks are paced to one
post per second per channel (Slack's per-channel message rate). Batch digests (`digests.py`)
and listening sessions (`evaluation_posts.py`) share the edit budget; a batch's tracks are paced
like any others, after people's own. A track
Slack keeps refusing (`MAX_POST_ATTEMPTS`) is shown on its card as not posted, with the reason. The
loop also forgets handled event ids and button-click keys once they are a day old.
"""

import asyncio
import logging
import time
from collections import deque
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

import httpx
from slack_sdk.errors import SlackApiError

from bot.adapters.slack import reactions
from bot.adapters.slack.claims import first_post
from bot.adapters.slack.context import SlackBot
from bot.adapters.slack.digests import Digests
from bot.adapters.slack.evaluation_posts import ListeningPoster
from bot.adapters.slack.render import (
    Block,
    CardState,
    card_blocks,
    card_fallback,
    rendered_hash,
    track_comment,
)
from bot.adapters.slack.uploads import (
    SlackFiles,
    UploadFailed,
    describe_error,
    message_ts,
    preview_for,
)
from bot.waiting import nap
from domain.records import (
    SETTLED_POST_STATES,
    JobRecord,
    JobStatus,
    MessageKind,
    SlackCardRecord,
    TrackPostRecord,
    TrackPostState,
    TrackRecord,
)
from storage import jobs as jobs_repo
from storage import slack as slack_repo
from storage import tracks as tracks_repo

log = logging.getLogger(__name__)

LOOP_S: Final = 1.0
CHANNEL_GAP_S: Final = 1.0  # at most one track post per channel per second
MAX_POST_ATTEMPTS: Final = 8
MAX_CARD_ATTEMPTS: Final = 10
BACKOFF_MAX_S: Final = 300.0
RESOLVE_BACKOFF_MAX_S: Final = 60.0
KEYS_KEPT: Final = timedelta(days=1)  # event ids and click keys (Slack retries for minutes)
FORGET_EVERY: Final = timedelta(hours=1)
SEND_ERRORS = (SlackApiError, UploadFailed, httpx.HTTPError, OSError)


class RateLimiter:
    """At most `per_minute` takes in any 60-second window."""

    def __init__(self, per_minute: int) -> None:
        self._per_minute = per_minute
        self._taken: deque[float] = deque()

    def take(self) -> bool:
        now = time.monotonic()
        while self._taken and now - self._taken[0] >= 60:
            self._taken.popleft()
        if len(self._taken) >= self._per_minute:
            return False
        self._taken.append(now)
        return True


class Publisher:
    """Keeps Slack in step with the database."""

    def __init__(
        self,
        bot: SlackBot,
        files: SlackFiles,
        *,
        update_every_s: float,
        updates_per_minute: int,
        channel_gap_s: float = CHANNEL_GAP_S,
    ) -> None:
        self.bot = bot
        self.files = files
        self.update_every_s = update_every_s
        self.channel_gap_s = channel_gap_s
        self._limiter = RateLimiter(updates_per_minute)
        self.digests = Digests(bot, update_every_s=update_every_s, take_edit=self._limiter.take)
        self.listening = ListeningPoster(
            bot, files, channel_gap_s=channel_gap_s, take_edit=self._limiter.take
        )
        self._wake = asyncio.Event()
        self._last_post: dict[str, float] = {}
        self._forgot_at: datetime | None = None
        # One card operation at a time: the listener posting a new card and the loop refreshing
        # cards must not both see "not posted yet" and post it twice.
        self._cards = asyncio.Lock()

    def wake(self) -> None:
        """Look for work now rather than at the next loop."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set; one failed pass is logged and the loop goes on."""
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                log.exception("publisher pass failed; retrying shortly")
            await nap(self._wake, stop, LOOP_S)

    async def run_once(self) -> None:
        """One pass: cards first (a person is watching them), then tracks."""
        db = self.bot.services.db
        await slack_repo.adopt_orphan_jobs(db)
        for card, _job in await slack_repo.cards_to_refresh(db, now=self.bot.clock()):
            await self.refresh_card(card.job_id)
        await self.digests.run_once()
        await self.listening.run_once()
        await slack_repo.queue_track_posts(db)
        now = self.bot.clock()
        for post in await slack_repo.due_track_posts(
            db, now=now, states={TrackPostState.PENDING, TrackPostState.UPLOADING}
        ):
            await self._upload(post)
        for post in await slack_repo.due_track_posts(db, now=now, states={TrackPostState.SHARED}):
            await self._resolve(post)
        await self._forget_old_keys()

    async def _forget_old_keys(self) -> None:
        """Drop event-id and click records older than a day (checked at most once an hour)."""
        now = self.bot.clock()
        if self._forgot_at is not None and now - self._forgot_at < FORGET_EVERY:
            return
        self._forgot_at = now
        forgotten = await slack_repo.forget_keys_before(self.bot.services.db, now - KEYS_KEPT)
        log.debug("forgot %d handled event/click key(s) older than a day", forgotten)

    # --- Cards -------------------------------------------------------------------------------

    async def post_new_cards(self, job_ids: tuple[int, ...]) -> None:
        """Post the cards of jobs just created (within a second of the command)."""
        for job_id in job_ids:
            await self.refresh_card(job_id)

    async def refresh_card(self, job_id: int) -> None:
        """Post a job's card, or edit it when what it shows changed and an edit is allowed."""
        async with self._cards:  # read inside the lock: a card posted meanwhile has its ts now
            db = self.bot.services.db
            card, job = await slack_repo.get_card(db, job_id), await jobs_repo.get_job(db, job_id)
            if card is None or job is None or (card.final and card.ts):
                return
            if card.ts is not None:
                await self._refresh(card, job)
                return
            async with first_post(self.bot, f"slack-card:{job_id}") as mine:
                card = await slack_repo.get_card(db, job_id)  # another serve may have posted it
                if mine and card is not None:
                    await self._refresh(card, job)

    async def _refresh(self, card: SlackCardRecord, job: JobRecord) -> None:
        state = await self._card_state(job)
        blocks = card_blocks(state)
        digest = f"{job.status}:{rendered_hash(blocks)}"
        final = job.status.finished and state.unposted == 0
        if card.ts is not None and digest == card.rendered:
            if final and not card.final:
                await slack_repo.update_card(self.bot.services.db, job.id, final=True)
            return
        if card.ts is not None and not (self._edit_due(card, job) and self._limiter.take()):
            return  # the next pass will try again
        try:
            await self._send_card(card, state, blocks)
        except SlackApiError as exc:
            await self._card_failed(card, describe_error(exc))
            return
        await slack_repo.update_card(
            self.bot.services.db,
            job.id,
            rendered=digest,
            rendered_at=self.bot.clock(),
            final=final,
            attempts=0,
            next_attempt_at=None,
            last_error=None,
        )

    def _edit_due(self, card: SlackCardRecord, job: JobRecord) -> bool:
        status_changed = not (card.rendered or "").startswith(f"{job.status}:")
        if status_changed or card.rendered_at is None:
            return True
        return self.bot.clock() - card.rendered_at >= timedelta(seconds=self.update_every_s)

    async def _send_card(
        self, card: SlackCardRecord, state: CardState, blocks: list[Block]
    ) -> None:
        client = self.bot.client
        text = card_fallback(state)
        if card.ts is not None:
            await client.chat_update(channel=card.channel_id, ts=card.ts, text=text, blocks=blocks)
            return
        response = await client.chat_postMessage(
            channel=card.channel_id, thread_ts=card.thread_ts, text=text, blocks=blocks
        )
        ts = str(response["ts"])
        db = self.bot.services.db
        await slack_repo.update_card(db, card.job_id, ts=ts)
        await slack_repo.remember_message(
            db,
            channel_id=card.channel_id,
            ts=ts,
            kind=MessageKind.CARD,
            job_id=card.job_id,
            thread_ts=card.thread_ts,
        )

    async def _card_failed(self, card: SlackCardRecord, reason: str) -> None:
        attempts = card.attempts + 1
        log.warning("card of job %s not sent (try %d): %s", card.job_id, attempts, reason)
        await slack_repo.update_card(
            self.bot.services.db,
            card.job_id,
            attempts=attempts,
            last_error=reason,
            final=attempts >= MAX_CARD_ATTEMPTS,  # give up on a card Slack keeps refusing
            next_attempt_at=self.bot.clock() + timedelta(seconds=_backoff(attempts, BACKOFF_MAX_S)),
        )

    async def _card_state(self, job: JobRecord) -> CardState:
        services = self.bot.services
        if job.status is JobStatus.QUEUED:
            ahead = await jobs_repo.queued_ahead(services.db, job)
            wait = await services.engine.estimate_wait(ahead)
            return CardState(job, ahead=ahead, wait_s=wait, placeholder=services.placeholder_engine)
        tracks = await tracks_repo.list_tracks(services.db, job_ids=[job.id], limit=None)
        posts = await slack_repo.posts_for_job(services.db, job.id)
        done = sum(post.state in SETTLED_POST_STATES for post in posts)
        failed = [post for post in posts if post.state is TrackPostState.FAILED]
        placeholder = any(t.placeholder for t in tracks) or (
            not tracks and services.placeholder_engine
        )
        return CardState(
            job,
            tracks=len(tracks),
            unposted=len(tracks) - done,
            placeholder=placeholder,
            not_posted=len(failed),
            post_error=next((p.last_error for p in failed if p.last_error), ""),
            folder=_folder_of(tracks, failed),
        )

    # --- Tracks ------------------------------------------------------------------------------

    async def _claim(self, post: TrackPostRecord) -> TrackPostRecord | None:
        """This process's hold on the post (several serves share the outbox), as it stands now;
        None while another process has it."""
        now = self.bot.clock()
        ttl = timedelta(seconds=self.bot.services.settings.work_claim_seconds)
        return await slack_repo.claim_track_post(
            self.bot.services.db,
            post.track_id,
            holder=self.bot.services.engine.holder,
            now=now,
            until=now + ttl,
        )

    async def _upload(self, post: TrackPostRecord) -> None:
        claimed = await self._claim(post)
        if claimed is None or claimed.state not in (
            TrackPostState.PENDING,
            TrackPostState.UPLOADING,
        ):
            return  # another serve is posting it, or has posted it since it was read
        post = claimed
        if not self._channel_free(post.channel_id):
            return
        try:
            if await self._already_shared(post):
                await self._mark_shared(post)
                return
            await self._upload_once(post)
        except SEND_ERRORS as exc:
            await self._post_failed(post, describe_error(exc))

    async def _already_shared(self, post: TrackPostRecord) -> bool:
        """After a restart: did the last upload reach the channel before we could record it?"""
        if post.state is not TrackPostState.UPLOADING or post.file_id is None:
            return False
        return bool(await self.files.shares(file_id=post.file_id, channel_id=post.channel_id))

    async def _upload_once(self, post: TrackPostRecord) -> None:
        db = self.bot.services.db
        track = await tracks_repo.get_track(db, post.track_id)
        job = await jobs_repo.get_job(db, post.job_id)
        if track is None or job is None:
            await slack_repo.update_track_post(
                db, post.track_id, state=TrackPostState.FAILED, last_error="gone"
            )
            return
        preview = await preview_for(Path(track.file_path), self.bot.services.audio)
        data = await asyncio.to_thread(preview.read_bytes)
        ticket = await self.files.begin(filename=preview.name, length=len(data))
        await slack_repo.update_track_post(
            db, post.track_id, state=TrackPostState.UPLOADING, file_id=ticket.file_id
        )
        await self.files.send(ticket, data)
        await self.files.share(
            file_id=ticket.file_id,
            title=f"Track {track.id} — job {job.id}, take {track.variant}",
            channel_id=post.channel_id,
            thread_ts=post.thread_ts,
            comment=track_comment(track, job),
        )
        await self._mark_shared(post)

    async def _mark_shared(self, post: TrackPostRecord) -> None:
        await slack_repo.update_track_post(
            self.bot.services.db,
            post.track_id,
            state=TrackPostState.SHARED,
            attempts=0,
            next_attempt_at=None,
            last_error=None,
        )
        self.wake()  # the card can now say the tracks are there

    async def _post_failed(self, post: TrackPostRecord, reason: str) -> None:
        attempts = post.attempts + 1
        log.warning("track %s not posted (try %d): %s", post.track_id, attempts, reason)
        await slack_repo.update_track_post(
            self.bot.services.db,
            post.track_id,
            state=TrackPostState.FAILED
            if attempts >= MAX_POST_ATTEMPTS
            else TrackPostState.PENDING,
            attempts=attempts,
            last_error=reason,
            next_attempt_at=self.bot.clock() + timedelta(seconds=_backoff(attempts, BACKOFF_MAX_S)),
        )

    def _channel_free(self, channel_id: str) -> bool:
        now = time.monotonic()
        if now - self._last_post.get(channel_id, -self.channel_gap_s) < self.channel_gap_s:
            return False
        self._last_post[channel_id] = now
        return True

    async def _resolve(self, post: TrackPostRecord) -> None:
        """Find the message the shared file became, remember it, apply waiting reactions."""
        db = self.bot.services.db
        claimed = await self._claim(post)
        if claimed is None or claimed.state is not TrackPostState.SHARED:
            return
        post = claimed
        try:
            shares = await self.files.shares(file_id=post.file_id or "", channel_id=post.channel_id)
        except SlackApiError as exc:
            shares, reason = [], describe_error(exc)
        else:
            reason = "Slack has not shown the shared message yet"
        ts = message_ts(shares, post.thread_ts)
        if ts is None:
            attempts = post.attempts + 1
            delay = _backoff(attempts, RESOLVE_BACKOFF_MAX_S, base=0.25)
            await slack_repo.update_track_post(
                db,
                post.track_id,
                attempts=attempts,
                last_error=reason,
                next_attempt_at=self.bot.clock() + timedelta(seconds=delay),
            )
            return
        await slack_repo.update_track_post(
            db,
            post.track_id,
            state=TrackPostState.RESOLVED,
            message_ts=ts,
            attempts=0,
            next_attempt_at=None,
        )
        await slack_repo.remember_message(
            db,
            channel_id=post.channel_id,
            ts=ts,
            kind=MessageKind.TRACK,
            job_id=post.job_id,
            track_id=post.track_id,
            thread_ts=post.thread_ts,
        )
        await reactions.apply_waiting(
            self.bot, channel_id=post.channel_id, ts=ts, track_id=post.track_id
        )


def _folder_of(tracks: list[TrackRecord], failed: list[TrackPostRecord]) -> str:
    """The folder holding the first track Slack would not take ("" when none failed)."""
    ids = {post.track_id for post in failed}
    return next((str(Path(t.file_path).parent) for t in tracks if t.id in ids), "")


def _backoff(attempts: int, ceiling: float, *, base: float = 1.0) -> float:
    return min(base * float(2 ** max(attempts - 1, 0)), ceiling)
