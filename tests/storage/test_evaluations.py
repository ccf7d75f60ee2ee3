"""Listening-test storage: sessions by name, references once per content, shuffled pair numbers,
one vote per rater and pair, no vote outside LISTENING, blinded candidates hidden from listings."""

import asyncio
from pathlib import Path
from typing import Any

import pytest

from domain.evaluations import EvalStatus, PairState
from storage import batches, jobs, ratings, tracks
from storage import evaluations as evals
from storage.batches import NewJob
from storage.database import Database
from tests.conftest import sqlite_url
from tests.storage.test_tracks_and_leases import track_fields


def reference(n: int, zone: str = "spa", **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "zone": zone,
        "file_path": f"/out/eval/refs/{n:064x}.mp3",
        "sha256": f"{n:064x}",
        "size_bytes": 1000 + n,
        "duration_s": 120.0,
        "audio_format": "mp3",
        "original_name": f"mureka-{n}.mp3",
    }
    return fields | overrides


async def session_with_pairs(db: Database, n: int) -> tuple[int, list[int]]:
    """A LISTENING session with `n` READY pairs; (session id, pair ids in number order)."""
    session, _ = await evals.get_or_create_session(db, "s", origin="cli", owner=None, seed=1)
    refs = [(await evals.add_reference(db, session.id, **reference(i)))[0] for i in range(n)]
    job = await jobs.create_job(db, request={}, origin="cli")
    made = await evals.create_pairs(
        db, session.id, [evals.NewPair(r.id, r.zone, job.id) for r in refs], seed=3
    )
    for pair in made:
        await evals.update_pair(db, pair.id, state=PairState.READY, ace_side="A")
    await evals.move_session(
        db, session.id, expect={EvalStatus.COLLECTING}, to=EvalStatus.LISTENING
    )
    return session.id, [p.id for p in sorted(made, key=lambda p: p.number)]


async def test_first_use_creates_the_session_and_later_uses_find_it(db: Database) -> None:
    first, created = await evals.get_or_create_session(
        db, "q1", origin="slack", owner="U1", seed=42
    )
    again, created_again = await evals.get_or_create_session(
        db, "q1", origin="cli", owner=None, seed=7
    )
    assert (created, created_again) == (True, False)
    assert again.id == first.id
    assert (again.owner, again.seed, again.status) == ("U1", 42, EvalStatus.COLLECTING)
    assert [s.name for s in await evals.list_sessions(db)] == ["q1"]


async def test_a_session_made_from_two_handles_at_once_is_one_row(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "race.db")
    one, two = await Database.open(url), await Database.open(url)
    try:
        made = await asyncio.gather(
            *(
                evals.get_or_create_session(db, "same", origin="cli", owner=None, seed=1)
                for db in (one, two, one, two)
            )
        )
    finally:
        await one.close()
        await two.close()
    assert len({record.id for record, _ in made}) == 1
    assert sum(created for _, created in made) == 1


async def test_importing_the_same_content_twice_adds_nothing(db: Database) -> None:
    session, _ = await evals.get_or_create_session(db, "s", origin="cli", owner=None, seed=1)
    first, added = await evals.add_reference(db, session.id, **reference(1, genre="jazz"))
    again, added_again = await evals.add_reference(
        db, session.id, **reference(1, zone="hotel-lobby", original_name="copy.mp3")
    )
    assert (added, added_again) == (True, False)
    assert again == first  # the first import stands
    other, _ = await evals.get_or_create_session(db, "t", origin="cli", owner=None, seed=1)
    _, added_elsewhere = await evals.add_reference(db, other.id, **reference(1))
    assert added_elsewhere  # sessions are independent
    assert len(await evals.list_references(db, session.id)) == 1


async def test_pairs_are_numbered_after_the_last_in_a_seeded_shuffle(db: Database) -> None:
    session, _ = await evals.get_or_create_session(db, "s", origin="cli", owner=None, seed=1)
    refs = [(await evals.add_reference(db, session.id, **reference(i)))[0] for i in range(12)]
    new = [evals.NewPair(r.id, r.zone, None) for r in refs[:8]]
    made = await evals.create_pairs(db, session.id, new, seed=5)
    numbers = {p.reference_id: p.number for p in made}
    assert sorted(numbers.values()) == list(range(1, 9))
    assert [numbers[r.id] for r in refs[:8]] != list(range(1, 9))  # not import order
    assert {p.state for p in made} == {PairState.NO_CANDIDATE}
    assert {p.reason for p in made} == {"no ACE-Step job was made"}
    # again with more references: the first eight keep theirs, the rest follow on from 9
    more = await evals.create_pairs(
        db, session.id, [evals.NewPair(r.id, r.zone, None) for r in refs], seed=5
    )
    assert sorted(p.number for p in more) == [9, 10, 11, 12]
    listed = await evals.list_pairs(db, session.id)
    assert [p.number for p in listed] == list(range(1, 13))


async def test_one_vote_per_rater_and_pair_changeable_until_close(db: Database) -> None:
    session_id, (pair, other) = await session_with_pairs(db, 2)
    assert (
        await evals.record_vote(db, pair, "U1", score_a=4, score_b=2) == evals.VoteOutcome.RECORDED
    )
    changed = await evals.record_vote(db, pair, "U1", score_a=3, score_b=5, comment="B warmer")
    assert changed == evals.VoteOutcome.CHANGED
    assert (
        await evals.record_vote(db, pair, "U2", score_a=1, score_b=1) == evals.VoteOutcome.RECORDED
    )
    assert (
        await evals.record_vote(db, other, "U1", score_a=2, score_b=2) == evals.VoteOutcome.RECORDED
    )
    votes = await evals.list_votes(db, session_id)
    assert [(v.pair_id, v.rater, v.score_a, v.score_b) for v in votes] == [
        (pair, "U1", 3, 5),
        (pair, "U2", 1, 1),
        (other, "U1", 2, 2),
    ]
    assert votes[0].comment == "B warmer"
    assert await evals.voter_counts(db, session_id) == {pair: 2, other: 1}

    closed = await evals.move_session(
        db, session_id, expect={EvalStatus.LISTENING}, to=EvalStatus.CLOSED, closed_by="U9"
    )
    assert closed is not None
    assert closed.closed_by == "U9"
    late = await evals.record_vote(db, pair, "U1", score_a=5, score_b=1)
    assert late == evals.VoteOutcome.CLOSED
    kept = await evals.get_vote(db, pair, "U1")
    assert kept is not None
    assert (kept.score_a, kept.score_b) == (3, 5)
    # closing twice does nothing the second time
    assert (
        await evals.move_session(
            db, session_id, expect={EvalStatus.LISTENING}, to=EvalStatus.CLOSED
        )
        is None
    )


async def test_votes_before_start_or_on_unrendered_pairs_are_refused(db: Database) -> None:
    session, _ = await evals.get_or_create_session(db, "s", origin="cli", owner=None, seed=1)
    ref, _ = await evals.add_reference(db, session.id, **reference(1))
    job = await jobs.create_job(db, request={}, origin="cli")
    (pair,) = await evals.create_pairs(
        db, session.id, [evals.NewPair(ref.id, "spa", job.id)], seed=1
    )
    assert (
        await evals.record_vote(db, pair.id, "U1", score_a=3, score_b=3)
        == evals.VoteOutcome.NO_PAIR
    )
    await evals.update_pair(db, pair.id, state=PairState.READY, ace_side="B")
    assert (
        await evals.record_vote(db, pair.id, "U1", score_a=3, score_b=3) == evals.VoteOutcome.CLOSED
    )
    assert await evals.record_vote(db, 999, "U1", score_a=3, score_b=3) == evals.VoteOutcome.NO_PAIR
    with pytest.raises(ValueError, match="1–5"):
        await evals.record_vote(db, pair.id, "U1", score_a=6, score_b=3)
    with pytest.raises(ValueError, match="A or B"):
        await evals.update_pair(db, pair.id, ace_side="C")  # type: ignore[typeddict-item]
    assert await evals.list_votes(db, session.id) == []


async def test_concurrent_votes_by_one_rater_leave_one_row(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "votes.db")
    one, two = await Database.open(url), await Database.open(url)
    try:
        session_id, (pair,) = await session_with_pairs(one, 1)
        await asyncio.gather(
            *(
                evals.record_vote(db, pair, "U1", score_a=score, score_b=2)
                for score, db in zip((1, 2, 3, 4, 5, 1), (one, two) * 3, strict=True)
            )
        )
        votes = await evals.list_votes(one, session_id)
    finally:
        await one.close()
        await two.close()
    assert len(votes) == 1


async def test_candidates_of_an_open_session_are_hidden_from_listings(db: Database) -> None:
    session, _ = await evals.get_or_create_session(db, "s", origin="cli", owner=None, seed=1)
    batch, (job_id,) = await batches.create_batch(
        db,
        name="eval s",
        origin="cli",
        jobs=[NewJob({"variants": 1})],
        priority=10,
        evaluation_id=session.id,
    )
    plain = await jobs.create_job(db, request={}, origin="cli")
    hidden = await tracks.add_track(db, job_id=job_id, variant=1, **track_fields(task_id="h"))
    shown = await tracks.add_track(db, job_id=plain.id, variant=1, **track_fields(task_id="s"))
    for track in (hidden, shown):
        await ratings.add_rating(db, track_id=track.id, user_id="U1", emoji="fire", score=2)
    assert batch.evaluation_id == session.id

    async def listed() -> tuple[list[int], list[int], list[int]]:
        return (
            [j.id for j in await jobs.list_jobs(db, hide_blinded=True)],
            [t.id for t in await tracks.list_tracks(db, hide_blinded=True)],
            [t.track.id for t in await ratings.top_tracks(db, since=None, hide_blinded=True)],
        )

    assert await listed() == ([plain.id], [shown.id], [shown.id])
    assert {t.id for t in await tracks.list_tracks(db)} == {hidden.id, shown.id}  # engine's view
    await evals.update_session(db, session.id, status=EvalStatus.CLOSED)
    assert await listed() == ([plain.id, job_id], [shown.id, hidden.id], [shown.id, hidden.id])
