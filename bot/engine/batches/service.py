"""Running batches to the end: notice when a batch's last job finished, write its report, and
record its summary (counts, failure reasons, GPU time, cost per track, best-rated tracks).

Any process that runs the engine also settles batches, so a batch whose process crashed is
settled by the next one (its jobs resume like any other job). `finish_batch` is a compare-and-set,
so two processes never both finish, and report, the same batch.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from bot.engine.batches.estimate import estimate_batch
from bot.engine.batches.report import ReportWriter, report_rows
from bot.engine.jobs.events import JobEvent
from bot.engine.jobs.naming import batch_folder
from bot.engine.jobs.runner import JobEngine
from bot.engine.jobs.servers import Server
from bot.settings import Settings
from bot.waiting import nap
from domain.records import BatchRecord, JobStatus
from storage import batches as batches_repo
from storage.batches import BatchTally
from storage.database import Database

log = logging.getLogger(__name__)

SETTLE_EVERY_S = 5.0  # also woken by every finished batch job
TOP_RATED = 5

Finished = Callable[[BatchRecord], Awaitable[None]]


class BatchServices(Protocol):
    """What settling batches uses (the composition root's `Services` is one)."""

    @property
    def settings(self) -> Settings:
        """OUTPUT_DIR and GPU_COST_PER_HOUR."""
        ...

    @property
    def db(self) -> Database:
        """Batches, their jobs and tracks."""
        ...

    @property
    def engine(self) -> JobEngine:
        """Its events, clock and loop."""
        ...

    @property
    def servers(self) -> list[Server]:
        """For the GPU time of a batch's summary."""
        ...


async def summarise(services: BatchServices, batch: BatchRecord) -> dict[str, Any]:
    """The figures of a batch as they stand: counts, failures, GPU time and cost, best tracks."""
    tally = await batches_repo.tally(services.db, batch.id)
    runs = tally.jobs_by_status.get(JobStatus.DONE, 0) + tally.failed_jobs
    estimate = await estimate_batch(
        services.servers,
        tracks=tally.tracks_made,
        jobs=runs,
        cost_per_hour=services.settings.gpu_cost_per_hour,
    )
    top = await batches_repo.top_tracks_in_batch(services.db, batch.id, limit=TOP_RATED)
    return {
        "tracks_requested": tally.tracks_requested,
        "tracks_made": tally.tracks_made,
        "tracks_flagged": tally.tracks_flagged,
        "jobs": tally.jobs,
        "jobs_failed": tally.failed_jobs,
        "jobs_cancelled": tally.jobs_by_status.get(JobStatus.CANCELLED, 0),
        "failures": tally.failures,
        "gpu_seconds_estimated": round(estimate.gpu_seconds, 1),
        "job_seconds_measured": estimate.measured,
        "cost_usd": _money(estimate.cost),
        "cost_per_track_usd": _money(estimate.cost_per_track, digits=4),
        "top_rated": [{"track_id": t, "score": s, "ratings": n} for t, s, n in top],
    }


async def settle_batches(services: BatchServices, *, now: datetime) -> list[BatchRecord]:
    """Finish every running batch whose jobs have all finished; returns those this call finished."""
    finished = []
    for batch in await batches_repo.settled_batches(services.db):
        summary = await summarise(services, batch)
        summary["finished_at"] = now.isoformat()
        summary["elapsed_s"] = round((now - batch.created_at).total_seconds(), 1)
        folder = batch_folder(services.settings.output_dir, batch.id)
        json_path, csv_path = await _write_report(services, batch, summary, folder)
        summary |= {"report_json": str(json_path), "report_csv": str(csv_path)}
        every_job_cancelled = summary["jobs_cancelled"] == summary["jobs"]
        status = batches_repo.CANCELLED if every_job_cancelled else batches_repo.DONE
        done = await batches_repo.finish_batch(
            services.db, batch.id, status=status, details={"summary": summary}
        )
        if done is not None:
            log.info("batch %d finished: %d tracks", batch.id, summary["tracks_made"])
            finished.append(done)
    return finished


async def _write_report(
    services: BatchServices, batch: BatchRecord, summary: dict[str, Any], folder: Path
) -> tuple[Path, Path]:
    header = {
        "id": batch.id,
        "name": batch.name,
        "origin": batch.origin,
        "preset": batch.preset_id,
        "seed": batch.seed,
        "requested_by": batch.requested_by,
        "created_at": batch.created_at.isoformat(),
        **{k: v for k, v in batch.details.items() if k not in ("job_tags", "job_rows")},
        **summary,
    }
    report = await asyncio.to_thread(ReportWriter, folder, header)
    try:
        async for page in batches_repo.batch_track_pages(services.db, batch.id):
            rows = report_rows(batch, page, services.settings.output_dir)
            await asyncio.to_thread(report.add, rows)
        return await asyncio.to_thread(report.finish)
    except BaseException:
        await asyncio.to_thread(report.abort)
        raise


async def run_batch_keeper(
    services: BatchServices, stop: asyncio.Event, *, on_finished: Finished | None = None
) -> None:
    """Settle batches until `stop`: every few seconds, and whenever a batch job finishes."""
    wake = asyncio.Event()

    async def on_event(event: JobEvent) -> None:
        if event.job.batch_id is not None and event.job.status.finished:
            wake.set()

    unsubscribe = services.engine.events.subscribe(on_event)
    try:
        while not stop.is_set():
            try:
                for batch in await settle_batches(services, now=services.engine.ctx.clock()):
                    if on_finished is not None:
                        await on_finished(batch)
            except Exception:  # a bad pass must not stop the keeper; the next one retries
                log.exception("settling batches failed; trying again shortly")
            await nap(wake, stop, SETTLE_EVERY_S)
    finally:
        unsubscribe()


def _money(value: float | None, *, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


async def run_batch_to_end(
    services: BatchServices,
    batch_id: int,
    progress: Callable[[BatchTally], None],
    *,
    every_s: float = 1.0,
) -> BatchRecord | None:
    """Run the engine until a batch's jobs have all finished, then settle it (CLI use).

    `progress` gets the batch's tally every `every_s` seconds and once more at the end (it decides
    what to show: a live line in a terminal, occasional lines in a log). Returns the finished batch
    (None only when it does not exist). Another process holding the engine lease does the work
    meanwhile; this one then just waits and settles.
    """
    stop = asyncio.Event()
    engine = asyncio.create_task(services.engine.run_forever(stop))
    try:
        last = -every_s
        loop = asyncio.get_running_loop()
        while await batches_repo.unfinished_job_ids(services.db, batch_id):
            if loop.time() - last >= every_s:
                last = loop.time()
                progress(await batches_repo.tally(services.db, batch_id))
            await asyncio.sleep(0.2)
        progress(await batches_repo.tally(services.db, batch_id))
    finally:
        stop.set()
        await engine
    await settle_batches(services, now=services.engine.ctx.clock())
    return await batches_repo.get_batch(services.db, batch_id)


async def cancel_batch(services: BatchServices, batch_id: int) -> int:
    """Cancel every unfinished job of a batch; returns how many were cancelled."""
    return await services.engine.cancel_batch(batch_id)
