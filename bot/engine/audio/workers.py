"""A process pool for the CPU-bound audio work: checks and loudness-normalised copies.

Decoding and measuring a 3-minute track costs a few tenths of a second of CPU (see
docs/benchmarks.md). Run on threads, such work shares one core through the GIL's hand-offs, so
tracks from several servers finishing together would queue behind one another; in a pool of
processes sized to the cores, they are checked side by side while the event loop stays free.

`AudioWorkers(n)` holds a `ProcessPoolExecutor` of n processes, or none for n = 0 (the work then
runs in a thread of this process, as tests and one-core hosts may want). Processes are started by
"spawn" -- never fork a process that runs an event loop and threads -- and only when the first
task arrives, so a process that checks no audio starts none. Create one per engine process (the
composition root does) and `close` it when the services close. A worker ends by itself when the
process that started it is gone (killed with SIGKILL, it cannot close its pool): each worker
watches its parent's pid (`_exit_with_parent`), so no orphaned worker outlives the bot.
"""

import asyncio
import functools
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Final, ParamSpec, TypeVar

log = logging.getLogger(__name__)

PARENT_CHECK_S: Final = 1.0  # how often a worker looks whether the process that started it lives

P = ParamSpec("P")
T = TypeVar("T")


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _exit_with_parent(parent_pid: int) -> None:
    """Worker initializer: end this worker as soon as its parent is gone (the pid it reports as
    its parent is no longer `parent_pid`: orphans are adopted by init or a subreaper)."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, name="audio-worker-parent-watch", daemon=True).start()


class AudioWorkers:
    """Runs audio functions (top-level, with picklable arguments and results) off the event loop."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = default_workers() if workers is None else workers
        if self.workers < 0:
            raise ValueError(f"the number of audio workers cannot be negative (got {workers})")
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False

    @classmethod
    def in_process(cls) -> "AudioWorkers":
        """No pool: every call runs in a thread of this process."""
        return cls(0)

    async def run(self, function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """`function(*args, **kwargs)` in a worker process (in a thread when there is no pool).

        Exceptions raised by `function` are raised here, as they were raised there. After `close`
        (a job still finishing while the services shut down) the call runs in a thread instead.
        """
        call = functools.partial(function, *args, **kwargs)
        if not self.workers or self._closed:
            return await asyncio.to_thread(call)
        return await asyncio.get_running_loop().run_in_executor(self._executor(), call)

    def close(self) -> None:
        """Stop the worker processes (waiting for the tasks they have started)."""
        self._closed = True
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    async def aclose(self) -> None:
        """`close` without blocking the event loop."""
        await asyncio.to_thread(self.close)

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_exit_with_parent,
                initargs=(os.getpid(),),
            )
            log.info("audio checks run in a pool of %d processes", self.workers)
        return self._pool
