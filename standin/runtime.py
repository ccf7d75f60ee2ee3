"""One life of the emulated server process: job store, queue, workers and timings.

A restart throws the `Runtime` away (its store, queue and workers) and starts a fresh one; only
`Shared` survives. The queue holds *waiting* jobs only: a worker removes a job when it starts
it, and a full queue answers 429 after the job record was created, leaving a phantom record
(ACESTEP_API.md §6).
"""

import asyncio
import contextlib
import logging
from collections import deque
from typing import Final

from standin.config import AVG_WINDOW, INITIAL_AVG_JOB_S
from standin.errors import QueueFull
from standin.execute import run_job
from standin.request import JobRequest
from standin.shapes import running_item
from standin.state import Shared
from standin.store import JobRecord, JobState, JobStore

log = logging.getLogger(__name__)

IDLE_LOG: Final = "Waiting"  # upstream's log tail before anything was logged


class Runtime:
    """The in-memory half of the server; see the module docstring."""

    def __init__(self, shared: Shared) -> None:
        self.shared = shared
        self.store = JobStore()
        self.waiting: deque[str] = deque()
        self.durations: deque[float] = deque(maxlen=AVG_WINDOW)
        self.avg_job_seconds = INITIAL_AVG_JOB_S
        self.lm_init_error: str | None = None  # set once a job wanted the missing LM (HEAD)
        self.last_log = IDLE_LOG  # what `progress_text` shows: the server's last log line
        self.alive = True
        self._wake = asyncio.Event()
        self._workers: list[asyncio.Task[None]] = []

    def submit(self, request: JobRequest) -> tuple[str, int]:
        """Queue a job: its id and 1-based queue position; `QueueFull` after creating its record."""
        record = self.store.create(request)
        maxsize = self.shared.config.queue_maxsize
        if maxsize and len(self.waiting) >= maxsize:
            raise QueueFull(record.job_id)
        self.waiting.append(record.job_id)
        self.wake()
        return record.job_id, len(self.waiting)

    def wake(self) -> None:
        """Let idle workers look at the queue again (call on the event loop's thread)."""
        self._wake.set()

    def start(self) -> None:
        """Start the workers unless they run already."""
        if self._workers:
            return
        self._workers = [
            asyncio.create_task(self._work(), name=f"standin-worker-{index}")
            for index in range(self.shared.config.workers)
        ]

    async def stop(self) -> None:
        """Cancel the workers and wait until they are gone."""
        workers, self._workers = self._workers, []
        for task in workers:
            task.cancel()
        for task in workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def abandon(self, *, forget_running: bool) -> None:
        """Die like a killed process: nothing more is written; optionally drop running results."""
        self.alive = False
        for task in self._workers:
            task.cancel()
        self._workers = []
        if forget_running or self.shared.config.flavour == "pypi":
            for record in self.store:
                if record.state is JobState.RUNNING:
                    self.shared.cache.forget(record.job_id)

    def publish_progress(self, record: JobRecord, progress: float, stage: str) -> None:
        """Move a running job on; HEAD also writes it to the result cache."""
        if not self.alive:
            return
        record.progress, record.stage = round(min(max(progress, 0.0), 1.0), 2), stage
        self.last_log = f"Job {record.job_id}: {stage}"
        if self.shared.config.flavour == "head":
            self.shared.cache.put(record.job_id, [running_item(record)])

    def record_duration(self, seconds: float) -> None:
        """Feed `/v1/stats` `avg_job_seconds`: the mean of the last runs."""
        self.durations.append(seconds)
        self.avg_job_seconds = sum(self.durations) / len(self.durations)

    async def _work(self) -> None:
        while True:
            job_id = await self._next_job()
            await run_job(self, job_id)

    async def _next_job(self) -> str:
        while not self.waiting or self.shared.controls.paused:
            self._wake.clear()
            await self._wake.wait()
        return self.waiting.popleft()
