"""What every Slack entry point does with a message: check access, run the command, deliver.

Jobs get a status card in the channel (posted at once; the publisher keeps it current). Everything
else — help, status, refusals, usage errors — is answered privately (ephemeral), as shared/SLACK.md
advises: ephemerals are for the person asking, results belong in the channel. A slash command's or
a button's private answers go through its `response_url` (Bolt's `respond()`), which works in DMs
and channels the bot has not joined; chat.postEphemeral is the fallback (mentions, thread replies,
reactions, or a response_url that is spent: Slack allows 5 uses within 30 minutes).
"""

import asyncio
import logging
from contextvars import ContextVar
from dataclasses import replace
from pathlib import Path

import aiohttp
import httpx
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError

from bot.adapters.slack.context import SlackBot
from bot.adapters.slack.render import fallback_text, reply_blocks
from bot.adapters.slack.uploads import UploadFailed, describe_error
from commands.context import Caller
from commands.errors import NothingAsked, UsageError
from commands.generate import generate_from_form
from commands.refine import refine, repeat
from commands.replies import Reply, usage_reply
from commands.router import handle
from domain.records import JobRecord
from domain.request import GenerationRequest
from storage import slack as slack_repo
from storage import slack_digests as digests_repo

log = logging.getLogger(__name__)

# The running listener's respond(); Bolt runs each listener in its own asyncio task.
_respond: ContextVar[AsyncRespond | None] = ContextVar("slack_respond", default=None)


def caller_for(
    bot: SlackBot, *, user_id: str, channel_id: str, thread_ts: str | None = None
) -> Caller:
    """A Slack caller (an admin when in SLACK_ADMIN_USERS, an approver when in
    SLACK_APPROVER_USERS) whose requests pass the daily quota."""

    async def admit(tracks: int) -> str | None:
        refusal = await bot.policy.check_quota(
            bot.services.db, user_id=user_id, tracks=tracks, now=bot.clock()
        )
        return refusal.text if refusal else None

    admin = bot.policy.is_admin(user_id)
    approver = bot.policy.is_approver(user_id)
    return Caller(
        "slack", user_id, channel_id, thread_ts, admit=admit, admin=admin, approver=approver
    )


async def allowed(bot: SlackBot, *, user_id: str, channel_id: str) -> bool:
    """Whether this person may use the bot here; tells them privately when not."""
    refusal = bot.policy.check(user_id=user_id, channel_id=channel_id)
    if refusal is None:
        return True
    await say_privately(bot, user_id=user_id, channel_id=channel_id, text=refusal.text)
    return False


async def allowed_caller(
    bot: SlackBot, *, user_id: str, channel_id: str, thread_ts: str | None = None
) -> Caller | None:
    """The caller when this person may use the bot here; None (and told privately) when not."""
    if not await allowed(bot, user_id=user_id, channel_id=channel_id):
        return None
    return caller_for(bot, user_id=user_id, channel_id=channel_id, thread_ts=thread_ts)


async def answer(
    bot: SlackBot, text: str, *, user_id: str, channel_id: str, thread_ts: str | None = None
) -> None:
    """A `/music` message or an @mention: the same command path as everywhere else."""
    if not await allowed(bot, user_id=user_id, channel_id=channel_id):
        return
    caller = caller_for(bot, user_id=user_id, channel_id=channel_id, thread_ts=thread_ts)
    reply = await handle(text, bot.services, caller)
    await deliver(bot, reply, caller)


async def answer_in_thread(
    bot: SlackBot,
    text: str,
    *,
    parent: JobRecord,
    user_id: str,
    channel_id: str,
    thread_ts: str,
    addressed: bool,
) -> None:
    """A reply in a job's thread: a refinement of that job, posted in the same thread.

    A plain reply that asks for nothing ("thanks!") is people talking: no answer. When the bot was
    @mentioned (`addressed`), it explains what replies can say.
    """
    if not await allowed(bot, user_id=user_id, channel_id=channel_id):
        return
    caller = caller_for(bot, user_id=user_id, channel_id=channel_id, thread_ts=thread_ts)
    try:
        reply = await refine(text, bot.services, caller, parent=parent)
    except NothingAsked as error:
        if not addressed:
            return
        reply = usage_reply(error.message, error.example)
    except UsageError as error:
        reply = usage_reply(error.message, error.example)
    await deliver(bot, reply, caller)


async def again(
    bot: SlackBot,
    *,
    parent: JobRecord,
    user_id: str,
    channel_id: str,
    thread_ts: str | None,
    variants: int | None = None,
) -> None:
    """The parent's request again (Again, Retry, 2 more variations)."""
    if not await allowed(bot, user_id=user_id, channel_id=channel_id):
        return
    caller = caller_for(bot, user_id=user_id, channel_id=channel_id, thread_ts=thread_ts)
    await deliver(bot, await repeat(bot.services, caller, parent=parent, variants=variants), caller)


async def submit(
    bot: SlackBot,
    request: GenerationRequest,
    *,
    user_id: str,
    channel_id: str,
    thread_ts: str | None,
    parent_job_id: int | None = None,
) -> None:
    """A request from the modal, already validated (Refine…: `parent_job_id` is the card's job)."""
    if not await allowed(bot, user_id=user_id, channel_id=channel_id):
        return
    caller = caller_for(bot, user_id=user_id, channel_id=channel_id, thread_ts=thread_ts)
    reply = await generate_from_form(bot.services, caller, request, parent_job_id=parent_job_id)
    await deliver(bot, reply, caller)


async def deliver(bot: SlackBot, reply: Reply, caller: Caller) -> None:
    """Post a card per new job, or a new batch's digest; any other reply goes privately to the
    person who asked (with a batch: its estimate and any skipped manifest rows); an answer with
    files (the stats chart) is posted where it was asked, its files right after it."""
    if reply.files and not reply.ephemeral:
        await post_with_files(bot, reply, caller)
        return
    if reply.batch_id is not None:
        await digests_repo.ensure_digest(
            bot.services.db, batch_id=reply.batch_id, channel_id=caller.channel_id or ""
        )
        if bot.publisher is not None:
            await bot.publisher.digests.refresh(reply.batch_id)
    if not reply.job_ids:
        await say_privately(
            bot,
            user_id=caller.user_id or "",
            channel_id=caller.channel_id or "",
            thread_ts=caller.thread_ts,
            text=fallback_text(reply),
            blocks=reply_blocks(reply),
        )
        if reply.host_files:
            await share_files(bot, reply, caller)
        return
    for job_id in reply.job_ids:
        await slack_repo.ensure_card(
            bot.services.db,
            job_id=job_id,
            channel_id=caller.channel_id or "",
            thread_ts=caller.thread_ts,
        )
    if bot.publisher is not None:
        await bot.publisher.post_new_cards(reply.job_ids)


async def share_files(bot: SlackBot, reply: Reply, caller: Caller) -> None:
    """A reply's files (an export's catalogue.csv) uploaded where the command was typed — in a
    DM with the bot, to the requester alone — mentioning the requester; problems (the file
    unreadable, Slack refusing, the upload's connection failing) are told privately with the
    file's path (the files stay on the host either way)."""
    if bot.publisher is None:
        return
    files = bot.publisher.files
    for name in reply.host_files:
        path = Path(name)
        try:
            await files.upload(
                filename=path.name,
                data=await asyncio.to_thread(path.read_bytes),
                title=path.name,
                channel_id=caller.channel_id or "",
                thread_ts=caller.thread_ts,
                comment=f"<@{caller.user_id}> {reply.text}",
            )
        except (OSError, SlackApiError, UploadFailed, httpx.HTTPError) as exc:
            log.warning("could not upload %s: %s", path.name, describe_error(exc))
            await say_privately(
                bot,
                user_id=caller.user_id or "",
                channel_id=caller.channel_id or "",
                thread_ts=caller.thread_ts,
                text=f"{path.name} could not be uploaded ({describe_error(exc)}); it is at {path}",
            )


async def post_with_files(bot: SlackBot, reply: Reply, caller: Caller) -> None:
    """The answer in the channel (or thread) where it was asked, each file shared right after it
    in the same place. Where the bot may not post (a channel it has not joined, a DM between
    people) the answer goes privately and says the files could not be posted; a failed upload is
    told privately too (the answer stands)."""
    channel = caller.channel_id or ""
    user = caller.user_id or ""
    try:
        await bot.client.chat_postMessage(
            channel=channel,
            thread_ts=caller.thread_ts,
            text=fallback_text(reply),
            blocks=reply_blocks(reply),
        )
    except SlackApiError as exc:
        log.info("could not post an answer with files in %s: %s", channel, describe_error(exc))
        note = (
            f"(The chart could not be posted here: {describe_error(exc)}. Invite the bot to the "
            "channel, or run `acemusic stats` to write it to a file.)"
        )
        private = replace(reply, files=(), lines=(*reply.lines, note), ephemeral=True)
        await say_privately(
            bot,
            user_id=user,
            channel_id=channel,
            thread_ts=caller.thread_ts,
            text=fallback_text(private),
            blocks=reply_blocks(private),
        )
        return
    for file in reply.files:
        try:
            if bot.publisher is None:
                raise UploadFailed("no uploader is running")
            await bot.publisher.files.upload(
                filename=file.name,
                data=file.data,
                title=file.title,
                channel_id=channel,
                thread_ts=caller.thread_ts,
                comment="",
            )
        except (SlackApiError, UploadFailed, httpx.HTTPError) as exc:
            log.warning("could not upload %s to %s: %s", file.name, channel, describe_error(exc))
            await say_privately(
                bot,
                user_id=user,
                channel_id=channel,
                thread_ts=caller.thread_ts,
                text=f"{file.title}: the file could not be uploaded ({describe_error(exc)}).",
            )


async def post_notice(bot: SlackBot, *, channel_id: str, text: str) -> None:
    """A plain message in a channel (e.g. why a schedule's run was skipped); failures logged."""
    try:
        await bot.client.chat_postMessage(channel=channel_id, text=text)
    except SlackApiError as exc:
        log.warning("could not post a notice in %s: %s", channel_id, exc)


def reply_privately_via(respond: AsyncRespond | None) -> None:
    """Private answers of the running listener go through this respond() (its response_url).

    Bolt runs every listener in an asyncio task of its own, so this ends with the listener."""
    _respond.set(respond if respond is not None and respond.response_url else None)


async def say_privately(
    bot: SlackBot,
    *,
    user_id: str,
    channel_id: str,
    text: str,
    blocks: list[dict[str, object]] | None = None,
    thread_ts: str | None = None,
    respond: AsyncRespond | None = None,
) -> None:
    """An ephemeral message: through the interaction's response_url when there is one, else
    chat.postEphemeral. Failures are logged (Slack does not guarantee delivery anyway)."""
    via = respond if respond is not None and respond.response_url else _respond.get()
    if via is not None and await _responded(via, text=text, blocks=blocks):
        return
    try:
        await bot.client.chat_postEphemeral(
            channel=channel_id, user=user_id, text=text, blocks=blocks, thread_ts=thread_ts
        )
    except SlackApiError as exc:
        log.warning("could not answer %s privately in %s: %s", user_id, channel_id, exc)


async def _responded(
    respond: AsyncRespond, *, text: str, blocks: list[dict[str, object]] | None
) -> bool:
    """Whether the response_url took the answer (False: spent, expired or unreachable)."""
    try:
        response = await respond(text=text, blocks=blocks, response_type="ephemeral")
    except (aiohttp.ClientError, TimeoutError) as exc:
        reason: object = str(exc) or type(exc).__name__
    else:
        if response.status_code == 200:
            return True
        reason = f"HTTP {response.status_code} {response.body[:100]!r}"
    log.info("response_url did not take a private answer (%s); using chat.postEphemeral", reason)
    return False
