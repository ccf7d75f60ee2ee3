"""A batch and its jobs are stored together; its tally, settling and finishing are exact."""

from domain.records import JobStatus
from storage import batches, jobs, ratings, tracks
from storage.batches import NewJob
from storage.database import Database
from tests.storage.test_tracks_and_leases import track_fields


def _jobs(n: int, variants: int = 2) -> list[NewJob]:
    return [
        NewJob({"caption": f"take {i}", "variants": variants}, notes=(f"n{i}",)) for i in range(n)
    ]


async def test_batch_and_every_job_are_stored_at_batch_priority(db: Database) -> None:
    batch, job_ids = await batches.create_batch(
        db, name="spa", origin="cli", jobs=_jobs(3), priority=10, preset_id="spa", seed=7
    )
    assert batch.requested_count == 6  # tracks, not jobs
    assert batch.status == batches.RUNNING
    stored = await jobs.list_jobs(db, batch_id=batch.id, oldest_first=True)
    assert [job.id for job in stored] == job_ids
    assert {job.priority for job in stored} == {10}
    assert stored[1].request["caption"] == "take 1"
    assert stored[1].notes == ["n1"]


async def test_thousands_of_jobs_in_one_batch(db: Database) -> None:
    batch, job_ids = await batches.create_batch(
        db, name="big", origin="cli", jobs=_jobs(2500, variants=1), priority=10
    )
    assert len(job_ids) == len(set(job_ids)) == 2500
    counts = await jobs.count_by_status(db, batch_id=batch.id)
    assert counts == {JobStatus.QUEUED: 2500}
    # stored several hundred per INSERT: each id is its own job's, in the order given
    assert batches.JOB_INSERT_CHUNK < 2500
    stored = {job.id: job for job in await jobs.list_jobs(db, batch_id=batch.id, limit=None)}
    for i, job_id in enumerate(job_ids):
        job = stored[job_id]
        assert (job.request["caption"], job.notes) == (f"take {i}", [f"n{i}"])
        assert (job.submissions, job.cancel_requested, job.batch_id) == (0, False, batch.id)


async def test_tally_counts_jobs_tracks_and_failure_reasons(db: Database) -> None:
    batch, (a, b, c, d) = await batches.create_batch(
        db, name="spa", origin="cli", jobs=_jobs(4), priority=10
    )
    await jobs.update_job(db, a, status=JobStatus.DONE)
    await tracks.add_track(db, job_id=a, variant=1, **track_fields(qc_verdict="pass"))
    await tracks.add_track(db, job_id=a, variant=2, **track_fields(qc_verdict="warn"))
    await jobs.update_job(db, b, status=JobStatus.FAILED, error="server error (500)")
    await jobs.update_job(db, c, status=JobStatus.FAILED, error="server error (500)")
    await jobs.update_job(db, d, status=JobStatus.RUNNING)
    tally = await batches.tally(db, batch.id)
    assert tally.jobs == 4
    assert tally.unfinished == 1
    assert tally.finished_jobs == 3
    assert tally.failed_jobs == 2
    assert tally.tracks_requested == 8
    assert (tally.tracks_made, tally.tracks_flagged) == (2, 1)
    assert tally.failures == {"server error (500)": 2}


async def test_only_batches_without_unfinished_jobs_are_settled(db: Database) -> None:
    first, (one,) = await batches.create_batch(
        db, name="a", origin="cli", jobs=_jobs(1), priority=10
    )
    second, (two,) = await batches.create_batch(
        db, name="b", origin="cli", jobs=_jobs(1), priority=10
    )
    await jobs.update_job(db, one, status=JobStatus.DONE)
    assert [b.id for b in await batches.settled_batches(db)] == [first.id]
    await jobs.update_job(db, two, status=JobStatus.CANCELLED)
    assert [b.id for b in await batches.settled_batches(db)] == [first.id, second.id]


async def test_a_batch_is_finished_once(db: Database) -> None:
    batch, _ = await batches.create_batch(db, name="a", origin="cli", jobs=_jobs(1), priority=10)
    done = await batches.finish_batch(db, batch.id, status=batches.DONE, details={"k": 1})
    assert done is not None
    assert done.finished_at is not None
    assert done.details["k"] == 1
    assert await batches.finish_batch(db, batch.id, status=batches.DONE, details={}) is None
    assert await batches.settled_batches(db) == []


async def test_top_tracks_are_ranked_by_total_score(db: Database) -> None:
    batch, (job_id,) = await batches.create_batch(
        db, name="a", origin="cli", jobs=_jobs(1), priority=10
    )
    low = await tracks.add_track(db, job_id=job_id, variant=1, **track_fields())
    high = await tracks.add_track(db, job_id=job_id, variant=2, **track_fields())
    await ratings.add_rating(db, track_id=low.id, user_id="U1", emoji="+1", score=1)
    await ratings.add_rating(db, track_id=high.id, user_id="U1", emoji="fire", score=2)
    await ratings.add_rating(db, track_id=high.id, user_id="U2", emoji="+1", score=1)
    top = await batches.top_tracks_in_batch(db, batch.id)
    assert top == [(high.id, 3.0, 2), (low.id, 1.0, 1)]


async def test_a_batchs_top_tracks_count_each_persons_latest_reaction_once(db: Database) -> None:
    batch, (job_id,) = await batches.create_batch(
        db, name="a", origin="cli", jobs=_jobs(1), priority=10
    )
    stacked = await tracks.add_track(db, job_id=job_id, variant=1, **track_fields())
    liked = await tracks.add_track(db, job_id=job_id, variant=2, **track_fields())
    for emoji, score in (("fire", 2), ("star", 2), ("five", 5), ("+1", 1)):
        await ratings.add_rating(db, track_id=stacked.id, user_id="U1", emoji=emoji, score=score)
    await ratings.add_rating(db, track_id=liked.id, user_id="U2", emoji="fire", score=2)
    top = await batches.top_tracks_in_batch(db, batch.id)
    assert top == [(liked.id, 2.0, 1), (stacked.id, 1.0, 1)]


async def test_a_batchs_tracks_are_read_a_page_at_a_time_in_order(db: Database) -> None:
    batch, job_ids = await batches.create_batch(
        db, name="big", origin="cli", jobs=_jobs(3, variants=2), priority=10
    )
    for job_id in reversed(job_ids):  # stored out of order: the pages still come in order
        for variant in (2, 1):
            dropped = (job_id, variant) == (job_ids[1], 1)  # a rejected variant is left out
            fields = track_fields(rejected=True) if dropped else track_fields()
            await tracks.add_track(db, job_id=job_id, variant=variant, **fields)
    pages = [page async for page in batches.batch_track_pages(db, batch.id, page_size=2)]
    assert [len(page) for page in pages] == [2, 2, 1]  # six tracks, one rejected
    order = [(track.job_id, track.variant) for page in pages for track, _ in page]
    assert order == [
        (job_ids[0], 1),
        (job_ids[0], 2),
        (job_ids[1], 2),
        (job_ids[2], 1),
        (job_ids[2], 2),
    ]
    assert all(job.id == track.job_id for page in pages for track, job in page)
    assert [pair for page in pages for pair in page] == await batches.batch_tracks(db, batch.id)
