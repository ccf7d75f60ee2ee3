"""Slack listeners, one module per kind of event, each with a `register(app, bot)`."""

from slack_bolt.async_app import AsyncApp

from bot.adapters.slack.context import SlackBot
from bot.adapters.slack.listeners import actions, commands, evaluation, events, home, views


def register_all(app: AsyncApp, bot: SlackBot) -> None:
    """Wire every listener into the app."""
    for module in (commands, events, actions, views, home, evaluation):
        module.register(app, bot)
