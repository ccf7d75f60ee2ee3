"""Listening samples: which tracks a big batch posts. The draw is even, prefers tracks that passed
the audio check, is stored once (a second draw or a second process adds nothing), waits for a
part's jobs to finish, and leaves a late track alone; `draw_more` never repeats a track."""

from domain.records import JobStatus
from domain.samples import Candidate, SampleRule, group_jobs, sample_units, spread
from storage import batches, jobs, samples, tracks
from storage.batches import NewJob
from storage.database import Database
from tests.storage.test_tracks_and_leases import track_fields


def test_spread_takes_the_middle_of_each_equal_part() -> None:
    pool = [Candidate(i, passed=True) for i in range(100)]
    assert spread(pool, 4) == [12, 37, 62, 87]  # parts 0-24, 25-49 …: nearest their middles
    assert spread(pool, 1) == [49]
    assert spread(pool[:3], 5) == [0, 1, 2]  # not more than there are
    assert spread(pool, 0) == []


def test_spread_prefers_tracks_that_passed_the_audio_check() -> None:
    pool = [Candidate(i, passed=i not in (4, 5)) for i in range(10)]
    assert spread(pool, 1) == [3]  # 4 and 5 are nearest the middle but failed: 3 is next
    assert spread([Candidate(1, False), Candidate(2, False)], 1) == [1]  # none passed: middle


def test_units_spread_each_group_over_its_jobs_and_bound_the_total() -> None:
    groups = group_jobs([(1, 2), (2, 2), (3, 2), (4, 3), (5, 3), (6, 3), (7, 3)])
    assert groups == [(1, 2, 3), (4, 5, 6, 7)]
    units = sample_units(groups, SampleRule(per_group=2, max_tracks=40))
    assert [(u.job_ids, u.picks) for u in units] == [
        ((1,), 1),
        ((2, 3), 1),
        ((4, 5), 1),
        ((6, 7), 1),
    ]
    one_job = sample_units([(9,)], SampleRule(per_group=3, max_tracks=40))
    assert [(u.job_ids, u.picks) for u in one_job] == [((9,), 3)]  # both parts of one job
    many = [(i,) for i in range(100)]  # a manifest of 100 rows, 2 per row: 200 > 40
    bounded = sample_units(many, SampleRule(per_group=2, max_tracks=40))
    assert sum(u.picks for u in bounded) == 40
    assert [u.job_ids[0] for u in bounded][:3] == [2, 7, 12]  # 20 rows, spread over the 100
    assert sample_units(many, SampleRule(per_group=0, max_tracks=40)) == []


async def _batch(db: Database, jobs_count: int, rule: SampleRule | None) -> tuple[int, list[int]]:
    new = [NewJob({"caption": f"take {i}", "variants": 2}) for i in range(jobs_count)]
    batch, job_ids = await batches.create_batch(
        db, name="spa", origin="slack", jobs=new, priority=10, channel_id="C1", sample=rule
    )
    return batch.id, job_ids


async def _finish(
    db: Database, job_id: int, *, verdicts: tuple[str, str] = ("pass", "pass")
) -> None:
    for variant, verdict in enumerate(verdicts, start=1):
        await tracks.add_track(
            db, job_id=job_id, variant=variant, **track_fields(qc_verdict=verdict)
        )
    await jobs.update_job(db, job_id, status=JobStatus.DONE)


async def test_parts_are_drawn_once_their_jobs_finish_and_only_once(db: Database) -> None:
    batch_id, job_ids = await _batch(db, 4, SampleRule(per_group=2, max_tracks=4))
    assert await samples.get_rule(db, batch_id) == SampleRule(2, 4)
    await _finish(db, job_ids[0])
    assert await samples.draw_due(db, batch_id) == 0  # part 1 (jobs 1-2) not finished yet
    await _finish(db, job_ids[1], verdicts=("fail", "pass"))
    assert await samples.draw_due(db, batch_id) == 1
    assert await samples.draw_due(db, batch_id) == 0  # drawn: nothing more
    first = await samples.picked_ids(db, batch_id)
    picked_job = (await tracks.get_track(db, first[0])).job_id  # type: ignore[union-attr]
    assert picked_job in job_ids[:2]
    await _finish(db, job_ids[2])
    await jobs.update_job(db, job_ids[3], status=JobStatus.FAILED)
    assert await samples.draw_due(db, batch_id) == 1  # part 2 with what job 3 made
    counts = await samples.counts(db, batch_id)
    assert counts is not None
    assert (counts.picked, counts.asked_for) == (2, 0)
    # A track recorded after its part was drawn is not added to the automatic sample.
    await tracks.add_track(db, job_id=job_ids[3], variant=1, **track_fields(qc_verdict="pass"))
    assert await samples.draw_due(db, batch_id) == 0
    assert len(await samples.picked_ids(db, batch_id)) == 2


async def test_more_never_repeats_a_track_and_stops_when_none_is_left(db: Database) -> None:
    batch_id, job_ids = await _batch(db, 3, SampleRule(per_group=1, max_tracks=2))
    for job_id in job_ids:
        await _finish(db, job_id)
    assert await samples.draw_due(db, batch_id) == 1
    more = await samples.draw_more(db, batch_id, 3, picked_by="U1")
    assert more.left_before == 5
    assert len(more.track_ids) == 3
    rest = await samples.draw_more(db, batch_id, 10, picked_by="U1")
    assert len(rest.track_ids) == 2
    chosen = await samples.picked_ids(db, batch_id)
    assert len(chosen) == len(set(chosen)) == 6
    assert (await samples.draw_more(db, batch_id, 1, picked_by="U1")).track_ids == ()
    counts = await samples.counts(db, batch_id)
    assert counts is not None
    assert (counts.picked, counts.asked_for) == (6, 5)


async def test_a_batch_without_a_rule_posts_everything(db: Database) -> None:
    batch_id, job_ids = await _batch(db, 1, None)
    await _finish(db, job_ids[0])
    assert await samples.get_rule(db, batch_id) is None
    assert await samples.counts(db, batch_id) is None
    assert await samples.draw_due(db, batch_id) == 0
