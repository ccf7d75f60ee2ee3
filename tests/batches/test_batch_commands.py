"""Batches through the command path on the real services: start, confirm, dry run, manifests,
and settling into a report beside the audio."""

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

from bot.engine.batches.service import cancel_batch, settle_batches
from bot.services import Services
from commands.batch import plan_manifest, submit_plan
from commands.context import Caller
from commands.replies import Reply
from commands.router import handle
from domain.records import JobStatus
from storage import batches as batches_repo
from storage import jobs as jobs_repo

CALLER = Caller("test", user_id="U1", channel_id="C1")


async def say(services: Services, text: str) -> Reply:
    return await handle(text, services, CALLER)


def report_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


async def run_batch(services: Services, batch_id: int) -> batches_repo.BatchRecord:
    await services.engine.run_until_idle()
    await settle_batches(services, now=datetime.now(UTC))
    batch = await batches_repo.get_batch(services.db, batch_id)
    assert batch is not None
    return batch


async def test_batch_from_a_preset_runs_to_a_report_beside_its_audio(services: Services) -> None:
    reply = await say(services, "/music batch spa x5 seed=11 10s wav")
    assert reply.ok, reply.plain()
    assert reply.batch_id == 1
    assert reply.title == "Batch #1 started: spa, 5 tracks."
    fields = dict(reply.fields)
    assert fields["Tracks"].startswith("5 in ")
    assert "GPU_COST_PER_HOUR" in fields["Cost"]  # no price set: said so, not a made-up figure
    queued = await jobs_repo.list_jobs(services.db, batch_id=1, limit=None)
    assert {job.priority for job in queued} == {10}
    assert sum(job.request["variants"] for job in queued) == 5

    batch = await run_batch(services, 1)
    assert batch.status == "done"
    summary = batch.details["summary"]
    assert (summary["tracks_requested"], summary["tracks_made"], summary["jobs_failed"]) == (
        5,
        5,
        0,
    )
    folder = services.settings.output_dir / "batches" / "batch00001"
    assert Path(summary["report_csv"]) == folder / "report.csv"
    rows = report_rows(folder / "report.csv")
    assert len(rows) == 5
    for row in rows:
        audio = services.settings.output_dir / row["file"]
        assert audio.parent == folder
        assert audio.stat().st_size > 0
        assert row["preset"] == "spa"
        assert row["placeholder"] == "True"
    assert len({row["caption"] for row in rows}) == len(queued)  # one caption per job
    document = json.loads((folder / "report.json").read_text())
    assert document["batch"]["tracks_made"] == 5
    assert len(document["tracks"]) == 5


async def test_same_seed_same_plan(services: Services) -> None:
    await say(services, "/music batch cafe x4 seed=3 10s wav")
    await say(services, "/music batch cafe x4 seed=3 10s wav")
    first = await jobs_repo.list_jobs(services.db, batch_id=1, oldest_first=True)
    second = await jobs_repo.list_jobs(services.db, batch_id=2, oldest_first=True)
    assert [j.request["caption"] for j in first] == [j.request["caption"] for j in second]


async def test_a_large_batch_needs_confirmation_and_starts_nothing_until_then(
    services: Services,
) -> None:
    reply = await say(services, "/music batch spa x150 seed=4")
    assert reply.ok
    assert reply.batch_id is None
    assert reply.ephemeral
    assert "more than 100" in reply.text
    assert "/music batch spa x150 seed=4 confirm" in reply.text
    assert await batches_repo.list_batches(services.db) == []
    confirmed = await say(services, "/music batch spa x150 seed=4 confirm")
    assert confirmed.batch_id == 1


async def test_unknown_preset_and_missing_preset_are_explained(services: Services) -> None:
    unknown = await say(services, "/music batch moonbase x5")
    assert not unknown.ok
    assert "moonbase" in unknown.text
    assert unknown.example
    missing = await say(services, "/music batch x5")
    assert not missing.ok
    assert "preset" in missing.text


async def test_dry_run_shows_cost_and_stores_nothing(services: Services) -> None:
    services.settings.gpu_cost_per_hour = 1.2
    plan, source = plan_manifest(b"preset,count\nspa,4\n", "m.csv", services, seed=1)
    reply = await submit_plan(services, CALLER, plan, source, confirmed=False, dry_run=True)
    assert reply.ok
    assert reply.batch_id is None
    assert "$" in dict(reply.fields)["Cost"]
    assert await batches_repo.list_batches(services.db) == []


async def test_manifest_bad_rows_are_reported_and_good_rows_run(services: Services) -> None:
    manifest = (
        b"preset,caption,duration,bpm,key,count,tags\n"
        b"spa,,10s,,,2,morning;lobby\n"
        b"cafe,acoustic guitar,10s,95,D minor,1,\n"
        b"spa,,10s,500,,1,\n"  # bpm out of range
        b"nowhere,,10s,,,1,\n"  # no such preset
    )
    plan, source = plan_manifest(manifest, "week.csv", services, seed=2)
    reply = await submit_plan(services, CALLER, plan, source, confirmed=False)
    assert reply.ok
    assert reply.batch_id == 1
    assert [line.split(":")[0] for line in reply.lines] == ["Row 4", "Row 5"]
    batch = await run_batch(services, 1)
    assert batch.details["summary"]["tracks_made"] == 3
    assert [row["row"] for row in batch.details["skipped_rows"]] == [4, 5]
    rows = report_rows(Path(batch.details["summary"]["report_csv"]))
    assert {row["tags"] for row in rows} == {"morning;lobby", ""}
    cafe = [row for row in rows if row["preset"] == "cafe"]
    assert cafe[0]["bpm"] == "95"
    assert cafe[0]["manifest_row"] == "3"


async def test_a_manifest_with_no_usable_row_starts_nothing(services: Services) -> None:
    plan, source = plan_manifest(b"preset,count\nnowhere,2\n", "x.csv", services, seed=1)
    reply = await submit_plan(services, CALLER, plan, source, confirmed=False)
    assert not reply.ok
    assert reply.lines
    assert await batches_repo.list_batches(services.db) == []


async def test_quota_applies_to_batches(services: Services) -> None:
    async def admit(tracks: int) -> str | None:
        return f"{tracks} tracks is over your quota" if tracks > 3 else None

    caller = Caller("slack", user_id="U1", channel_id="C1", admit=admit)
    reply = await handle("/music batch spa x5", services, caller)
    assert not reply.ok
    assert "over your quota" in reply.text
    assert await jobs_repo.count_by_status(services.db) == {}


async def test_cancelled_batch_is_settled_as_cancelled(services: Services) -> None:
    reply = await say(services, "/music batch spa x4 10s wav")
    assert reply.batch_id is not None
    assert await cancel_batch(services, reply.batch_id) == len(
        await jobs_repo.list_jobs(services.db, batch_id=reply.batch_id)
    )
    batch = await run_batch(services, reply.batch_id)
    assert batch.status == "cancelled"
    counts = await jobs_repo.count_by_status(services.db, batch_id=reply.batch_id)
    assert set(counts) == {JobStatus.CANCELLED}
