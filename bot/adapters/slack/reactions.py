"""Emoji reactions on a track's message become ratings (and removing one removes the rating);
the approval emoji (APPROVAL_REACTION, ✅ by default) approves the track instead.

A reaction can arrive before the bot knows which message a freshly shared track became (Slack
shares files asynchronously); such reactions wait in the database and are applied the moment the
message is matched to its track. The bot's own reactions and reactions on any other message are
ignored. A reaction from someone the allow-lists exclude is not recorded (they are told
privately when it was on a track). Each person's latest reaction still on the message is their
one rating of the track (`storage.ratings.counted`); after every change the preset's
auto-approval rule is applied (`commands.approvals.apply_auto_rule`).

The approval emoji is never a rating. From an approver (SLACK_APPROVER_USERS or an admin) it
approves the track (`commands.approvals.decide_tracks`, source REACTION): nothing is recorded when
the track is already approved, and a track that failed its audio check is not approved (the
approver is told once per track to use `/music approve N force`). Removing it undoes exactly that
person's reaction decision; the track falls back to any decision still standing. From anyone else
it changes nothing, and they are told privately once, ever (`storage.approvals.claim_notice`).
"""

import logging

from bot.adapters.slack.context import SlackBot
from bot.adapters.slack.flow import say_privately
from commands.approvals import Outcome, apply_auto_rule, decide_tracks, who_may_approve
from domain.approvals import ApprovalSource, Decision
from domain.records import MessageKind
from storage import approvals as approvals_repo
from storage import ratings as ratings_repo
from storage import slack as slack_repo

log = logging.getLogger(__name__)


async def on_reaction(
    bot: SlackBot, *, user_id: str, reaction: str, channel_id: str, ts: str, added: bool
) -> None:
    """Handle one reaction_added / reaction_removed event."""
    emoji = reaction.split("::", 1)[0]  # "+1::skin-tone-3" is still "+1"
    if (bot.score_of(emoji) is None and not bot.approves(emoji)) or user_id == bot.bot_user_id:
        return
    db = bot.services.db
    refusal = bot.policy.check(user_id=user_id, channel_id=channel_id)
    message = await slack_repo.find_message(db, channel_id=channel_id, ts=ts)
    if message is not None:
        if message.kind is not MessageKind.TRACK or message.track_id is None:
            return
        if refusal is None:
            await react(
                bot,
                track_id=message.track_id,
                user_id=user_id,
                emoji=emoji,
                added=added,
                channel_id=channel_id,
            )
        elif added:
            await say_privately(bot, user_id=user_id, channel_id=channel_id, text=refusal.text)
        return
    if refusal is None and await slack_repo.unresolved_posts_in(db, channel_id):
        await slack_repo.add_pending_reaction(
            db, channel_id=channel_id, ts=ts, user_id=user_id, emoji=emoji, added=added
        )


async def react(
    bot: SlackBot, *, track_id: int, user_id: str, emoji: str, added: bool, channel_id: str
) -> None:
    """One reaction of an allowed person on a track: an approval or a rating."""
    if bot.approves(emoji):
        await approve_by_reaction(
            bot, track_id=track_id, user_id=user_id, added=added, channel_id=channel_id
        )
    else:
        await rate(bot, track_id=track_id, user_id=user_id, emoji=emoji, added=added)


async def approve_by_reaction(
    bot: SlackBot, *, track_id: int, user_id: str, added: bool, channel_id: str
) -> None:
    """The approval emoji added to or removed from a track by one person."""
    db = bot.services.db
    if not bot.policy.is_approver(user_id):
        if added and await approvals_repo.claim_notice(db, f"not-approver:{user_id}"):
            text = (
                f"Your :{bot.approval_emoji}: does not approve tracks and changes nothing. "
                + who_may_approve(bot.services)
            )
            await say_privately(bot, user_id=user_id, channel_id=channel_id, text=text)
        return
    if not added:
        undone = await approvals_repo.undo(
            db,
            track_id,
            user_id=user_id,
            source=ApprovalSource.REACTION,
            decision=Decision.APPROVED,
        )
        if undone is not None:
            log.info("track %s: %s took back their approval", track_id, user_id)
        return
    [result] = await decide_tracks(
        db, (track_id,), Decision.APPROVED, user_id=user_id, source=ApprovalSource.REACTION
    )
    if result.outcome is Outcome.NEEDS_FORCE and await approvals_repo.claim_notice(
        db, f"force:{user_id}:{track_id}"
    ):
        text = f"Your :{bot.approval_emoji}: did not approve it. {result.text}"
        await say_privately(bot, user_id=user_id, channel_id=channel_id, text=text)
    elif result.outcome is Outcome.DONE:
        log.info("track %s approved by %s's reaction", track_id, user_id)


async def rate(bot: SlackBot, *, track_id: int, user_id: str, emoji: str, added: bool) -> None:
    """Add or remove one person's rating of a track, then apply its preset's auto-approval rule."""
    db = bot.services.db
    if added:
        score = bot.score_of(emoji)
        if score is not None:
            await ratings_repo.add_rating(
                db, track_id=track_id, user_id=user_id, emoji=emoji, score=score
            )
    else:
        await ratings_repo.remove_rating(db, track_id=track_id, user_id=user_id, emoji=emoji)
    await apply_auto_rule(bot.services, track_id)


async def apply_waiting(bot: SlackBot, *, channel_id: str, ts: str, track_id: int) -> None:
    """Apply, in order, the reactions that arrived before this message was matched."""
    waiting = await slack_repo.take_pending_reactions(bot.services.db, channel_id=channel_id, ts=ts)
    for reaction in waiting:
        await react(
            bot,
            track_id=track_id,
            user_id=reaction.user_id,
            emoji=reaction.emoji,
            added=reaction.added,
            channel_id=channel_id,
        )
    if waiting:
        log.info("applied %d early reaction(s) to track %s", len(waiting), track_id)
