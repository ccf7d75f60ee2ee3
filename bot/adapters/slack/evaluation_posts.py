"""Listening sessions in Slack: the pairs posted into a thread, vote cards kept current, and the
report posted after close. Run by the publisher's loop (`Publisher.run_once`), so it is an outbox
over the database like the rest of the posting, and safe across restarts:

- a LISTENING session with a channel gets one root message (its ts stored as the session's
  `thread_ts`), then its READY pairs in label order: the two listening files (`pair-07-A.mp3`,
  `pair-07-B.mp3`, titled the same; each file id stored on the pair before its bytes go up), and
  once Slack shows both files in the thread, the pair's vote card (its ts stored as `card_ts`).
  After a restart a recorded file that Slack already shows is not uploaded again;
- a card shows how many raters have voted, never the scores; it is edited when the count changes
  (the count it shows is stored in the pair's details), within the publisher's edit budget;
- a CLOSED session whose report is not posted yet (`report_posted`) gets the report and its chart
  in the thread, then `report_posted` is set. Sessions started from the terminal (no channel) are
  never posted.
Uploads are paced per channel like track posts (SLACK_CHANNEL_POST_GAP_SECONDS).
"""

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

from slack_sdk.errors import SlackApiError

from bot.adapters.slack.context import SlackBot
from bot.adapters.slack.evaluation_render import (
    CardView,
    listening_file,
    listening_name,
    root_text,
)
from bot.adapters.slack.render import fallback_text, reply_blocks
from bot.adapters.slack.uploads import SlackFiles, UploadFailed, describe_error, preview_for
from commands.evaluation.report import make_report, report_reply
from domain.evaluations import SIDES, EvalPairRecord, EvalSessionRecord, EvalStatus, PairState
from storage import evaluations as evaluations_repo

log = logging.getLogger(__name__)

CARD_SHOWN: Final = "card_shown"  # pair details key: what the card shows now (CardView.key)
REPORT_TS: Final = "report_ts"  # session settings key: the report message, once posted
REPORT_CHART: Final = "report_chart"  # session settings key: the chart's file id
SETTLED: Final = "slack_settled"  # session settings key: closed, reported, cards final
SEND_ERRORS = (SlackApiError, UploadFailed, OSError)


class ListeningPoster:
    """Keeps listening threads in Slack in step with the database."""

    def __init__(
        self,
        bot: SlackBot,
        files: SlackFiles,
        *,
        channel_gap_s: float,
        take_edit: Callable[[], bool],
    ) -> None:
        self.bot = bot
        self.files = files
        self.channel_gap_s = channel_gap_s
        self._take_edit = take_edit
        self._last_upload: dict[str, float] = {}
        self._shared: set[str] = set()  # file ids this process completed (Slack shares lazily)
        self._lock = asyncio.Lock()

    async def run_once(self) -> None:
        """One pass: post what is missing, refresh cards, post reports of closed sessions."""
        async with self._lock:
            db = self.bot.services.db
            for session in await evaluations_repo.list_sessions(
                db, statuses=[EvalStatus.LISTENING, EvalStatus.CLOSED], limit=None
            ):
                if session.channel_id is None:
                    continue  # opened for offline listening: nothing goes to Slack
                try:
                    await self._session(session)
                except SEND_ERRORS as exc:
                    log.warning(
                        "listening session %s: Slack said %s", session.name, describe_error(exc)
                    )
                except Exception:  # one session's trouble must not stop the other posting
                    log.exception("listening session %s: posting failed", session.name)

    async def _session(self, session: EvalSessionRecord) -> None:
        if session.status is EvalStatus.LISTENING:
            session = await self._root(session)
            await self._post_pairs(session)
            await self._refresh_cards(session)
            return
        if session.report_posted and session.settings.get(SETTLED):
            return  # closed, reported, every card says so: nothing left to do
        current = await self._refresh_cards(session)
        if not session.report_posted:
            await self._post_report(session)
        elif current:
            settings = {**session.settings, SETTLED: True}
            await evaluations_repo.update_session(
                self.bot.services.db, session.id, settings=settings
            )

    async def _root(self, session: EvalSessionRecord) -> EvalSessionRecord:
        """The thread's root message, posted once."""
        if session.thread_ts is not None or session.channel_id is None:
            return session
        db = self.bot.services.db
        pairs = await evaluations_repo.list_pairs(db, session.id, states=[PairState.READY])
        response = await self.bot.client.chat_postMessage(
            channel=session.channel_id, text=root_text(session, len(pairs))
        )
        updated = await evaluations_repo.update_session(
            db, session.id, thread_ts=str(response["ts"])
        )
        return updated or session

    async def _post_pairs(self, session: EvalSessionRecord) -> None:
        """The next pairs in label order; stops at a pair still waiting for Slack."""
        db = self.bot.services.db
        for pair in await evaluations_repo.list_pairs(db, session.id, states=[PairState.READY]):
            if pair.card_ts is not None:
                continue
            if not await self._post_pair(session, pair):
                return  # keep the thread in label order: the next pair waits

    async def _post_pair(self, session: EvalSessionRecord, pair: EvalPairRecord) -> bool:
        """Files, then (once both are in the thread) the card; True when the pair is done."""
        channel = session.channel_id or ""
        file_ids = list(pair.file_ids)
        for index, side in enumerate(SIDES):
            if index < len(file_ids):
                if await self._visible(file_ids[index], channel):
                    continue
                if file_ids[index] in self._shared:
                    return False  # completed here; Slack has not shown it yet
                file_ids = file_ids[:index]  # recorded before a restart, never shared: again
            if not self._channel_free(channel):
                return False
            file_id = await self._upload(session, pair, side, file_ids)
            if file_id is None:
                return False
            file_ids.append(file_id)
            return False  # the next pass checks it arrived, then goes on
        await self._post_card(session, pair)
        return True

    async def _visible(self, file_id: str, channel: str) -> bool:
        """Whether Slack shows the file in the channel (an unknown file: not shown)."""
        try:
            return bool(await self.files.shares(file_id=file_id, channel_id=channel))
        except SlackApiError as exc:
            log.info("file %s is not in %s (%s)", file_id, channel, describe_error(exc))
            return False

    async def _upload(
        self, session: EvalSessionRecord, pair: EvalPairRecord, side: str, before: list[str]
    ) -> str | None:
        """Upload one listening file under its neutral name; its id is stored first."""
        source = listening_file(pair, "A" if side == "A" else "B")
        if source is None:
            log.warning("%s of session %s has no file %s", pair.label, session.name, side)
            return None
        path = await preview_for(source, self.bot.services.audio)
        data = await asyncio.to_thread(Path(path).read_bytes)
        name = listening_name(pair, "A" if side == "A" else "B")
        ticket = await self.files.begin(filename=name, length=len(data))
        await evaluations_repo.update_pair(
            self.bot.services.db, pair.id, file_ids=[*before, ticket.file_id]
        )
        await self.files.send(ticket, data)
        await self.files.share(
            file_id=ticket.file_id,
            title=name,
            channel_id=session.channel_id or "",
            thread_ts=session.thread_ts,
            comment="",
        )
        self._shared.add(ticket.file_id)
        return ticket.file_id

    async def _post_card(self, session: EvalSessionRecord, pair: EvalPairRecord) -> None:
        db = self.bot.services.db
        voters = (await evaluations_repo.voter_counts(db, session.id)).get(pair.id, 0)
        view = CardView(pair, voters, closed=False)
        response = await self.bot.client.chat_postMessage(
            channel=session.channel_id or "",
            thread_ts=session.thread_ts,
            text=view.text(),
            blocks=view.blocks(),
        )
        await evaluations_repo.update_pair(
            db,
            pair.id,
            card_channel=session.channel_id,
            card_ts=str(response["ts"]),
            details={**pair.details, CARD_SHOWN: view.key},
        )

    async def _refresh_cards(self, session: EvalSessionRecord) -> bool:
        """Edit the cards whose count (or open/closed) changed, within the edit budget; whether
        every card now shows what it should."""
        current = True
        db = self.bot.services.db
        counts = await evaluations_repo.voter_counts(db, session.id)
        closed = session.status is EvalStatus.CLOSED
        for pair in await evaluations_repo.list_pairs(db, session.id, states=[PairState.READY]):
            if pair.card_ts is None or pair.card_channel is None:
                continue
            view = CardView(pair, counts.get(pair.id, 0), closed=closed)
            if pair.details.get(CARD_SHOWN) == view.key:
                continue
            if not self._take_edit():
                current = False
                continue
            await self.bot.client.chat_update(
                channel=pair.card_channel, ts=pair.card_ts, text=view.text(), blocks=view.blocks()
            )
            await evaluations_repo.update_pair(
                db, pair.id, details={**pair.details, CARD_SHOWN: view.key}
            )
        return current

    async def _post_report(self, session: EvalSessionRecord) -> None:
        """The report and its chart in the listening thread, once: each step is stored in the
        session's settings before the next, so a restart does not post it twice."""
        db = self.bot.services.db
        report, files = await make_report(self.bot.services, session)
        channel = session.channel_id or ""
        done = dict(session.settings)
        if REPORT_TS not in done:
            reply = report_reply(report, None)
            response = await self.bot.client.chat_postMessage(
                channel=channel,
                thread_ts=session.thread_ts,
                text=fallback_text(reply),
                blocks=reply_blocks(reply),
            )
            done[REPORT_TS] = str(response["ts"])
            await evaluations_repo.update_session(db, session.id, settings=done)
        chart = done.get(REPORT_CHART)
        if chart is None or not await self._visible(str(chart), channel):
            if chart is not None and chart in self._shared:
                return  # shared by this process; Slack has not shown it yet
            data = await asyncio.to_thread(files.png.read_bytes)
            name = f"{session.name}-report.png"
            ticket = await self.files.begin(filename=name, length=len(data))
            done[REPORT_CHART] = ticket.file_id
            await evaluations_repo.update_session(db, session.id, settings=done)
            await self.files.send(ticket, data)
            await self.files.share(
                file_id=ticket.file_id,
                title=f"Listening session {session.name}: ACE-Step as a share of the incumbent",
                channel_id=channel,
                thread_ts=session.thread_ts,
                comment="",
            )
            self._shared.add(ticket.file_id)
        await evaluations_repo.update_session(db, session.id, report_posted=True)

    def _channel_free(self, channel_id: str) -> bool:
        now = time.monotonic()
        if now - self._last_upload.get(channel_id, -self.channel_gap_s) < self.channel_gap_s:
            return False
        self._last_upload[channel_id] = now
        return True
