"""Several engine workers on one PostgreSQL database, in one process: each job driven by one
worker, a server's room shared by all of them, a stopped worker's jobs taken over once its claims
expire, and a submission cut short by a stopped worker held in doubt (`storage.claims`).

The processes version, with `kill -9` at random moments, is tests/test_workers_e2e.py.
"""

import asyncio
import os
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.engine.jobs.context import EngineContext
from bot.engine.jobs.runner import ABANDONED_PART_S, PARTS_SWEEP_S, JobEngine
from bot.engine.jobs.servers import Server
from bot.engine.jobs.transitions import fail, requeue
from domain.records import JobRecord, JobStatus
from storage import claims
from storage import jobs as jobs_repo
from storage.database import Database
from storage.schema import Job
from tests.engine.conftest import MakeRig, Rig

pytestmark = pytest.mark.postgres

CLAIM_S = 5.0


@pytest.fixture
def backend() -> str:
    return "postgres"


def second_worker(rig: Rig, db: Database) -> JobEngine:
    """Another worker on the same database and the same servers (its own view of them)."""
    servers = [
        Server(client=server.client, capacity=server.capacity, placeholder=True)
        for server in rig.ctx.servers
    ]
    ctx = EngineContext(
        db=db, servers=servers, config=rig.ctx.config, clock=rig.clock, audio=rig.ctx.audio
    )
    return JobEngine(ctx, holder="worker-two")


async def on_server(rig: Rig, jobs: list[JobRecord]) -> list[JobRecord]:
    found = [await rig.job(job.id) for job in jobs]
    return [job for job in found if job.status.on_server]


async def test_two_workers_share_the_room_of_a_server_and_drive_each_job_once(
    make_rig: MakeRig, db: Database
) -> None:
    rig = await make_rig(servers=1, capacity=2, claim_ttl_s=CLAIM_S)
    other = second_worker(rig, db)
    jobs = [await rig.enqueue() for _ in range(6)]
    rig.standins[0].pause_workers()  # tasks stay on the server while both workers tick
    await rig.engine.tick()
    await other.tick()
    await rig.engine.tick()
    sent = await on_server(rig, jobs)
    assert len(sent) == 2  # the server's room (2), not 2 per worker
    assert {job.claimed_by for job in sent} == {rig.engine.holder}
    assert rig.transports[0].count("/release_task") == 2
    rig.standins[0].resume_workers()
    for _ in range(200):
        if await rig.all_finished(jobs):
            break
        await rig.engine.tick()
        await other.tick()
        for standin in rig.standins:
            await standin.wait_until_idle()
        assert len(await on_server(rig, jobs)) <= 2
    assert await rig.statuses(jobs) == [JobStatus.DONE] * 6
    assert rig.transports[0].count("/release_task") == 6  # each job sent once
    for job in jobs:
        assert len(await rig.tracks(job.id)) == 1


async def test_a_stopped_workers_jobs_are_taken_over_once_its_claims_expire(
    make_rig: MakeRig, db: Database
) -> None:
    rig = await make_rig(servers=1, capacity=2, claim_ttl_s=CLAIM_S)
    other = second_worker(rig, db)
    jobs = [await rig.enqueue() for _ in range(2)]
    await rig.engine.tick()  # sent by the first worker, which then stops without a word
    assert len(await on_server(rig, jobs)) == 2
    await other.tick()
    assert {job.claimed_by for job in await on_server(rig, jobs)} == {rig.engine.holder}
    rig.clock.advance(CLAIM_S + 1)
    for _ in range(100):
        if await rig.all_finished(jobs):
            break
        await other.tick()
        for standin in rig.standins:
            await standin.wait_until_idle()
    assert await rig.statuses(jobs) == [JobStatus.DONE] * 2
    assert rig.transports[0].count("/release_task") == 2  # polled by the new worker, not resent
    assert {(await rig.job(job.id)).claimed_by for job in jobs} == {"worker-two"}


async def test_a_worker_that_stalled_past_its_claim_cannot_undo_the_new_workers_moves(
    make_rig: MakeRig, db: Database
) -> None:
    rig = await make_rig(servers=1, capacity=2, claim_ttl_s=CLAIM_S)
    other = second_worker(rig, db)
    rig.standins[0].pause_workers()  # the task stays on the server throughout
    job = await rig.enqueue()
    await rig.engine.tick()  # sent by the first worker…
    seen = await rig.job(job.id)  # …which reads it, then stalls past its claim
    assert seen.status.on_server
    rig.clock.advance(CLAIM_S + 1)
    await other.tick()  # the second worker takes it over and polls it
    taken = await rig.job(job.id)
    assert taken.claimed_by == "worker-two"
    assert taken.status.on_server
    # The first worker wakes up and acts on what it read: the job is still on the server, so
    # only the claim stops it from sending the job back to the queue (to be made twice) or
    # failing it.
    assert await requeue(rig.ctx, seen, "lost on the server") is None
    assert await fail(rig.ctx, seen, "gave up") is None
    after = await rig.job(job.id)
    assert (after.status, after.task_id, after.notes) == (taken.status, taken.task_id, taken.notes)
    rig.standins[0].resume_workers()
    for _ in range(100):
        await other.tick()
        await rig.standins[0].wait_until_idle()
        if (await rig.job(job.id)).status.finished:
            break
    assert (await rig.job(job.id)).status is JobStatus.DONE
    assert rig.transports[0].count("/release_task") == 1  # made once


async def test_a_submission_cut_short_by_a_stopped_worker_is_held_in_doubt(
    make_rig: MakeRig, db: Database
) -> None:
    rig = await make_rig(servers=1, capacity=2, claim_ttl_s=CLAIM_S)
    job = await rig.enqueue()
    gone = rig.clock() - timedelta(seconds=1)
    async with db.session() as session:  # a worker reserved it, sent it, and was killed
        await session.execute(
            update(Job)
            .where(Job.id == job.id)
            .values(claimed_by="killed", claimed_until=gone, reserved_server="server0")
        )
    await rig.engine.run_until_idle()
    done = await rig.job(job.id)
    assert done.status is JobStatus.DONE
    assert done.duplicate_submissions == 1  # the killed worker's task may exist: counted
    assert done.reserved_server is None
    assert any("worker sending it stopped" in note for note in done.notes)


async def test_downloads_a_stopped_worker_left_are_removed_once_idle_not_a_live_ones(
    make_rig: MakeRig, db: Database
) -> None:
    rig = await make_rig(servers=1, claim_ttl_s=CLAIM_S)
    day = rig.output_dir / "2026-01-02"
    day.mkdir(parents=True)
    abandoned = day / ".job00001-spa-v1.wav.k3j2h1.part"  # its worker was killed long ago
    abandoned.write_bytes(b"half")
    idle_since = time.time() - ABANDONED_PART_S - 60
    os.utime(abandoned, (idle_since, idle_since))
    live = day / ".job00002-spa-v1.wav.a8f7d6.part"  # another worker is writing it right now
    live.write_bytes(b"half")
    kept = day / "job00001-spa-v1.wav"
    kept.write_bytes(b"whole")
    await rig.engine.tick()
    assert not abandoned.exists()
    assert live.exists()
    assert kept.exists()
    # the live one, once its worker stops writing, goes at a later sweep
    os.utime(live, (idle_since, idle_since))
    await rig.engine.tick()
    assert live.exists()  # not looked for again yet
    rig.clock.advance(PARTS_SWEEP_S)
    await rig.engine.tick()
    assert not live.exists()


async def test_a_reservation_counts_against_the_servers_room(db: Database) -> None:
    now = datetime.now(UTC)
    until = now + timedelta(seconds=CLAIM_S)
    for _ in range(3):
        await jobs_repo.create_job(db, request={"caption": "x"}, origin="test")
    first = await claims.reserve(db, holder="a", servers=[("s", 2)], now=now, until=until)
    second = await claims.reserve(db, holder="b", servers=[("s", 2)], now=now, until=until)
    third = await claims.reserve(db, holder="b", servers=[("s", 2)], now=now, until=until)
    assert first is not None
    assert second is not None
    assert first.job.id != second.job.id
    assert third is None  # two reserved: the server is full for every worker
    await claims.end_reservation(db, first.job.id, holder="a")
    again = await claims.reserve(db, holder="b", servers=[("s", 2)], now=now, until=until)
    assert again is not None
    assert again.job.id not in (first.job.id, second.job.id)


async def test_workers_reserving_at_the_same_moment_never_overfill_a_server(db: Database) -> None:
    now = datetime.now(UTC)
    until = now + timedelta(seconds=CLAIM_S)
    for _ in range(12):
        await jobs_repo.create_job(db, request={"caption": "x"}, origin="test")
    servers = [("s1", 3), ("s2", 2)]
    reservations = await asyncio.gather(
        *(
            claims.reserve(db, holder=f"w{i}", servers=servers, now=now, until=until)
            for i in range(10)
        )
    )
    made = [r for r in reservations if r is not None]
    assert len(made) == 5  # the room of both servers, not more
    assert len({r.job.id for r in made}) == 5  # each job reserved once
    assert sorted(r.server for r in made) == ["s1", "s1", "s1", "s2", "s2"]
