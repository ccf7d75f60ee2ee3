"""Ratings insight: exact figures from known tracks, ratings, approvals and audio checks."""

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update

from domain.approvals import ApprovalSource, Decision
from domain.evaluations import EvalStatus
from domain.stats import GroupFigures, RatingStats
from storage import approvals, batches, jobs, ratings, stats, tracks
from storage import evaluations as evals
from storage.batches import NewJob
from storage.database import Database
from storage.schema import Track, utcnow
from tests.storage.test_tracks_and_leases import track_fields

TURBO = "acestep-v15-turbo"
BASE = "acestep-v15-base"
LM = "acestep-5Hz-lm-1.7B"
STANDIN = "acemusic-placeholder-1"


async def made(
    db: Database, job_id: int, variant: int, *, dit: str, lm: str | None = None, **extra: Any
) -> int:
    fields = track_fields(task_id=f"t{job_id}", dit_model=dit, lm_model=lm) | extra
    return (await tracks.add_track(db, job_id=job_id, variant=variant, **fields)).id


async def rate(db: Database, track_id: int, user: str, score: float, emoji: str = "e") -> None:
    assert await ratings.add_rating(db, track_id=track_id, user_id=user, emoji=emoji, score=score)


async def decide(db: Database, track_id: int, decision: Decision, user: str) -> None:
    await approvals.decide(db, [track_id], decision, user_id=user, source=ApprovalSource.COMMAND)


async def scenario(db: Database) -> None:
    """Lobby: 2 real tracks (one failed its check); spa: 1 real + 1 made 40 days ago; a
    placeholder track without preset; a candidate of an open listening session (hidden)."""
    lobby = await jobs.create_job(db, request={"preset_id": "lobby"}, origin="slack")
    spa = await jobs.create_job(db, request={"preset_id": "spa"}, origin="slack")
    standin = await jobs.create_job(db, request={}, origin="cli")
    old = await jobs.create_job(db, request={"preset_id": "spa"}, origin="slack")
    t1 = await made(db, lobby.id, 1, dit=TURBO, lm=LM, qc_verdict="pass")
    t2 = await made(db, lobby.id, 2, dit=TURBO, lm=LM, qc_verdict="fail", rejected=True)
    t3 = await made(db, spa.id, 1, dit=BASE, qc_verdict="warn")
    t4 = await made(db, standin.id, 1, dit=STANDIN, placeholder=True, qc_verdict="fail")
    t6 = await made(db, old.id, 1, dit=BASE)
    async with db.session() as session:
        await session.execute(
            update(Track).where(Track.id == t6).values(created_at=utcnow() - timedelta(days=40))
        )
    session_row, _ = await evals.get_or_create_session(db, "s", origin="cli", owner=None, seed=1)
    _, (blind_job,) = await batches.create_batch(
        db,
        name="eval s",
        origin="cli",
        jobs=[NewJob({"variants": 1, "preset_id": "lobby"})],
        priority=10,
        evaluation_id=session_row.id,
    )
    t5 = await made(db, blind_job, 1, dit=TURBO, lm=LM)

    await rate(db, t1, "U1", 2, "thumbsup")
    await rate(db, t1, "U1", 5, "fire")  # U1's latest reaction on t1: this one counts
    await rate(db, t1, "U2", 3)
    await rate(db, t2, "U2", 1)
    await rate(db, t3, "U1", 4)
    await rate(db, t4, "U1", 2)
    await rate(db, t5, "U1", 5)  # hidden: the session is open
    await rate(db, t6, "U2", 1)
    await decide(db, t1, Decision.APPROVED, "A1")
    await decide(db, t2, Decision.REJECTED, "A1")
    await decide(db, t3, Decision.APPROVED, "A2")
    await decide(db, t4, Decision.APPROVED, "A1")
    await decide(db, t5, Decision.APPROVED, "A1")  # hidden


def by_key(groups: tuple[GroupFigures, ...]) -> dict[tuple[str | None, bool], GroupFigures]:
    return {(g.key, g.placeholder): g for g in groups}


async def test_figures_of_the_last_30_days(db: Database) -> None:
    await scenario(db)
    found = await stats.gather(db, since=utcnow() - timedelta(days=30))

    presets = by_key(found.presets)
    assert set(presets) == {("lobby", False), ("spa", False), (None, True)}
    assert presets[("lobby", False)] == GroupFigures(
        "lobby", False, made=2, rated=2, ratings=3, score_sum=9.0,
        approved=1, rejected=1, qc_failed=1,
    )  # fmt: skip
    assert presets[("lobby", False)].mean_score == 3.0
    assert presets[("lobby", False)].approval_rate == 0.5
    assert presets[("spa", False)] == GroupFigures(
        "spa", False, made=1, rated=1, ratings=1, score_sum=4.0, approved=1
    )
    assert presets[(None, True)] == GroupFigures(
        None, True, made=1, rated=1, ratings=1, score_sum=2.0, approved=1, qc_failed=1
    )
    # real groups first, the most made first
    assert [(g.key, g.placeholder) for g in found.presets] == [
        ("lobby", False),
        ("spa", False),
        (None, True),
    ]

    models = by_key(found.models)
    assert models[(TURBO, False)] == GroupFigures(
        TURBO, False, made=2, rated=2, ratings=3, score_sum=9.0,
        approved=1, rejected=1, qc_failed=1,
    )  # fmt: skip
    assert models[(BASE, False)].made == 1
    assert models[(STANDIN, True)].made == 1
    lm = by_key(found.lm_models)
    assert (lm[(LM, False)].made, lm[(None, False)].made, lm[(None, True)].made) == (2, 1, 1)

    raters = {(r.rater, r.placeholder): r for r in found.raters}
    assert set(raters) == {("U1", False), ("U2", False), ("A1", False), ("A2", False)} | {
        ("U1", True),
        ("A1", True),
    }
    u1, u2 = raters[("U1", False)], raters[("U2", False)]
    assert (u1.rated, u1.score_sum, u1.mean_score) == (2, 9.0, 4.5)
    assert (u2.rated, u2.score_sum, u2.mean_score) == (2, 4.0, 2.0)
    a1 = raters[("A1", False)]
    assert (a1.rated, a1.approved, a1.rejected, a1.mean_score) == (0, 1, 1, None)
    assert (raters[("A2", False)].approved, raters[("U1", True)].rated) == (1, 1)

    assert found.real == GroupFigures(
        "all", False, made=3, rated=3, ratings=4, score_sum=13.0,
        approved=2, rejected=1, qc_failed=1,
    )  # fmt: skip
    assert found.placeholder.made == 1
    assert found.made == 4


async def test_all_time_includes_older_tracks(db: Database) -> None:
    await scenario(db)
    found = await stats.gather(db, since=None)
    spa = by_key(found.presets)[("spa", False)]
    assert (spa.made, spa.rated, spa.ratings, spa.score_sum) == (2, 2, 2, 5.0)
    assert found.real.made == 4
    week = await stats.gather(db, since=utcnow() - timedelta(days=7))
    assert week.real.made == 3


async def test_closing_the_session_shows_its_candidates(db: Database) -> None:
    await scenario(db)
    [session_row] = [s for s in await evals.list_sessions(db)]
    await evals.update_session(db, session_row.id, status=EvalStatus.CLOSED)
    found = await stats.gather(db, since=None)
    lobby = by_key(found.presets)[("lobby", False)]
    assert (lobby.made, lobby.ratings, lobby.approved) == (3, 4, 2)


async def test_an_empty_database_has_no_groups(db: Database) -> None:
    found = await stats.gather(db, since=None)
    assert found == RatingStats(
        since=None,
        until=found.until,
        presets=(),
        models=(),
        lm_models=(),
        raters=(),
        real=GroupFigures("all", False),
        placeholder=GroupFigures("all", True),
    )


async def test_names_are_copied_when_a_track_is_recorded(db: Database, tmp_path: Path) -> None:
    job = await jobs.create_job(db, request={"preset_id": "bar"}, origin="cli")
    track_id = await made(db, job.id, 1, dit=TURBO, lm=LM)
    async with db.session() as session:
        row = await session.get(Track, track_id)
        assert row is not None
        assert (row.preset_id, row.dit_model_name, row.lm_model_name) == ("bar", TURBO, LM)
        assert (row.dit_model, row.lm_model) == (TURBO, LM)  # what the provenance says
