"""Running one job: plan, simulate GPU time with progress, render in a thread, record the result.

A job takes `max(job_seconds, synthesis time)`. While it runs, progress and upstream's stage texts
advance on a schedule (estimated from `job_seconds`, or from recent run times when that is 0).
Any exception ends the job with status 2, as upstream; the reason stays in the job store.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from pathlib import Path
from typing import Final, Protocol

from standin.errors import JobFailure
from standin.info import generation_info
from standin.plan import LM_INIT_ERROR, JobPlan, make_plan, wants_lm
from standin.render import render_tracks
from standin.request import JobRequest
from standin.shapes import failed_item, succeeded_items
from standin.state import Shared
from standin.store import JobRecord, JobState, JobStore

log = logging.getLogger(__name__)

TICK_S: Final = 0.1
SIMULATED_FAILURE: Final = "simulated failure (StandInConfig.failure_rate)"


class JobHost(Protocol):
    """What running a job uses of the server's runtime (`standin.runtime.Runtime` is one)."""

    shared: Shared
    store: JobStore
    avg_job_seconds: float
    lm_init_error: str | None
    last_log: str
    alive: bool

    def publish_progress(self, record: JobRecord, progress: float, stage: str) -> None:
        """Record a job's progress and stage text."""
        ...

    def record_duration(self, seconds: float) -> None:
        """Count a finished job's run time in the average."""
        ...


async def run_job(runtime: JobHost, job_id: str) -> None:
    """Run a queued job to success or failure (a cancelled worker leaves it as it was)."""
    record = runtime.store.get(job_id)
    request = record.request if record else None
    if record is None or request is None:
        return
    record.state, record.started_at = JobState.RUNNING, time.time()
    runtime.publish_progress(record, 0.01, "running")
    started = time.monotonic()
    try:
        plan, files = await _execute(runtime, record, request, started)
    except JobFailure as exc:
        _finish_failed(runtime, record, str(exc))
    except Exception:  # upstream turns every exception into a failed job with its traceback
        log.exception("stand-in job %s crashed", job_id)
        _finish_failed(runtime, record, traceback.format_exc())
    else:
        _finish_ok(runtime, record, plan, files, time.monotonic() - started)
    runtime.record_duration(time.monotonic() - started)


async def _execute(
    runtime: JobHost, record: JobRecord, request: JobRequest, started: float
) -> tuple[JobPlan, list[Path]]:
    shared = runtime.shared
    if wants_lm(request) and not shared.config.lm_available:
        runtime.lm_init_error = LM_INIT_ERROR
    plan = make_plan(request, config=shared.config, rng=shared.rng)
    fail = shared.rng.random() < shared.controls.failure_rate
    job_seconds = shared.controls.job_seconds
    estimate = job_seconds or runtime.avg_job_seconds
    ticker = asyncio.create_task(_advance(runtime, record, stage_texts(plan), started, estimate))
    try:
        files: list[Path] = []
        if not fail and not plan.analysis_only:
            files = await asyncio.to_thread(render_tracks, plan, shared.audio_dir)
        await asyncio.sleep(max(0.0, started + job_seconds - time.monotonic()))
    finally:
        ticker.cancel()
    if fail:
        raise JobFailure(SIMULATED_FAILURE)
    return plan, files


def stage_texts(plan: JobPlan) -> list[str]:
    """Upstream's stage strings for this job, in order (ACESTEP_API.md §5.2)."""
    count = len(plan.seeds)
    texts = []
    if plan.uses_lm:
        texts.append("Phase 1: Generating CoT metadata (once for all items)...")
    if plan.thinking:
        texts.append(f"Phase 2: Generating audio codes for {count} items...")
    texts += [
        "Preparing inputs...",
        f"Generating music (batch size: {count})...",
        "Decoding audio...",
        "Preparing audio data...",
    ]
    return texts


async def _advance(
    runtime: JobHost, record: JobRecord, texts: list[str], started: float, estimate: float
) -> None:
    """Move progress from 0.01 towards 0.99 over the estimated run time, stage by stage."""
    while True:
        fraction = min(1.0, (time.monotonic() - started) / estimate) if estimate > 0 else 0.0
        stage = texts[min(int(fraction * len(texts)), len(texts) - 1)]
        runtime.publish_progress(record, 0.01 + 0.98 * fraction, stage)
        await asyncio.sleep(TICK_S)


def _finish_ok(
    runtime: JobHost, record: JobRecord, plan: JobPlan, files: list[Path], seconds: float
) -> None:
    if not runtime.alive:
        return
    record.state, record.finished_at = JobState.SUCCEEDED, time.time()
    record.progress, record.stage = 1.0, "succeeded"
    info = generation_info(plan, seconds=seconds, tracks=len(files))
    flavour = runtime.shared.config.flavour
    runtime.shared.cache.put(record.job_id, succeeded_items(record, plan, files, info, flavour))
    runtime.last_log = f"Job {record.job_id}: done ({len(files)} placeholder track(s))"
    log.debug("stand-in job %s succeeded with %d placeholder track(s)", record.job_id, len(files))


def _finish_failed(runtime: JobHost, record: JobRecord, error: str) -> None:
    if not runtime.alive:
        return
    record.state, record.finished_at = JobState.FAILED, time.time()
    record.stage, record.error = "failed", error
    runtime.shared.cache.put(record.job_id, [failed_item(record, runtime.shared.config.flavour)])
    reason = _last_line(error)
    runtime.last_log = f"Job {record.job_id} FAILED: {reason}"
    log.info("stand-in job %s failed: %s", record.job_id, reason)


def _last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else "unknown error"
