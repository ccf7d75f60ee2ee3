"""Completion latency: how soon the engine notices a finished task, and what polling costs.

    uv run python -m bench.completion_latency                 # all three scenarios
    uv run python -m bench.completion_latency --scenario interactive

An ACE-Step stand-in is served over real HTTP from a thread of this process, and the bot's engine
(`open_services`, default poll settings) drives it. The stand-in's own record says when each task
finished (the real server tells no one; the benchmark reads it in-process), and the bot's
download calls are timed as they start. Scenarios:

- interactive: single 2-variant jobs one after another, requested lengths 20-100 s with a GPU
  time of 0.1 s per second of audio (2-10 s jobs), after one warm-up job that is not counted (its
  server has no average yet);
- batch: 2-variant jobs of 30 s queued at once (3 s each), ACESTEP_MAX_IN_FLIGHT 3;
- throughput: 500 one-variant jobs of 0.2 s queued at once (engine utilisation).

Printed per scenario: server-done -> download-started latency p50 / p95 / max (per job: its first
download), HTTP calls per finished track by endpoint, and utilisation = the server's busy time
(sum of its tasks' run times) / span (first start to last end). Targets: latency p50 <= 0.5 s,
p95 <= 1.5 s (interactive and batch); calls per track <= 2.2 (interactive, every call); in
batches <= 1.2 calls per track besides the downloads (one per track, unavoidable); utilisation
>= 0.99 (throughput). Exit status 1 when a target is missed; with --smoke the runs are tiny, the
targets are not judged, and exit status 1 means the benchmark broke.
"""

import argparse
import asyncio
import math
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.services import Services, open_services
from bot.settings import Settings
from domain import constants as c
from domain.records import JobStatus
from domain.request import GenerationRequest
from standin import StandInConfig
from standin.serve import serve_in_background
from standin.server import FinishedTask, StandInServer
from storage import jobs as jobs_repo

TARGET_P50_S = 0.5
TARGET_P95_S = 1.5
TARGET_CALLS_INTERACTIVE = 2.2
TARGET_CALLS_BATCH = 1.2  # besides downloads
TARGET_UTILISATION = 0.99
INTERACTIVE_LENGTHS = (20, 60, 100, 40, 80, 30, 90, 50, 70, 100)  # seconds of audio
GPU_SECONDS_PER_AUDIO_SECOND = 0.1
AUDIO_PATH = "/v1/audio"


@dataclass
class Figures:
    """What one scenario measured."""

    name: str
    jobs: int
    done: int
    tracks: int
    latencies: list[float]
    calls: Counter[str]
    busy_s: float
    span_s: float
    wall_s: float
    notes: list[str] = field(default_factory=list)

    def quantile(self, q: float) -> float:
        """Nearest-rank quantile of the latencies, in seconds (nan when there are none)."""
        ordered = sorted(self.latencies)
        if not ordered:
            return math.nan
        return ordered[max(math.ceil(q * len(ordered)), 1) - 1]

    def per_track(self, *, downloads: bool = True) -> float:
        """HTTP calls per finished track (optionally leaving the downloads out)."""
        total = sum(n for path, n in self.calls.items() if downloads or path != AUDIO_PATH)
        return total / max(self.tracks, 1)

    @property
    def utilisation(self) -> float:
        """The server's busy time over the span from its first start to its last end."""
        return self.busy_s / self.span_s if self.span_s > 0 else math.nan


class DownloadClock:
    """Times the bot's download calls as they start (wall clock, like the stand-in's record)."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}

    def wrap(
        self, download: Callable[[str, Path], Awaitable[object]]
    ) -> Callable[[str, Path], Awaitable[object]]:
        async def timed(file_url: str, dest: Path) -> object:
            self.started.setdefault(file_url, time.time())
            return await download(file_url, dest)

        return timed


def main() -> int:
    """Run the chosen scenarios and print their figures."""
    args = _arguments()
    scenarios = (
        ["interactive", "batch", "throughput"] if args.scenario == "all" else [args.scenario]
    )
    results = [asyncio.run(_run(name, args)) for name in scenarios]
    met = all([_report(figures) for figures in results])
    print(f"machine: {os.cpu_count()} cores")
    if args.smoke:
        print("targets not judged (--smoke)")
        return 0 if all(figures.done == figures.jobs for figures in results) else 1
    print("all targets met" if met else "TARGET MISSED")
    return 0 if met else 1


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenario", choices=["all", "interactive", "batch", "throughput"], default="all"
    )
    parser.add_argument("--interactive-jobs", type=int, default=len(INTERACTIVE_LENGTHS))
    parser.add_argument("--batch-jobs", type=int, default=20)
    parser.add_argument("--batch-job-seconds", type=float, default=3.0)
    parser.add_argument("--throughput-jobs", type=int, default=500)
    parser.add_argument("--throughput-job-seconds", type=float, default=0.2)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tiny runs; print the figures without judging the targets (exit 0 unless broken)",
    )
    args = parser.parse_args()
    if args.smoke:
        args.interactive_jobs, args.batch_jobs, args.throughput_jobs = 2, 3, 6
        args.batch_job_seconds, args.throughput_job_seconds = 0.3, 0.05
    return args


async def _run(name: str, args: argparse.Namespace) -> Figures:
    with tempfile.TemporaryDirectory(prefix="acemusic-bench-") as scratch:
        root = Path(scratch)
        config = StandInConfig(audio_dir=root / "server", queue_maxsize=0, seed=1)
        with serve_in_background(config) as standin:
            settings = Settings(  # type: ignore[call-arg]
                _env_file=None,
                acestep_api_url=[standin.base_url],
                database_url=f"sqlite+aiosqlite:///{root / 'bench.db'}",
                output_dir=root / "outputs",
            )
            async with open_services(settings) as services:
                clock = DownloadClock()
                for server in services.servers:
                    client = server.client
                    client.download = clock.wrap(client.download)  # type: ignore[method-assign,assignment]
                scenario = _SCENARIOS[name]
                counted_from = await scenario(services, standin.server, args)
                calls: Counter[str] = Counter()
                for server in services.servers:
                    calls.update(server.client.calls)
                calls.subtract(counted_from.calls)
                counts = await jobs_repo.count_by_status(services.db)
            finished = [
                task
                for task in standin.server.finished_tasks()
                if task.task_id not in counted_from.skip_tasks
            ]
    done = counts.get(JobStatus.DONE, 0) - counted_from.skip_jobs
    return _figures(
        name, counted=counted_from, done=done, finished=finished, clock=clock, calls=+calls
    )


@dataclass
class Counted:
    """What a scenario ran, and what of it is not counted (a warm-up)."""

    jobs: int
    variants: int
    wall_s: float = 0.0
    calls: Counter[str] = field(default_factory=Counter)
    skip_tasks: set[str] = field(default_factory=set)
    skip_jobs: int = 0


def _request(length_s: int, variants: int) -> GenerationRequest:
    return GenerationRequest(
        caption="benchmark lounge jazz, piano, upright bass",
        duration_s=length_s,
        variants=variants,
        audio_format="wav",
        bpm=100,
        key_scale="C major",
        time_signature="4",
    )


async def _interactive(
    services: Services, standin: StandInServer, args: argparse.Namespace
) -> Counted:
    rate = GPU_SECONDS_PER_AUDIO_SECOND * (0.1 if args.smoke else 1.0)
    engine = services.engine
    # Warm-up: the server has run nothing yet, so it has no average and the wait doubles.
    standin.set_job_seconds(INTERACTIVE_LENGTHS[0] * rate)
    warm = await engine.enqueue(_request(INTERACTIVE_LENGTHS[0], 2), origin="bench")
    await engine.run_until_idle([warm.id])
    counted = Counted(jobs=args.interactive_jobs, variants=2)
    for server in services.servers:
        counted.calls.update(server.client.calls)
    counted.skip_tasks = {task.task_id for task in standin.finished_tasks()}
    counted.skip_jobs = 1
    started = time.perf_counter()
    for index in range(args.interactive_jobs):
        length = INTERACTIVE_LENGTHS[index % len(INTERACTIVE_LENGTHS)]
        standin.set_job_seconds(length * rate)
        job = await engine.enqueue(
            _request(length, 2), origin="bench", priority=c.PRIORITY_INTERACTIVE
        )
        await engine.run_until_idle([job.id])
    counted.wall_s = time.perf_counter() - started
    return counted


async def _queued(
    services: Services,
    standin: StandInServer,
    *,
    jobs: int,
    seconds: float,
    length: int,
    variants: int,
) -> Counted:
    standin.set_job_seconds(seconds)
    started = time.perf_counter()
    for _ in range(jobs):
        await services.engine.enqueue(
            _request(length, variants), origin="bench", priority=c.PRIORITY_BATCH
        )
    await services.engine.run_until_idle()
    return Counted(jobs=jobs, variants=variants, wall_s=time.perf_counter() - started)


async def _batch(services: Services, standin: StandInServer, args: argparse.Namespace) -> Counted:
    return await _queued(
        services,
        standin,
        jobs=args.batch_jobs,
        seconds=args.batch_job_seconds,
        length=30,
        variants=2,
    )


async def _throughput(
    services: Services, standin: StandInServer, args: argparse.Namespace
) -> Counted:
    return await _queued(
        services,
        standin,
        jobs=args.throughput_jobs,
        seconds=args.throughput_job_seconds,
        length=10,
        variants=1,
    )


_SCENARIOS: dict[
    str, Callable[[Services, StandInServer, argparse.Namespace], Awaitable[Counted]]
] = {
    "interactive": _interactive,
    "batch": _batch,
    "throughput": _throughput,
}


def _figures(
    name: str,
    *,
    counted: Counted,
    done: int,
    finished: list[FinishedTask],
    clock: DownloadClock,
    calls: Counter[str],
) -> Figures:
    latencies, notes = [], []
    for task in finished:
        starts = [clock.started[url] for url in task.files if url in clock.started]
        if starts:
            latencies.append(min(starts) - task.finished_at)
        elif task.files:
            notes.append(f"task {task.task_id}: files never downloaded")
    busy = sum(task.finished_at - task.started_at for task in finished)
    span = (
        max(task.finished_at for task in finished) - min(task.started_at for task in finished)
        if finished
        else 0.0
    )
    return Figures(
        name=name,
        jobs=counted.jobs,
        done=done,
        tracks=done * counted.variants,
        latencies=latencies,
        calls=calls,
        busy_s=busy,
        span_s=span,
        wall_s=counted.wall_s,
        notes=notes,
    )


def _report(figures: Figures) -> bool:
    """Print one scenario's figures; True when its targets are met."""
    print(f"--- {figures.name}: {figures.done} / {figures.jobs} jobs done, {figures.tracks} tracks")
    p50, p95 = figures.quantile(0.5), figures.quantile(0.95)
    latest = max(figures.latencies, default=math.nan)
    print(f"done -> download started  p50 {p50:.3f} s  p95 {p95:.3f} s  max {latest:.3f} s")
    print(
        f"HTTP calls/track   {figures.per_track():.2f}"
        f"   (besides downloads {figures.per_track(downloads=False):.2f})"
    )
    for path, count in sorted(figures.calls.items()):
        print(f"  {path:<16} {count:>5}   {count / max(figures.tracks, 1):.2f}/track")
    print(
        f"utilisation        {figures.utilisation:.3f}"
        f"   (server busy {figures.busy_s:.1f} s / span {figures.span_s:.1f} s;"
        f" wall {figures.wall_s:.1f} s)"
    )
    for note in figures.notes:
        print(f"  note: {note}")
    met = figures.done == figures.jobs
    if figures.name in ("interactive", "batch"):
        met = met and p50 <= TARGET_P50_S and p95 <= TARGET_P95_S
    if figures.name == "interactive":
        met = met and figures.per_track() <= TARGET_CALLS_INTERACTIVE
    if figures.name == "batch":
        met = met and figures.per_track(downloads=False) <= TARGET_CALLS_BATCH
    if figures.name == "throughput":
        met = met and figures.utilisation >= TARGET_UTILISATION
    return met


if __name__ == "__main__":
    sys.exit(main())
