"""Several engine workers on one PostgreSQL database: throughput with 1, 2 and 3 `acemusic work`
processes sharing two ACE-Step stand-in servers, and the machinery the multi-worker kill test
(tests/test_workers_e2e.py) shares.

    uv run python -m bench.workers                 # 1, 2 and 3 workers, 120 jobs each
    uv run python -m bench.workers --smoke         # tiny: prints the figures, judges nothing

Each run: a fresh database on a PostgreSQL server started from the machine's binaries
(`tests/postgres.py`), two stand-ins as their own processes (`bench.standin_process`: simulated
GPU time per job, one worker each, their own record of every task's submit, start and end), the
jobs written to the database, then N `acemusic work` processes started at once. It reports
tracks per second from the first task submitted to the last job finished, each server's
utilisation over that window (the share of it the server spent running a task), and the most
tasks a server ever held at once (queued or running) against its limit (ACESTEP_MAX_IN_FLIGHT).
The targets judged: every job done, and no server ever holding more than its limit. Throughput
is reported, not judged: it grows with workers only while the workers (downloads, audio checks,
the database), not the servers, are what limits it, and only on a machine with cores to spare.
"""

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from sqlalchemy import text

from bench.processes import standin_in_background
from domain.request import GenerationRequest
from storage import jobs as jobs_repo
from storage.database import Database
from tests.cli.helpers import ACEMUSIC, Workspace, free_port
from tests.postgres import running_server

STOP_S: Final = 30.0
REQUEST: Final = {
    "caption": "bench ambient, piano",
    "duration_s": 10,
    "variants": 1,
    "audio_format": "mp3",
    "bpm": 90,
    "key_scale": "C major",
    "time_signature": "4",
}


def worker_env(
    root: Path, database_url: str, servers: Sequence[str], **extra: str
) -> dict[str, str]:
    """The environment of every `serve` and `work` process of a run."""
    return (
        Workspace.create(root).env
        | {
            "DATABASE_URL": database_url,
            "ACESTEP_API_URL": ",".join(servers),
            "LOG_LEVEL": "INFO",
            "AUDIO_CHECK_WORKERS": "0",
            "PYTHONUNBUFFERED": "1",
        }
        | extra
    )


class Processes:
    """`acemusic` processes of one run: started, killed with SIGKILL, stopped with SIGTERM."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.running: dict[str, asyncio.subprocess.Process] = {}
        self.started = 0
        self.killed = 0

    async def start(self, name: str, env: dict[str, str], *argv: str) -> str:
        """Start `acemusic ARGV` as NAME (output in ROOT/NAME.log); returns NAME."""
        env = {"HEALTH_PORT": str(free_port()), "PORT": str(free_port())} | env
        log = (self.root / f"{name}.log").open("ab")
        process = await asyncio.create_subprocess_exec(
            ACEMUSIC, *argv, cwd=self.root, env=env, stdout=log, stderr=asyncio.subprocess.STDOUT
        )
        log.close()
        self.running[name] = process
        self.started += 1
        return name

    async def kill(self, name: str) -> None:
        """`kill -9`: no shutdown, no released claims."""
        process = self.running.pop(name)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        self.killed += 1

    async def stop_all(self) -> None:
        """SIGTERM to every process still running, SIGKILL after STOP_S."""
        for process in self.running.values():
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in self.running.values():
            try:
                await asyncio.wait_for(process.wait(), STOP_S)
            except TimeoutError:
                process.kill()
                await process.wait()
        self.running.clear()

    @asynccontextmanager
    async def supervised(self) -> AsyncIterator["Processes"]:
        """Stop every process when the block ends; on a failure, print their log tails first."""
        try:
            yield self
        except BaseException:
            for name in list(self.running):
                print(f"--- {name} ---\n{self.log_tail(name)}")
            raise
        finally:
            await self.stop_all()

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""


@asynccontextmanager
async def standins(root: Path, count: int, job_seconds: float) -> AsyncIterator[list[str]]:
    """COUNT stand-ins as their own processes; their records are written when the block ends."""
    env = Workspace.create(root).env
    async with AsyncExitStack() as stack:
        urls = [
            await stack.enter_async_context(
                standin_in_background(root, f"gpu{i}", env, job_seconds, reuse_audio=True)
            )
            for i in range(1, count + 1)
        ]
        yield urls


@dataclass(frozen=True)
class ServerRecord:
    """What one stand-in did, from its own records (written when it stopped)."""

    submissions: int  # /release_task requests it answered
    tasks: list[dict[str, Any]]  # finished tasks: created_at, started_at, finished_at (epoch s)

    @property
    def most_held(self) -> int:
        """The most tasks it held at once (queued or running), from submit to end."""
        moments = sorted(
            [(task["created_at"], 1) for task in self.tasks]
            + [(task["finished_at"], -1) for task in self.tasks],
            key=lambda moment: (moment[0], moment[1]),  # an end before a start at one instant
        )
        held = most = 0
        for _, change in moments:
            held += change
            most = max(most, held)
        return most

    def busy_seconds(self, start: float, end: float) -> float:
        """Seconds it spent running a task within [start, end]."""
        return sum(
            max(0.0, min(task["finished_at"], end) - max(task["started_at"], start))
            for task in self.tasks
        )


def server_records(root: Path, count: int) -> list[ServerRecord]:
    """Each stand-in's record (after they stopped)."""
    records = []
    for i in range(1, count + 1):
        requests = json.loads((root / f"gpu{i}.requests.json").read_text())
        tasks = json.loads((root / f"gpu{i}.timeline.json").read_text())
        records.append(ServerRecord(int(requests.get("/release_task", 0)), tasks))
    return records


async def enqueue(database_url: str, jobs: int) -> None:
    """Write JOBS small jobs (10 s mp3, one take) straight into the queue."""
    db = await Database.open(database_url)
    try:
        request = GenerationRequest.model_validate(REQUEST).model_dump(mode="json")
        for _ in range(jobs):
            await jobs_repo.create_job(db, request=request, origin="bench", priority=10)
    finally:
        await db.close()


async def scalar_rows(database_url: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of SQL on the run's database."""
    db = Database(database_url)
    try:
        async with db.session(row_locks=True) as session:
            return [tuple(row) for row in (await session.execute(text(sql))).all()]
    finally:
        await db.close()


async def wait_until(database_url: str, sql: str, timeout_s: float, what: str) -> None:
    """Poll SQL (one row, one truth value) every 0.2 s until it is true; TimeoutError after."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        rows = await scalar_rows(database_url, sql)
        if rows and rows[0][0]:
            return
        await asyncio.sleep(0.2)
    raise TimeoutError(f"gave up waiting for {what} after {timeout_s:g} s")


ALL_DONE: Final = (
    "SELECT count(*) > 0 AND count(*) = count(*) FILTER (WHERE status = 'done') FROM jobs"
)


async def one_run(
    root: Path,
    database_url: str,
    *,
    workers: int,
    jobs: int,
    job_seconds: float,
    capacity: int,
    timeout_s: float,
) -> dict[str, Any]:
    """N workers through JOBS jobs on two stand-ins; the figures of the run."""
    await enqueue(database_url, jobs)
    processes = Processes(root)
    async with standins(root, 2, job_seconds) as urls:
        env = worker_env(root, database_url, urls, ACESTEP_MAX_IN_FLIGHT=str(capacity))
        async with processes.supervised():
            for i in range(1, workers + 1):
                await processes.start(f"work{i}", env, "work")
            await wait_until(database_url, ALL_DONE, timeout_s, "every job done")
    records = server_records(root, 2)
    [(last,)] = await scalar_rows(
        database_url, "SELECT extract(epoch FROM max(finished_at)) FROM jobs"
    )
    [(tracks,)] = await scalar_rows(database_url, "SELECT count(*) FROM tracks")
    first = min(task["created_at"] for record in records for task in record.tasks)
    window = float(last) - first
    return {
        "workers": workers,
        "tracks": int(tracks),
        "seconds": window,
        "tracks_per_s": int(tracks) / window,
        "utilisation": [record.busy_seconds(first, float(last)) / window for record in records],
        "most_held": [record.most_held for record in records],
        "submissions": [record.submissions for record in records],
        "capacity": capacity,
    }


async def _measure(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    with running_server() as server:
        for workers in args.workers:
            with tempfile.TemporaryDirectory(prefix="acemusic-workers-") as folder:
                async with server.database() as url:
                    results.append(
                        await one_run(
                            Path(folder),
                            url,
                            workers=workers,
                            jobs=args.jobs,
                            job_seconds=args.job_seconds,
                            capacity=args.capacity,
                            timeout_s=args.timeout,
                        )
                    )
    return results


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--jobs", type=int, default=120, help="jobs per run (one track each)")
    parser.add_argument("--job-seconds", type=float, default=0.5, help="simulated GPU time")
    parser.add_argument("--capacity", type=int, default=3, help="ACESTEP_MAX_IN_FLIGHT")
    parser.add_argument("--timeout", type=float, default=900.0, help="give up after (s)")
    parser.add_argument("--smoke", action="store_true", help="tiny; figures not judged")
    args = parser.parse_args()
    if args.smoke:
        args.workers, args.jobs, args.job_seconds = [1, 2], 6, 0.1
    return args


def main() -> int:
    """Run, print one line per worker count, judge the targets unless --smoke."""
    args = _parse()
    results = asyncio.run(_measure(args))
    print(f"two stand-in servers x {args.jobs} jobs, {args.job_seconds:g} s GPU time each, "
          f"ACESTEP_MAX_IN_FLIGHT={args.capacity}; load {os.getloadavg()[0]:.2f}")  # fmt: skip
    print("workers  tracks   seconds  tracks/s  utilisation    most held  submissions")
    for run in results:
        utilisation = " ".join(f"{share:.2f}" for share in run["utilisation"])
        held = " ".join(str(count) for count in run["most_held"])
        sent = " ".join(str(count) for count in run["submissions"])
        print(
            f"{run['workers']:>7}  {run['tracks']:>6}  {run['seconds']:>8.1f}  "
            f"{run['tracks_per_s']:>8.2f}  {utilisation:<13}  {held:<9}  {sent}"
        )
    within = all(held <= run["capacity"] for run in results for held in run["most_held"])
    complete = all(run["tracks"] == args.jobs for run in results)
    print(f"every server within its limit: {'yes' if within else 'NO'}")
    if args.smoke:
        print("target not judged (--smoke)")
        return 0 if within and complete else 1
    met = within and complete
    print("targets met" if met else "TARGET MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
