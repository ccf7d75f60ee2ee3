"""`StandInServer`: the stand-in's ASGI app, its job workers, and the controls tests turn.

In-process use needs no lifespan: `await server.start()`, then send requests to `server.app`
(e.g. through `httpx.ASGITransport`). Under uvicorn the app's lifespan starts and stops the
workers. Controls may be called from any thread; they run on the server's event loop.

Test controls (beyond the required interface):
    restart(forget_running=False)  -- emulate a process restart (see the method)
    set_failure_rate(rate)         -- share of later jobs that fail (status 2, no reason)
    set_job_seconds(seconds)       -- simulated GPU time of later jobs
    set_format_failure(message)    -- /format_input answers HTTP 200 with code 500 (None: off)
    pause_workers() / resume_workers() -- hold queued jobs in the queue, then let them run
    wait_until_idle(timeout_s)     -- await until nothing is queued or running
    finished_tasks()               -- when each ended task ran, and its file URLs (benchmarks)
"""

import asyncio
import json
import math
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Final

from starlette.applications import Starlette

from standin.app import build_app
from standin.config import StandInConfig
from standin.core import Core
from standin.store import JobState

CONTROL_TIMEOUT_S: Final = 10.0
IDLE_POLL_S: Final = 0.01


@dataclass(frozen=True)
class FinishedTask:
    """When a task ran on the stand-in (epoch seconds) and the file URLs it produced."""

    task_id: str
    started_at: float
    finished_at: float
    files: tuple[str, ...]
    created_at: float = 0.0  # when it was submitted (0 where unknown)


class StandInServer:
    """The built-in ACE-Step stand-in (placeholder audio, real wire protocol)."""

    def __init__(self, config: StandInConfig) -> None:
        self.config = config
        self._core = Core(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self.app: Starlette = build_app(self._core, self._lifespan)

    @property
    def request_counts(self) -> Counter[str]:
        """HTTP requests received per path (kept across `restart()`)."""
        return self._core.shared.request_counts

    async def start(self) -> None:
        """Start the job workers on the running loop; idempotent."""
        self._loop = asyncio.get_running_loop()
        self._core.start()

    async def stop(self) -> None:
        """Cancel the workers and wait for them; queued jobs stay queued."""
        await self._core.stop()

    def restart(self, *, forget_running: bool = False) -> None:
        """Emulate a server process restart.

        Queued jobs and the in-memory job store are forgotten (their ids read as unknown:
        status 0, result "[]"), and so are phantom records and run-time statistics. Finished
        results survive (upstream's on-disk result cache). A job that was *running* keeps its
        last cached progress entry at upstream HEAD, so its id reads "in progress" until the
        1-hour cut-off turns it to status 2; `forget_running=True` drops it instead, which is
        what the PyPI build (no progress in the cache) does anyway.
        """
        self._on_loop(lambda: self._core.restart(forget_running=forget_running))

    def set_failure_rate(self, rate: float) -> None:
        """Share (0-1) of jobs started from now on that fail."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"failure rate must be between 0 and 1, not {rate}")
        self._core.shared.controls.failure_rate = rate

    def set_job_seconds(self, seconds: float) -> None:
        """Simulated GPU time of jobs started from now on."""
        if not (math.isfinite(seconds) and seconds >= 0):
            raise ValueError(f"job seconds must be a finite number >= 0, not {seconds}")
        self._core.shared.controls.job_seconds = seconds

    def set_format_failure(self, message: str | None) -> None:
        """Make `/format_input` answer HTTP 200 with `code: 500` and this text (None: normal)."""
        self._core.shared.controls.format_error = message

    def pause_workers(self) -> None:
        """Workers finish their current job but take no new one until `resume_workers()`."""
        self._core.shared.controls.paused = True

    def resume_workers(self) -> None:
        """Undo `pause_workers()`."""
        self._on_loop(self._core.resume)

    async def wait_until_idle(self, timeout_s: float = 10.0) -> None:
        """Return once nothing is queued or running; TimeoutError after `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while self._busy():
            if time.monotonic() > deadline:
                raise TimeoutError(f"stand-in still busy after {timeout_s} s")
            await asyncio.sleep(IDLE_POLL_S)

    def finished_tasks(self) -> list[FinishedTask]:
        """Every task of this server life that ended, with its own start and end times.

        The real server tells no one when a task finished; benchmarks read this in-process to
        measure how long the bot took to notice. Safe to call from another thread (read-only).
        """
        finished = []
        for record in self._core.runtime.store:
            if record.started_at is None or record.finished_at is None:
                continue
            cached = self._core.shared.cache.get(record.job_id)
            items = json.loads(cached) if cached else []
            files = tuple(str(item["file"]) for item in items if item.get("file"))
            finished.append(
                FinishedTask(
                    record.job_id, record.started_at, record.finished_at, files, record.created_at
                )
            )
        return finished

    def _busy(self) -> bool:
        runtime = self._core.runtime
        running = any(record.state is JobState.RUNNING for record in runtime.store)
        return running or bool(runtime.waiting)

    @asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()

    def _on_loop(self, action: Callable[[], None]) -> None:
        """Run `action` on the server's loop thread and wait for it."""
        loop = self._loop
        if loop is None or not loop.is_running() or _running_loop() is loop:
            action()
            return
        done = threading.Event()
        errors: list[BaseException] = []

        def call() -> None:
            try:
                action()
            except BaseException as exc:  # handed back to the calling thread below
                errors.append(exc)
            finally:
                done.set()

        loop.call_soon_threadsafe(call)
        if not done.wait(CONTROL_TIMEOUT_S):
            raise TimeoutError("the stand-in's event loop did not run the control in time")
        if errors:
            raise errors[0]


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
