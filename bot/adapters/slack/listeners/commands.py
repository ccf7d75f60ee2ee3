"""`/music`: text runs the shared command path; no text opens the form with every parameter."""

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.adapters.slack.context import SlackBot
from bot.adapters.slack.flow import allowed, answer, reply_privately_via
from bot.adapters.slack.listeners.views import open_modal


def register(app: AsyncApp, bot: SlackBot) -> None:
    """Wire the slash command."""

    async def music(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()  # within milliseconds; the card follows in the channel
        await bot.acks.after_acks()  # under a burst, every command is acked before any works
        reply_privately_via(respond)  # works in DMs and channels the bot has not joined
        text = str(command.get("text") or "").strip()
        user_id, channel_id = str(command["user_id"]), str(command["channel_id"])
        if text:
            await answer(bot, text, user_id=user_id, channel_id=channel_id)
        elif await allowed(bot, user_id=user_id, channel_id=channel_id):
            await open_modal(
                bot, trigger_id=str(command["trigger_id"]), channel_id=channel_id, thread_ts=None
            )

    app.command("/music")(bot.drained(music))
