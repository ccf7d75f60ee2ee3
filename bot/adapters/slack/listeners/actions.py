"""Card buttons: Cancel, Retry, Again, 2 more variations, Refine…; and a batch digest's Cancel.

Each button's value is a job id, so buttons work after a restart (state comes from the database).
A double click does nothing twice: the first click claims a key for a few seconds. Every button
checks the allow-lists first, then does what it does through a command handler, like the text
commands: Cancel and Cancel batch through `commands.cancel` (only the person who asked or an admin
may cancel), Retry, Again and 2 more through `commands.refine.repeat`; Refine… opens the form, whose
submission goes through `commands.generate.generate_from_form`.
"""

from typing import Any, Final

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.adapters.slack import render
from bot.adapters.slack.context import SlackBot
from bot.adapters.slack.flow import (
    again,
    allowed,
    allowed_caller,
    deliver,
    reply_privately_via,
    say_privately,
)
from bot.adapters.slack.listeners.views import open_modal
from bot.adapters.slack.render_digest import BATCH_CANCEL
from commands.cancel import cancel_batch, cancel_job
from commands.context import Caller
from domain.records import JobRecord
from storage import jobs as jobs_repo
from storage import slack as slack_repo

DOUBLE_CLICK_S: Final = 10.0
MORE_VARIANTS: Final = 2


def register(app: AsyncApp, bot: SlackBot) -> None:
    """Wire the card buttons."""

    async def cancel(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        reply_privately_via(respond)
        job = await _claimed_job(bot, body, action)
        caller = await _caller(bot, body, job.channel_id) if job is not None else None
        if job is None or caller is None:
            return
        reply = await cancel_job(bot.services, caller, job.id)
        if not reply.ok:  # done: the card says so; refused or finished: the person is told
            await deliver(bot, reply, caller)
        bot.wake_publisher()

    async def repeat(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        reply_privately_via(respond)
        job = await _claimed_job(bot, body, action)
        if job is not None:
            variants = MORE_VARIANTS if action["action_id"] == render.MORE else None
            thread_ts = await _thread_of(bot, job)
            await again(
                bot,
                parent=job,
                user_id=_user(body),
                channel_id=_channel(body, job),
                thread_ts=thread_ts,
                variants=variants,
            )

    async def refine(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        reply_privately_via(respond)
        job = await _claimed_job(bot, body, action)
        channel_id = _channel(body, job) if job else ""
        if job is not None and await allowed(bot, user_id=_user(body), channel_id=channel_id):
            await open_modal(
                bot,
                trigger_id=str(body["trigger_id"]),
                channel_id=channel_id,
                thread_ts=await _thread_of(bot, job),
                parent=job,
            )

    async def cancel_batch_click(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        reply_privately_via(respond)
        value = str(action.get("value") or "")
        key = f"click:{BATCH_CANCEL}:{value}:{_user(body)}"
        if not value.isdigit() or not await slack_repo.claim_key(
            bot.services.db, key, now=bot.clock(), window_s=DOUBLE_CLICK_S
        ):
            return
        caller = await _caller(bot, body, None)
        if caller is not None:
            await deliver(bot, await cancel_batch(bot.services, caller, int(value)), caller)
            bot.wake_publisher()

    app.action(render.CANCEL)(bot.drained(cancel))
    app.action(BATCH_CANCEL)(bot.drained(cancel_batch_click))
    for action_id in (render.RETRY, render.AGAIN, render.MORE):
        app.action(action_id)(bot.drained(repeat))
    app.action(render.REFINE)(bot.drained(refine))


async def _claimed_job(
    bot: SlackBot, body: dict[str, Any], action: dict[str, Any]
) -> JobRecord | None:
    """The button's job, unless this is the second click of a double click."""
    value = str(action.get("value") or "")
    key = f"click:{action.get('action_id')}:{value}:{_user(body)}"
    db = bot.services.db
    if not value.isdigit() or not await slack_repo.claim_key(
        db, key, now=bot.clock(), window_s=DOUBLE_CLICK_S
    ):
        return None
    job = await jobs_repo.get_job(db, int(value))
    if job is None:
        await _tell(bot, body, f"Job #{value} no longer exists.")
    return job


async def _caller(bot: SlackBot, body: dict[str, Any], fallback: str | None) -> Caller | None:
    """Who clicked, where, if they may use the bot there (else told privately)."""
    channel = str((body.get("channel") or {}).get("id") or fallback or "")
    return await allowed_caller(bot, user_id=_user(body), channel_id=channel)


async def _thread_of(bot: SlackBot, job: JobRecord) -> str | None:
    """The thread a follow-up of `job` belongs in: its card's thread."""
    card = await slack_repo.get_card(bot.services.db, job.id)
    return card.thread_root if card is not None else job.thread_ts


def _user(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def _channel(body: dict[str, Any], job: JobRecord) -> str:
    channel = (body.get("channel") or {}).get("id")
    return str(channel or job.channel_id or "")


async def _tell(bot: SlackBot, body: dict[str, Any], text: str) -> None:
    channel = (body.get("channel") or {}).get("id")
    if channel:
        await say_privately(bot, user_id=_user(body), channel_id=str(channel), text=text)
