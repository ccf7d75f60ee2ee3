"""The job repository: the queue's ordering, compare-and-set moves and counts."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from domain.records import JobStatus
from storage import jobs
from storage.database import Database
from storage.schema import Job


async def test_new_job_is_queued_with_aware_timestamps(db: Database) -> None:
    job = await jobs.create_job(db, request={"caption": "x", "variants": 2}, origin="cli")
    fetched = await jobs.get_job(db, job.id)
    assert fetched is not None
    assert fetched.status is JobStatus.QUEUED
    assert fetched.variants == 2
    assert fetched.created_at.tzinfo is UTC
    assert await jobs.get_job(db, job.id + 1000) is None


async def test_next_queued_orders_by_priority_then_age_and_skips_backoff(db: Database) -> None:
    now = datetime.now(UTC)
    batch_old = await jobs.create_job(db, request={}, origin="cli", priority=10)
    interactive = await jobs.create_job(db, request={}, origin="cli", priority=0)
    waiting = await jobs.create_job(db, request={}, origin="cli", priority=0)
    await jobs.update_job(db, waiting.id, not_before=now + timedelta(minutes=1))
    order = [job.id for job in await jobs.next_queued(db, limit=10, now=now)]
    assert order == [interactive.id, batch_old.id]
    later = [job.id for job in await jobs.next_queued(db, limit=10, now=now + timedelta(minutes=2))]
    assert later == [interactive.id, waiting.id, batch_old.id]
    assert await jobs.next_retry_at(db, now=now) == now + timedelta(minutes=1)
    assert await jobs.queued_ahead(db, batch_old) == 2


async def test_update_is_a_compare_and_set_on_status(db: Database) -> None:
    job = await jobs.create_job(db, request={}, origin="cli")
    moved = await jobs.update_job(
        db, job.id, expect={JobStatus.QUEUED}, status=JobStatus.SUBMITTED, server="s1", task_id="t"
    )
    assert moved is not None
    assert moved.status is JobStatus.SUBMITTED
    # A second mover that still believes the job is queued loses.
    assert (
        await jobs.update_job(db, job.id, expect={JobStatus.QUEUED}, status=JobStatus.CANCELLED)
        is None
    )
    assert (await jobs.count_on_server(db)) == {"s1": 1}
    assert (await jobs.count_by_status(db)) == {JobStatus.SUBMITTED: 1}
    assert await jobs.count_unfinished(db) == 1


async def test_a_worker_whose_job_was_taken_over_cannot_change_it(db: Database) -> None:
    job = await jobs.create_job(db, request={}, origin="cli")
    # nobody's job yet: any worker may move it
    moved = await jobs.update_job(db, job.id, holder="a", expect={JobStatus.QUEUED}, progress=0.1)
    assert moved is not None
    async with db.session() as session:  # worker b took it over
        await session.execute(update(Job).where(Job.id == job.id).values(claimed_by="b"))
    stale = await jobs.update_job(db, job.id, holder="a", expect={JobStatus.QUEUED}, progress=0.9)
    assert stale is None
    assert (await jobs.get_job(db, job.id)).progress == 0.1  # type: ignore[union-attr]
    fresh = await jobs.update_job(db, job.id, holder="b", expect={JobStatus.QUEUED}, progress=0.5)
    assert fresh is not None
    assert fresh.progress == 0.5
    # without a holder (one engine, or a person cancelling) the claim is not looked at
    assert await jobs.update_job(db, job.id, status=JobStatus.CANCELLED) is not None


async def test_list_jobs_filters(db: Database) -> None:
    first = await jobs.create_job(db, request={}, origin="slack", requested_by="U1")
    second = await jobs.create_job(db, request={}, origin="slack", requested_by="U2")
    await jobs.update_job(db, second.id, status=JobStatus.DONE)
    assert [j.id for j in await jobs.list_jobs(db, requested_by="U1")] == [first.id]
    assert [j.id for j in await jobs.list_jobs(db, statuses={JobStatus.DONE})] == [second.id]
    assert [j.id for j in await jobs.list_jobs(db, oldest_first=True)] == [first.id, second.id]
    assert [j.id for j in await jobs.list_jobs(db, ids=[second.id])] == [second.id]
