"""Emoji reactions on a track's message become ratings (and removing one removes the rating).

A reaction can arrive before the bot knows which message a freshly shared track became (Slack
shares files asynchronously); such reactions wait in the database and are applied the moment the
message is matched to its track. The bot's own reactions and reactions on any other message are
ignored. A reaction from someone the allow-lists exclude is not recorded (they are told
privately when it was on a track). Each person's latest reaction still on the message is their
one rating of the track (`storage.ratings.counted`).
"""

import logging

from bot.adapters.slack.context import SlackBot
from bot.adapters.slack.flow import say_privately
from domain.records import MessageKind
from storage import ratings as ratings_repo
from storage import slack as slack_repo

log = logging.getLogger(__name__)


async def on_reaction(
    bot: SlackBot, *, user_id: str, reaction: str, channel_id: str, ts: str, added: bool
) -> None:
    """Handle one reaction_added / reaction_removed event."""
    emoji = reaction.split("::", 1)[0]  # "+1::skin-tone-3" is still "+1"
    if bot.score_of(emoji) is None or user_id == bot.bot_user_id:
        return
    db = bot.services.db
    refusal = bot.policy.check(user_id=user_id, channel_id=channel_id)
    message = await slack_repo.find_message(db, channel_id=channel_id, ts=ts)
    if message is not None:
        if message.kind is not MessageKind.TRACK or message.track_id is None:
            return
        if refusal is None:
            await rate(bot, track_id=message.track_id, user_id=user_id, emoji=emoji, added=added)
        elif added:
            await say_privately(bot, user_id=user_id, channel_id=channel_id, text=refusal.text)
        return
    if refusal is None and await slack_repo.unresolved_posts_in(db, channel_id):
        await slack_repo.add_pending_reaction(
            db, channel_id=channel_id, ts=ts, user_id=user_id, emoji=emoji, added=added
        )


async def rate(bot: SlackBot, *, track_id: int, user_id: str, emoji: str, added: bool) -> None:
    """Add or remove one person's rating of a track."""
    db = bot.services.db
    if added:
        score = bot.score_of(emoji)
        if score is not None:
            await ratings_repo.add_rating(
                db, track_id=track_id, user_id=user_id, emoji=emoji, score=score
            )
    else:
        await ratings_repo.remove_rating(db, track_id=track_id, user_id=user_id, emoji=emoji)


async def apply_waiting(bot: SlackBot, *, channel_id: str, ts: str, track_id: int) -> None:
    """Apply, in order, the reactions that arrived before this message was matched."""
    waiting = await slack_repo.take_pending_reactions(bot.services.db, channel_id=channel_id, ts=ts)
    for reaction in waiting:
        await rate(
            bot,
            track_id=track_id,
            user_id=reaction.user_id,
            emoji=reaction.emoji,
            added=reaction.added,
        )
    if waiting:
        log.info("applied %d early reaction(s) to track %s", len(waiting), track_id)
