"""`/music approve` and `/music reject`, and the preset's auto-approval rule, through the one
command path on the real services (the Slack reaction path: tests/slack/test_e2e_approval.py)."""

import pytest

from bot.services import Services
from commands.approvals import apply_auto_rule, parse_decision
from commands.context import Caller
from commands.errors import UsageError
from commands.replies import Reply
from commands.router import handle
from domain.approvals import ApprovalSource, Decision
from presets.library import PresetLibrary
from presets.schema import Approval, AutoApproval
from storage import approvals as approvals_repo
from storage import batches as batches_repo
from storage import evaluations as evaluations_repo
from storage import ratings as ratings_repo
from storage import tracks as tracks_repo
from storage.batches import NewJob
from tests.storage.test_tracks_and_leases import track_fields

APPROVER = Caller("slack", user_id="U0APPROVER", channel_id="C1", approver=True)
ADMIN = Caller("slack", user_id="U0ADMIN", channel_id="C1", admin=True)
SOMEONE = Caller("slack", user_id="U0SOMEONE", channel_id="C1")
OPERATOR = Caller("cli", user_id="cli")


async def make_tracks(services: Services, count: int = 2) -> list[int]:
    """`count` finished tracks of the spa preset (made by the operator)."""
    made = await handle(f"/music spa 10s x{count} wav", services, OPERATOR)
    await services.engine.run_until_idle(made.job_ids)
    found = await tracks_repo.list_tracks(services.db, job_ids=made.job_ids, oldest_first=True)
    return [track.id for track in found]


async def say(services: Services, text: str, caller: Caller = APPROVER) -> Reply:
    return await handle(text, services, caller)


@pytest.mark.parametrize(
    ("text", "ids", "force", "note"),
    [
        ("12", (12,), False, None),
        ("12 13", (12, 13), False, None),
        ("12,13", (12, 13), False, None),
        ("#12, #13 12", (12, 13), False, None),
        ("track 7 force", (7,), True, None),
        ("7 FORCE fine for the lobby", (7,), True, "fine for the lobby"),
        ("7 lovely, warm", (7,), False, "lovely, warm"),
    ],
)
def test_track_ids_force_and_note_are_read(
    text: str, ids: tuple[int, ...], force: bool, note: str | None
) -> None:
    asked = parse_decision(text, Decision.APPROVED)
    assert (asked.track_ids, asked.force, asked.note) == (ids, force, note)


def test_force_is_only_a_word_of_the_note_when_rejecting() -> None:
    asked = parse_decision("4 force of habit", Decision.REJECTED)
    assert (asked.force, asked.note) == (False, "force of habit")


@pytest.mark.parametrize("text", ["", "soon", "twelve 12", "1" + "," * 2 + "x"])
def test_no_track_number_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_decision(text, Decision.APPROVED)
    assert "is not a track number" in caught.value.message
    assert caught.value.example == "/music approve 12 13"


async def test_usage_errors_come_back_with_an_example(services: Services) -> None:
    reply = await say(services, "/music reject")
    assert not reply.ok
    assert reply.example == "/music reject 12 too busy for a lobby"


async def test_an_approver_approves_and_rejects_with_a_line_per_track(services: Services) -> None:
    first, second = await make_tracks(services)
    reply = await say(services, f"/music approve {first},{second} 99 warm and even")
    assert not reply.ok  # one of the three was not there
    assert reply.text == "Approved 2 of 3 track(s). Note: warm and even"
    assert reply.lines == (
        f"Track {first} approved.",
        f"Track {second} approved.",
        "There is no track 99.",
    )
    [record] = await approvals_repo.history(services.db, first)
    assert (record.user_id, record.source, record.note) == (
        "U0APPROVER",
        ApprovalSource.COMMAND,
        "warm and even",
    )
    rejected = await say(services, f"/music reject #{second} hiss at the end", ADMIN)
    assert rejected.ok
    assert rejected.lines[0].startswith(f"Track {second} rejected (was approved by <@U0APPROVER>")
    track = await tracks_repo.get_track(services.db, second)
    assert track is not None
    assert (track.approval, track.approval_by) == (Decision.REJECTED, "U0ADMIN")


async def test_approving_twice_records_nothing_and_says_so(services: Services) -> None:
    [track_id] = await make_tracks(services, 1)
    await say(services, f"approve {track_id}")
    again = await say(services, f"approve {track_id}", ADMIN)
    assert again.ok  # the wanted state stands
    assert again.text == "Approved 0 of 1 track(s)."
    [line] = again.lines
    assert line.startswith(f"Track {track_id} is already approved by <@U0APPROVER> (on ")
    assert line.endswith("); nothing changed.")
    assert len(await approvals_repo.history(services.db, track_id)) == 1


async def test_a_track_that_failed_its_audio_check_needs_force(services: Services) -> None:
    [track_id] = await make_tracks(services, 1)
    await tracks_repo.update_track(
        services.db, track_id, qc_verdict="fail", qc_problems=["clipping"]
    )
    refused = await say(services, f"approve {track_id}")
    assert not refused.ok
    assert refused.lines == (
        f"Track {track_id} failed its audio check (clipping): add `force` to approve it anyway, "
        f"e.g. `/music approve {track_id} force`.",
    )
    assert await approvals_repo.history(services.db, track_id) == []
    forced = await say(services, f"approve {track_id} force")
    assert forced.ok
    assert forced.lines == (
        f"Track {track_id} approved although it failed its audio check (forced).",
    )
    [record] = await approvals_repo.history(services.db, track_id)
    assert record.forced
    # rejecting one needs no force
    assert (await say(services, f"reject {track_id}")).ok


async def test_people_who_are_not_approvers_are_refused_and_told_who_may(
    services: Services,
) -> None:
    [track_id] = await make_tracks(services, 1)
    reply = await say(services, f"approve {track_id}", SOMEONE)
    assert not reply.ok
    assert "Only approvers may approve tracks, and none are set" in reply.text
    assert 'acemusic run "/music approve 12"' in reply.text
    assert await approvals_repo.history(services.db, track_id) == []
    services.settings = services.settings.model_copy(
        update={"slack_approver_users": ["U0APPROVER"], "slack_admin_users": ["U0ADMIN"]}
    )
    reply = await say(services, f"reject {track_id}", SOMEONE)
    assert (
        reply.text
        == "Only approvers may reject tracks: <@U0APPROVER>, <@U0ADMIN>. Ask one of them."
    )


async def test_the_operator_at_the_terminal_may_approve(services: Services) -> None:
    [track_id] = await make_tracks(services, 1)
    reply = await say(services, f"approve {track_id}", OPERATOR)
    assert reply.ok
    listed = await say(services, "tracks approved", OPERATOR)
    [line] = listed.lines
    assert line.startswith(f"track {track_id} ")
    assert "✅ approved by @cli on " in line


async def test_tracks_lists_filter_on_approval(services: Services) -> None:
    first, second = await make_tracks(services)
    await say(services, f"approve {first}")
    await say(services, f"reject {second}")
    approved = await say(services, "tracks approved", ADMIN)
    rejected = await say(services, "tracks rejected", ADMIN)
    everything = await say(services, "tracks", ADMIN)
    assert [line.split()[1] for line in approved.lines] == [str(first)]
    assert [line.split()[1] for line in rejected.lines] == [str(second)]
    assert "⛔ rejected by <@U0APPROVER> on " in rejected.lines[0]
    assert len(everything.lines) == 2
    # the filters combine, in either order
    combined = await say(services, "tracks batch=99 approved", ADMIN)
    assert combined.text == "No approved tracks of batch #99 yet."
    bad = await say(services, "tracks pending", ADMIN)
    assert not bad.ok
    assert "'pending' is not a track filter" in bad.text


async def test_candidates_of_an_open_listening_session_are_no_such_track(
    services: Services,
) -> None:
    db = services.db
    session, _ = await evaluations_repo.get_or_create_session(
        db, "q1", origin="cli", owner=None, seed=1
    )
    _, (job_id,) = await batches_repo.create_batch(
        db,
        name="eval q1",
        origin="cli",
        jobs=[NewJob({"variants": 1})],
        priority=10,
        evaluation_id=session.id,
    )
    hidden = await tracks_repo.add_track(db, job_id=job_id, variant=1, **track_fields())
    reply = await say(services, f"approve {hidden.id}", ADMIN)
    assert reply.lines == (f"There is no track {hidden.id}.",)
    assert await approvals_repo.history(db, hidden.id) == []


def with_rule(library: PresetLibrary, preset_id: str, **rule: object) -> PresetLibrary:
    """The library, with an auto-approval rule on one preset."""
    auto = AutoApproval.model_validate(rule)
    return PresetLibrary(
        preset.model_copy(update={"approval": Approval(auto=auto)})
        if preset.id == preset_id
        else preset
        for preset in library
    )


async def test_the_auto_rule_approves_and_withdraws_only_its_own_approval(
    services: Services,
) -> None:
    services.presets = with_rule(services.presets, "spa", min_score=3, min_raters=2)
    first, second = await make_tracks(services)
    db = services.db
    await ratings_repo.add_rating(db, track_id=first, user_id="U1", emoji="five", score=5)
    assert await apply_auto_rule(services, first) is None  # one rater
    await ratings_repo.add_rating(db, track_id=first, user_id="U2", emoji="+1", score=1)
    made = await apply_auto_rule(services, first)  # mean 3 from 2
    assert made is not None
    assert (made.user_id, made.source) == ("auto", ApprovalSource.AUTO)
    assert await apply_auto_rule(services, first) is None  # already stands: nothing new
    assert len(await approvals_repo.history(db, first)) == 1
    await ratings_repo.remove_rating(db, track_id=first, user_id="U1", emoji="five")
    undone = await apply_auto_rule(services, first)
    assert undone is not None
    assert undone.undone_at is not None
    track = await tracks_repo.get_track(db, first)
    assert track is not None
    assert track.approval is None

    # a person's decision wins: the rule never approves a track someone rejected or un-approved
    await say(services, f"reject {second}")
    for user, emoji, score in (("U1", "five", 5), ("U2", "four", 4)):
        await ratings_repo.add_rating(db, track_id=second, user_id=user, emoji=emoji, score=score)
    assert await apply_auto_rule(services, second) is None
    track = await tracks_repo.get_track(db, second)
    assert track is not None
    assert track.approval is Decision.REJECTED


async def test_a_command_makes_an_auto_approval_firm(services: Services) -> None:
    services.presets = with_rule(services.presets, "spa", min_score=1, min_raters=1)
    [track_id] = await make_tracks(services, 1)
    db = services.db
    await ratings_repo.add_rating(db, track_id=track_id, user_id="U1", emoji="five", score=5)
    assert await apply_auto_rule(services, track_id) is not None
    reply = await say(services, f"approve {track_id}")
    assert reply.lines[0].startswith(
        f"Track {track_id} approved (was approved by the auto-approval rule on "
    )
    await ratings_repo.remove_rating(db, track_id=track_id, user_id="U1", emoji="five")
    assert await apply_auto_rule(services, track_id) is None  # a person decided: rule stays out
    track = await tracks_repo.get_track(db, track_id)
    assert track is not None
    assert (track.approval, track.approval_by) == (Decision.APPROVED, "U0APPROVER")


async def test_the_auto_rule_wants_the_audio_check_it_names(services: Services) -> None:
    services.presets = with_rule(services.presets, "spa", min_score=1, min_raters=1)
    [track_id] = await make_tracks(services, 1)
    db = services.db
    await tracks_repo.update_track(db, track_id, qc_verdict="warn", qc_problems=["quiet"])
    await ratings_repo.add_rating(db, track_id=track_id, user_id="U1", emoji="five", score=5)
    assert await apply_auto_rule(services, track_id) is None  # audio_check: pass (default)
    services.presets = with_rule(
        services.presets, "spa", min_score=1, min_raters=1, audio_check="warn"
    )
    assert await apply_auto_rule(services, track_id) is not None
    await tracks_repo.update_track(db, track_id, qc_verdict="fail", qc_problems=["silent"])
    assert await apply_auto_rule(services, track_id) is not None  # withdrawn: it failed now
