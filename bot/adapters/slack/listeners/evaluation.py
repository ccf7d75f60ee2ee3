"""A listening session's vote card: the Vote button opens the form; the form records the vote.

Both check, before anything else, the allow-lists every Slack path checks (`AccessPolicy`), then
whether the session takes votes and whether the person is one of its raters (the session's list,
or its user group, asked of Slack with usergroups.users.list). Refusals and confirmations go to
the rater alone; nothing else changes but the card's count, which the publisher edits.
"""

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError

from bot.adapters.slack.context import SlackBot
from bot.adapters.slack.evaluation_render import (
    COMMENT,
    SCORE_A,
    SCORE_B,
    VOTE_ACTION,
    VOTE_MODAL,
    FormVote,
    read_form,
    vote_form,
)
from bot.adapters.slack.flow import allowed, reply_privately_via, say_privately
from commands.evaluation.votes import BadVote, cast_vote, check_score, clean_comment, rater_refusal
from domain.evaluations import EvalPairRecord, EvalSessionRecord
from storage import evaluations as evaluations_repo

log = logging.getLogger(__name__)


async def in_group(bot: SlackBot, group: str | None, user_id: str) -> bool:
    """Whether `user_id` is a member of the Slack user group `group` (False when none)."""
    if group is None:
        return False
    try:
        response = await bot.client.usergroups_users_list(usergroup=group)
    except SlackApiError as exc:  # an unknown or disabled group admits nobody
        log.warning(
            "cannot read the members of user group %s (%s): check the usergroups:read scope",
            group,
            exc.response.get("error"),
        )
        return False
    return user_id in (response.get("users") or [])


async def _pair_and_session(
    bot: SlackBot, pair_id: int
) -> tuple[EvalPairRecord, EvalSessionRecord] | None:
    db = bot.services.db
    pair = await evaluations_repo.get_pair(db, pair_id)
    session = await evaluations_repo.get_session_by_id(db, pair.session_id) if pair else None
    return (pair, session) if pair is not None and session is not None else None


async def _refusal(bot: SlackBot, session: EvalSessionRecord, user_id: str) -> str | None:
    member = await in_group(bot, session.rater_group, user_id)
    return rater_refusal(session, user_id, in_group=member)


def _checked(form: FormVote) -> tuple[tuple[int, int], str | None] | dict[str, str]:
    """((A, B), comment) of a submitted form, or the form's errors by block."""
    problems: dict[str, str] = {}
    scores: list[int] = []
    for block, name, value in ((SCORE_A, "A", form.score_a), (SCORE_B, "B", form.score_b)):
        try:
            scores.append(check_score(name, value))
        except BadVote as error:
            problems[block] = str(error)
    comment = None
    try:
        comment = clean_comment(form.comment)
    except BadVote as error:
        problems[COMMENT] = str(error)
    return problems if problems else ((scores[0], scores[1]), comment)


def register(app: AsyncApp, bot: SlackBot) -> None:
    """Wire the Vote button and the vote form."""

    async def vote_clicked(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        reply_privately_via(respond)
        user_id = str((body.get("user") or {}).get("id") or "")
        channel_id = str((body.get("channel") or {}).get("id") or "")
        value = str(action.get("value") or "")
        if not await allowed(bot, user_id=user_id, channel_id=channel_id):
            return
        found = await _pair_and_session(bot, int(value)) if value.isdigit() else None
        if found is None:
            await say_privately(
                bot, user_id=user_id, channel_id=channel_id, text="This pair no longer exists."
            )
            return
        pair, session = found
        if problem := await _refusal(bot, session, user_id):
            await say_privately(bot, user_id=user_id, channel_id=channel_id, text=problem)
            return
        vote = await evaluations_repo.get_vote(bot.services.db, pair.id, user_id)
        thread = session.thread_ts
        view = vote_form(pair, vote, channel_id=channel_id, thread_ts=thread)
        await bot.client.views_open(trigger_id=str(body["trigger_id"]), view=view)

    async def vote_submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        form = read_form(view)
        checked = _checked(form)
        if isinstance(checked, dict):
            await ack(response_action="errors", errors=checked)
            return
        (score_a, score_b), comment = checked
        await ack()
        user_id = str((body.get("user") or {}).get("id") or "")

        async def tell(text: str) -> None:
            await say_privately(
                bot,
                user_id=user_id,
                channel_id=form.channel_id,
                thread_ts=form.thread_ts,
                text=text,
            )

        if not await allowed(bot, user_id=user_id, channel_id=form.channel_id):
            return
        found = await _pair_and_session(bot, form.pair_id)
        if found is None:
            await tell("This pair no longer exists.")
            return
        pair, session = found
        member = await in_group(bot, session.rater_group, user_id)
        answer = await cast_vote(
            bot.services.db,
            pair,
            user_id,
            score_a=score_a,
            score_b=score_b,
            comment=comment,
            in_group=member,
        )
        await tell(answer.text)
        if answer.ok:
            bot.wake_publisher()  # the card's count

    app.action(VOTE_ACTION)(bot.drained(vote_clicked))
    app.view(VOTE_MODAL)(bot.drained(vote_submitted))
