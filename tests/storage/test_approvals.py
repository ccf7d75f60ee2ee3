"""Approval decisions: history kept, the track's copy always the newest decision not undone."""

from domain.approvals import ApprovalSource, Decision
from storage import approvals, jobs, ratings, tracks
from storage.database import Database
from tests.storage.test_tracks_and_leases import track_fields


async def test_decisions_stack_and_undo_falls_back_to_the_one_still_standing(db: Database) -> None:
    job = await jobs.create_job(db, request={}, origin="slack")
    track = await tracks.add_track(db, job_id=job.id, variant=1, **track_fields())
    assert track.approval is None

    [first] = await approvals.decide(
        db, [track.id], Decision.APPROVED, user_id="U1", source=ApprovalSource.REACTION
    )
    await approvals.decide(
        db, [track.id], Decision.APPROVED, user_id="U2", source=ApprovalSource.REACTION
    )
    after = await tracks.get_track(db, track.id)
    assert after is not None
    assert (after.approval, after.approval_by) == (Decision.APPROVED, "U2")

    # U2 removes their reaction: U1's approval still stands
    undone = await approvals.undo(
        db, track.id, user_id="U2", source=ApprovalSource.REACTION, decision=Decision.APPROVED
    )
    assert undone is not None
    assert undone.undone_by == "U2"
    after = await tracks.get_track(db, track.id)
    assert after is not None
    assert (after.approval, after.approval_by) == (Decision.APPROVED, "U1")

    # nothing of U2's left to undo; a command's decision is not undone by a reaction removal
    assert (
        await approvals.undo(
            db, track.id, user_id="U2", source=ApprovalSource.REACTION, decision=Decision.APPROVED
        )
        is None
    )
    await approvals.decide(
        db, [track.id], Decision.REJECTED, user_id="U3", source=ApprovalSource.COMMAND, note="hiss"
    )
    assert (await approvals.current(db, [track.id]))[track.id].decision is Decision.REJECTED
    await approvals.undo(
        db, track.id, user_id="U1", source=ApprovalSource.REACTION, decision=Decision.APPROVED
    )
    after = await tracks.get_track(db, track.id)
    assert after is not None
    assert (after.approval, after.approval_by) == (Decision.REJECTED, "U3")
    await approvals.undo(
        db, track.id, user_id="U3", source=ApprovalSource.COMMAND, decision=Decision.REJECTED
    )
    after = await tracks.get_track(db, track.id)
    assert after is not None
    assert (after.approval, after.approval_by, after.approval_at) == (
        None,
        None,
        None,
    )
    assert await approvals.current(db, [track.id]) == {}

    history = await approvals.history(db, track.id)
    assert [(h.user_id, h.decision, h.undone_at is not None) for h in history] == [
        ("U1", Decision.APPROVED, True),
        ("U2", Decision.APPROVED, True),
        ("U3", Decision.REJECTED, True),
    ]
    assert history[0].id == first.id


async def test_deciding_on_several_tracks_skips_unknown_ids(db: Database) -> None:
    job = await jobs.create_job(db, request={}, origin="cli")
    one = await tracks.add_track(db, job_id=job.id, variant=1, **track_fields())
    two = await tracks.add_track(db, job_id=job.id, variant=2, **track_fields())
    made = await approvals.decide(
        db,
        [two.id, 999, one.id],
        Decision.APPROVED,
        user_id="operator",
        source=ApprovalSource.COMMAND,
        forced=True,
    )
    assert [m.track_id for m in made] == [two.id, one.id]
    assert all(m.forced for m in made)
    current = await approvals.current(db, [one.id, two.id, 999])
    assert set(current) == {one.id, two.id}


async def test_listing_filters_on_the_standing_decision(db: Database) -> None:
    job = await jobs.create_job(db, request={}, origin="slack")
    first = await tracks.add_track(db, job_id=job.id, variant=1, **track_fields())
    second = await tracks.add_track(db, job_id=job.id, variant=2, **track_fields())
    await approvals.decide(
        db, [first.id], Decision.APPROVED, user_id="U1", source=ApprovalSource.COMMAND
    )
    await approvals.decide(
        db, [second.id], Decision.REJECTED, user_id="U1", source=ApprovalSource.COMMAND
    )
    approved = await tracks.list_tracks(db, approval=Decision.APPROVED)
    rejected = await tracks.list_tracks(db, approval=Decision.REJECTED)
    assert [t.id for t in approved] == [first.id]
    assert [t.id for t in rejected] == [second.id]
    assert len(await tracks.list_tracks(db)) == 2


async def test_people_deciding_is_remembered_even_when_undone(db: Database) -> None:
    job = await jobs.create_job(db, request={}, origin="slack")
    track = await tracks.add_track(db, job_id=job.id, variant=1, **track_fields())
    await approvals.decide(
        db, [track.id], Decision.APPROVED, user_id="auto", source=ApprovalSource.AUTO
    )
    assert not await approvals.decided_by_people(db, track.id)
    await approvals.decide(
        db, [track.id], Decision.APPROVED, user_id="U1", source=ApprovalSource.REACTION
    )
    await approvals.undo(
        db, track.id, user_id="U1", source=ApprovalSource.REACTION, decision=Decision.APPROVED
    )
    assert await approvals.decided_by_people(db, track.id)


async def test_a_notice_is_claimed_once(db: Database) -> None:
    assert await approvals.claim_notice(db, "not-approver:U9")
    assert not await approvals.claim_notice(db, "not-approver:U9")
    assert await approvals.claim_notice(db, "force:U1:3")
    # a restart (another handle on the same database) still knows
    again = await Database.open(db.url)
    try:
        assert not await approvals.claim_notice(again, "not-approver:U9")
    finally:
        await again.close()


async def test_a_tracks_score_is_the_mean_of_each_persons_latest_rating(db: Database) -> None:
    job = await jobs.create_job(db, request={}, origin="slack")
    track = await tracks.add_track(db, job_id=job.id, variant=1, **track_fields())
    assert await ratings.track_score(db, track.id) == (None, 0)
    await ratings.add_rating(db, track_id=track.id, user_id="U1", emoji="+1", score=1)
    await ratings.add_rating(db, track_id=track.id, user_id="U1", emoji="five", score=5)
    await ratings.add_rating(db, track_id=track.id, user_id="U2", emoji="two", score=2)
    assert await ratings.track_score(db, track.id) == (3.5, 2)  # U1's five, U2's two
