"""End to end through the local Slack: approving tracks by the ✅ reaction and by command, undoing
by removing the reaction, refusing and telling non-approvers once (across a restart), `force` for
a track that failed its audio check, and a preset's auto-approval after two people's ratings."""

import pytest

from bot.settings import DEFAULT_RATING_EMOJI
from domain.approvals import ApprovalRecord, ApprovalSource, Decision
from domain.records import TrackRecord
from storage import approvals as approvals_repo
from storage import ratings as ratings_repo
from storage import slack as slack_repo
from storage import tracks as tracks_repo
from tests.commands.test_approvals import with_rule
from tests.fakeslack import CHANNEL_ID, OTHER_USER_ID, USER_ID, payloads
from tests.slack.conftest import DRAIN_S, Harness, MakeBot
from tests.slack.test_e2e_authorization import private_answers
from tests.slack.test_e2e_flow import track_messages

pytestmark = pytest.mark.slow

APPROVER = "U0APPROVR1"
ADMIN = "U0FAKEADMN"
CHECK = "white_check_mark"


async def bot_with_tracks(make_bot: MakeBot, count: int, **settings: object) -> Harness:
    """A bot with one approver and one admin, and one job of `count` spa tracks posted."""
    h = await make_bot(
        "socket",
        slack_approver_users=[APPROVER],
        slack_admin_users=[ADMIN],
        slack_channel_post_gap_seconds=0,
        **settings,
    )
    await h.slash(f"spa 10 sec x{count} wav")
    await track_messages(h, await h.card_showing(1, "track(s) in the thread"), count)
    return h


async def posted(h: Harness) -> list[tuple[TrackRecord, str]]:
    """Job 1's tracks, oldest first, each with the ts of its Slack message."""
    tracks = await tracks_repo.list_tracks(h.services.db, job_ids=[1], oldest_first=True)
    ts = {p.track_id: p.message_ts for p in await slack_repo.posts_for_job(h.services.db, 1)}
    return [(track, str(ts[track.id])) for track in tracks]


async def settled(h: Harness) -> None:
    """Let the listeners of the events sent so far finish."""
    assert await h.run.bot.wait_idle(DRAIN_S)


async def standing(h: Harness, track_id: int) -> TrackRecord:
    track = await tracks_repo.get_track(h.services.db, track_id)
    assert track is not None
    return track


async def approved_by(h: Harness, track_id: int, who: str | None) -> None:
    """Wait until the track's standing approval is by `who` (None: no decision stands)."""

    async def now() -> bool:
        track = await standing(h, track_id)
        if who is None:
            return track.approval is None
        return (track.approval, track.approval_by) == (Decision.APPROVED, who)

    await h.until(now, what=f"track {track_id} approved by {who}")


async def test_a_check_mark_approves_and_removing_it_undoes_that_persons_approval(
    make_bot: MakeBot,
) -> None:
    # even when RATING_EMOJI lists the approval emoji, it approves and never rates
    h = await bot_with_tracks(make_bot, 1, rating_emoji={**DEFAULT_RATING_EMOJI, CHECK: 1.0})
    [(track, ts)] = await posted(h)
    await h.event(payloads.reaction_added(CHECK, ts=ts, user=APPROVER))
    await approved_by(h, track.id, APPROVER)
    await h.event(payloads.reaction_added(CHECK, ts=ts, user=ADMIN))  # admins approve too
    await approved_by(h, track.id, ADMIN)
    history = await approvals_repo.history(h.services.db, track.id)
    assert [(r.user_id, r.source) for r in history] == [
        (APPROVER, ApprovalSource.REACTION),
        (ADMIN, ApprovalSource.REACTION),
    ]
    assert await ratings_repo.ratings_for(h.services.db, [track.id]) == []

    await h.event(payloads.reaction_removed(CHECK, ts=ts, user=ADMIN))
    await approved_by(h, track.id, APPROVER)  # falls back to the approval still standing
    await h.event(payloads.reaction_removed(CHECK, ts=ts, user=APPROVER))
    await approved_by(h, track.id, None)
    await h.slash("tracks", user_id=APPROVER)
    [listing] = await private_answers(h, APPROVER, 1)
    assert "approved by" not in listing
    assert not h.fake.problems


async def test_approve_and_reject_by_command_with_a_line_per_track(make_bot: MakeBot) -> None:
    h = await bot_with_tracks(make_bot, 2)
    [(first, ts), (second, _)] = await posted(h)
    await h.slash(f"approve {first.id}, {second.id} 999 bright and even", user_id=APPROVER)
    [answer] = await private_answers(h, APPROVER, 1)
    assert "Approved 2 of 3 track(s). Note: bright and even" in answer
    assert f"Track {first.id} approved." in answer
    assert "There is no track 999." in answer
    await h.slash(f"reject {second.id} hiss at the end", user_id=ADMIN)
    [answer] = await private_answers(h, ADMIN, 1)
    assert f"Track {second.id} rejected (was approved by <@{APPROVER}> on " in answer

    # the approver's ✅ too is a decision of its own; Slack's retry of it records nothing more
    added = payloads.event_callback(payloads.reaction_added(CHECK, ts=ts, user=APPROVER))
    await h.event(added)
    await h.event(added, retry_attempt=1, retry_reason="timeout")  # same event_id
    await settled(h)
    history = await approvals_repo.history(h.services.db, first.id)
    assert [r.source for r in history] == [ApprovalSource.COMMAND, ApprovalSource.REACTION]
    # ... and removing it leaves the command's approval standing
    await h.event(payloads.reaction_removed(CHECK, ts=ts, user=APPROVER))
    await settled(h)
    track = await standing(h, first.id)
    assert (track.approval, track.approval_by) == (Decision.APPROVED, APPROVER)
    history = await approvals_repo.history(h.services.db, first.id)
    assert [r.undone_at is None for r in history] == [True, False]

    await h.slash("tracks approved", user_id=ADMIN)
    listings = await private_answers(h, ADMIN, 2)
    assert f"track {first.id} " in listings[1]
    assert f"approved by <@{APPROVER}> on " in listings[1]  # a mention Slack shows as @name
    assert f"track {second.id} " not in listings[1]
    # someone else is refused, and told who may approve
    await h.slash(f"approve {second.id}", user_id=USER_ID)
    [refusal] = await private_answers(h, USER_ID, 1)
    assert f"Only approvers may approve tracks: <@{APPROVER}>, <@{ADMIN}>" in refusal
    assert (await standing(h, second.id)).approval is Decision.REJECTED


async def test_a_non_approvers_check_mark_changes_nothing_and_is_explained_once(
    make_bot: MakeBot,
) -> None:
    h = await bot_with_tracks(make_bot, 2)
    [(first, first_ts), (second, second_ts)] = await posted(h)
    for ts in (first_ts, second_ts, first_ts):
        await h.event(payloads.reaction_added(CHECK, ts=ts, user=USER_ID))
    await h.event(payloads.reaction_removed(CHECK, ts=first_ts, user=USER_ID))
    await settled(h)
    [told] = [e.text for e in h.fake.workspace.ephemerals if e.user == USER_ID]
    assert "does not approve tracks and changes nothing" in told
    assert f"<@{APPROVER}>" in told
    for track in (first, second):
        assert (await standing(h, track.id)).approval is None
        assert await approvals_repo.history(h.services.db, track.id) == []
        assert await ratings_repo.ratings_for(h.services.db, [track.id]) == []

    # after a restart the bot still remembers it told them
    await h.stop()
    again = await make_bot("socket", fake=h.fake, slack_approver_users=[APPROVER])
    await again.event(payloads.reaction_added(CHECK, ts=second_ts, user=USER_ID))
    await settled(again)
    assert len([e for e in again.fake.workspace.ephemerals if e.user == USER_ID]) == 1
    # another person is told too (once per person)
    await again.event(payloads.reaction_added(CHECK, ts=second_ts, user=OTHER_USER_ID))
    [other] = await private_answers(again, OTHER_USER_ID, 1)
    assert "does not approve tracks" in other


async def test_a_track_that_failed_its_audio_check_needs_force(make_bot: MakeBot) -> None:
    h = await bot_with_tracks(make_bot, 2)
    [(first, first_ts), (second, second_ts)] = await posted(h)
    for track in (first, second):
        await tracks_repo.update_track(
            h.services.db, track.id, qc_verdict="fail", qc_problems=["clipping"]
        )
    for ts in (first_ts, first_ts, second_ts):
        await h.event(payloads.reaction_added(CHECK, ts=ts, user=APPROVER))
    await settled(h)
    told = [e.text for e in h.fake.workspace.ephemerals if e.user == APPROVER]
    assert len(told) == 2  # once per track, not per reaction (the two events run side by side,
    # so the notices may arrive in either order)
    for track in (first, second):
        [notice] = [text for text in told if f"Track {track.id} failed" in text]
        assert (
            f"Track {track.id} failed its audio check (clipping): add `force` to approve it "
            f"anyway, e.g. `/music approve {track.id} force`."
        ) in notice
    assert (await standing(h, first.id)).approval is None

    await h.slash(f"approve {first.id}", user_id=APPROVER)
    refused = await private_answers(h, APPROVER, 3)
    assert "add `force` to approve it anyway" in refused[2]
    assert (await standing(h, first.id)).approval is None
    await h.slash(f"approve {first.id} force", user_id=APPROVER)
    forced = await private_answers(h, APPROVER, 4)
    assert "approved although it failed its audio check (forced)" in forced[3]
    [record] = await approvals_repo.history(h.services.db, first.id)
    assert record.forced


async def test_a_presets_rule_approves_after_two_peoples_ratings(make_bot: MakeBot) -> None:
    h = await bot_with_tracks(make_bot, 1)
    h.services.presets = with_rule(h.services.presets, "spa", min_score=3, min_raters=2)
    [(track, ts)] = await posted(h)
    await h.event(payloads.reaction_added("five", ts=ts, user=USER_ID))
    await settled(h)
    assert (await standing(h, track.id)).approval is None  # one rater so far
    await h.event(payloads.reaction_added("three", ts=ts, user=OTHER_USER_ID))
    await approved_by(h, track.id, "auto")
    [record] = await approvals_repo.history(h.services.db, track.id)
    assert (record.source, record.note) == (
        ApprovalSource.AUTO,
        "mean score 4 from 2 rater(s), audio check pass",
    )
    await h.slash("tracks", user_id=ADMIN)
    [listing] = await private_answers(h, ADMIN, 1)
    assert "approved by the auto-approval rule on " in listing

    # an approver's rejection wins, and the rule does not come back to it
    await h.slash(f"reject {track.id}", user_id=APPROVER)
    await private_answers(h, APPROVER, 1)
    await h.event(payloads.reaction_added("five", ts=ts, user=ADMIN))

    async def three_raters() -> bool:
        return len(await ratings_repo.ratings_for(h.services.db, [track.id])) == 3

    await h.until(three_raters, what="the third rating")
    await settled(h)
    assert (await standing(h, track.id)).approval is Decision.REJECTED


async def test_a_check_mark_before_the_track_is_matched_still_approves(make_bot: MakeBot) -> None:
    """Runs the REAL background loops (loops=True), as the early-rating test does: the ✅ must
    arrive while the publisher is still waiting on a slow files.info."""
    h = await make_bot("socket", loops=True, slack_approver_users=[APPROVER])
    h.fake.slow_down(2.0, "files.info")
    await h.slash("spa 10 sec x1 wav")
    card_ts = await h.card_ts(1)

    async def shared_ts() -> str | None:
        files = h.fake.workspace.files_in(CHANNEL_ID, card_ts)
        return files[0].shares[0].ts if files else None

    ts = await h.until(shared_ts, what="the track message to appear")
    await h.event(payloads.reaction_added(CHECK, ts=ts, user=APPROVER))
    assert await slack_repo.find_message(h.services.db, channel_id=CHANNEL_ID, ts=ts) is None

    async def approved() -> ApprovalRecord | None:
        [track] = await tracks_repo.list_tracks(h.services.db, job_ids=[1])
        return (await approvals_repo.current(h.services.db, [track.id])).get(track.id)

    record: ApprovalRecord = await h.until(approved, what="the early approval applied")
    assert (record.user_id, record.source) == (APPROVER, ApprovalSource.REACTION)
