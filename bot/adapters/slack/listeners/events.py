"""Mentions, thread replies and reactions."""

import re
from typing import Any, Final

from slack_bolt.async_app import AsyncApp

from bot.adapters.slack import reactions
from bot.adapters.slack.batch_files import manifest_batch, wants_manifest_batch
from bot.adapters.slack.context import SlackBot
from bot.adapters.slack.eval_files import eval_import_files, wants_eval_import
from bot.adapters.slack.flow import allowed, answer, answer_in_thread, caller_for, deliver
from storage import jobs as jobs_repo
from storage import slack as slack_repo

_MENTION: Final = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def register(app: AsyncApp, bot: SlackBot) -> None:
    """Wire the event listeners."""

    async def mention(event: dict[str, Any]) -> None:
        text = _MENTION.sub("", str(event.get("text") or "")).strip()
        channel_id, user_id = str(event["channel"]), str(event.get("user") or "")
        thread_ts = event.get("thread_ts")
        if wants_manifest_batch(text):
            if await allowed(bot, user_id=user_id, channel_id=channel_id):
                caller = caller_for(bot, user_id=user_id, channel_id=channel_id)
                await deliver(bot, await manifest_batch(bot, event, text, caller), caller)
            return
        if wants_eval_import(text):
            if await allowed(bot, user_id=user_id, channel_id=channel_id):
                caller = caller_for(bot, user_id=user_id, channel_id=channel_id)
                await deliver(bot, await eval_import_files(bot, event, text, caller), caller)
            return
        if thread_ts and await _refine_in_thread(
            bot, event, text, thread_ts=str(thread_ts), addressed=True
        ):
            return
        await answer(bot, text, user_id=user_id, channel_id=channel_id, thread_ts=thread_ts)

    async def message(event: dict[str, Any]) -> None:
        if not _is_thread_reply(event) or _mentions_bot(bot, event):
            return  # not a reply, a bot or edit, or an @mention (handled as app_mention)
        await _refine_in_thread(
            bot,
            event,
            str(event.get("text") or ""),
            thread_ts=str(event["thread_ts"]),
            addressed=False,
        )

    async def reaction_added(event: dict[str, Any]) -> None:
        await _reaction(bot, event, added=True)

    async def reaction_removed(event: dict[str, Any]) -> None:
        await _reaction(bot, event, added=False)

    app.event("app_mention")(bot.drained(mention))
    app.event("message")(bot.drained(message))
    app.event("reaction_added")(bot.drained(reaction_added))
    app.event("reaction_removed")(bot.drained(reaction_removed))


def _is_thread_reply(event: dict[str, Any]) -> bool:
    if event.get("subtype") or event.get("bot_id"):
        return False
    thread_ts = event.get("thread_ts")
    return bool(thread_ts) and thread_ts != event.get("ts")


def _mentions_bot(bot: SlackBot, event: dict[str, Any]) -> bool:
    return bool(bot.bot_user_id) and f"<@{bot.bot_user_id}" in str(event.get("text") or "")


async def _refine_in_thread(
    bot: SlackBot, event: dict[str, Any], text: str, *, thread_ts: str, addressed: bool
) -> bool:
    """Refine the newest job of a bot thread; False when the thread is not one of ours."""
    channel_id = str(event["channel"])
    db = bot.services.db
    job_id = await slack_repo.latest_job_in_thread(db, channel_id=channel_id, thread_ts=thread_ts)
    parent = await jobs_repo.get_job(db, job_id) if job_id is not None else None
    if parent is None:
        return False
    await answer_in_thread(
        bot,
        _MENTION.sub("", text).strip(),
        parent=parent,
        user_id=str(event.get("user") or ""),
        channel_id=channel_id,
        thread_ts=thread_ts,
        addressed=addressed,
    )
    return True


async def _reaction(bot: SlackBot, event: dict[str, Any], *, added: bool) -> None:
    item = event.get("item") or {}
    if item.get("type") != "message":
        return
    await reactions.on_reaction(
        bot,
        user_id=str(event.get("user") or ""),
        reaction=str(event.get("reaction") or ""),
        channel_id=str(item.get("channel") or ""),
        ts=str(item.get("ts") or ""),
        added=added,
    )
