"""Engine throughput: N jobs through the job engine against one stand-in server with one worker.

    uv run python bench/engine_throughput.py --jobs 500 --job-seconds 0.2

The stand-in runs as its own process (`bench.standin_process`: what `acemusic engine` serves,
plus its own record of when each task ran, written at exit), so the figures below are the bot's
alone. Printed:
- efficiency = ideal time / actual time, where ideal = jobs x job-seconds (one GPU worker that is
  never idle); target >= 0.97;
- utilisation = the server's busy time (the sum of its tasks' run times, from its own record) /
  the span from its first start to its last end; target >= 0.99;
- HTTP calls per finished track (every request the bot sent: submit, poll, download, stats);
  target <= 3;
- peak RSS of the bot process; target < 150 MB.
Exit status 1 when a target is missed; with --smoke the targets are not judged (a smoke run
only shows that the benchmark runs and prints its figures) and exit status 1 means it broke.
"""

import argparse
import asyncio
import json
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from bench.verdict import verdict
from bot.services import open_services
from bot.settings import Settings
from domain.records import JobStatus
from domain.request import GenerationRequest
from storage import jobs as jobs_repo

TARGET_EFFICIENCY = 0.97
TARGET_UTILISATION = 0.99
TARGET_CALLS_PER_TRACK = 3.0
TARGET_RSS_MB = 150.0


def main() -> int:
    """Run the benchmark and print its figures."""
    args = _arguments()
    with tempfile.TemporaryDirectory(prefix="acemusic-bench-") as scratch:
        root = Path(scratch)
        engine, url = _start_standin(root, args.job_seconds)
        try:
            figures = asyncio.run(_measure(root, url, args))
        finally:
            engine.terminate()
            engine.wait(timeout=30)
        figures["utilisation"] = _utilisation(root / "timeline.json")
    return _report(figures, args)


def _utilisation(timeline: Path) -> float:
    """The stand-in's busy time over the span of its tasks, from its own record."""
    tasks = json.loads(timeline.read_text())
    if not tasks:
        return float("nan")
    busy = sum(task["finished_at"] - task["started_at"] for task in tasks)
    span = max(task["finished_at"] for task in tasks) - min(task["started_at"] for task in tasks)
    return busy / span if span > 0 else float("nan")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--job-seconds", type=float, default=0.2)
    parser.add_argument("--variants", type=int, default=1, help="tracks per job")
    parser.add_argument("--duration", type=int, default=10, help="seconds of audio per track")
    parser.add_argument("--in-flight", type=int, default=3, help="ACESTEP_MAX_IN_FLIGHT")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="print the figures without judging the targets: exit 0 unless the run broke",
    )
    return parser.parse_args()


def _start_standin(root: Path, job_seconds: float) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "bench.standin_process",
        f"--port={port}",
        f"--job-seconds={job_seconds}",
        "--queue-size=0",
        f"--audio-dir={root / 'server'}",
        f"--timeline={root / 'timeline.json'}",
    ]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the stand-in server did not start")


async def _measure(root: Path, url: str, args: argparse.Namespace) -> dict[str, float]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        acestep_api_url=[url],
        acestep_max_in_flight=args.in_flight,
        acestep_poll_min_seconds=0.05,
        database_url=f"sqlite+aiosqlite:///{root / 'bench.db'}",
        output_dir=root / "outputs",
    )
    request = GenerationRequest(
        caption="benchmark lounge jazz, piano, upright bass",
        duration_s=args.duration,
        variants=args.variants,
        audio_format="wav",
        bpm=100,
        key_scale="C major",
        time_signature="4",
    )
    async with open_services(settings) as services:
        started = time.perf_counter()
        for _ in range(args.jobs):
            await services.engine.enqueue(request, origin="bench", priority=10)
        await services.engine.run_until_idle()
        elapsed = time.perf_counter() - started
        counts = await jobs_repo.count_by_status(services.db)
        server_stats = await services.servers[0].client.stats()
        calls: Counter[str] = Counter()
        for server in services.servers:
            calls.update(server.client.calls)
    done = counts.get(JobStatus.DONE, 0)
    return {
        "elapsed": elapsed,
        "done": done,
        "tracks": done * args.variants,
        "calls": sum(calls.values()),
        **{f"calls {path}": count for path, count in sorted(calls.items())},
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "server_job_s": server_stats.avg_job_seconds,
        "cpu_s": _cpu_seconds(),
    }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _report(figures: dict[str, float], args: argparse.Namespace) -> int:
    ideal = args.jobs * args.job_seconds
    efficiency = ideal / figures["elapsed"]
    per_track = figures["calls"] / max(figures["tracks"], 1)
    print(f"jobs {args.jobs} x {args.job_seconds} s, {args.variants} track(s) each, 1 worker")
    print(f"finished jobs      {figures['done']:.0f} / {args.jobs}")
    print(f"ideal time         {ideal:.1f} s")
    print(f"actual time        {figures['elapsed']:.1f} s")
    print(f"efficiency         {efficiency:.3f}   (target >= {TARGET_EFFICIENCY})")
    utilisation = figures["utilisation"]
    print(f"utilisation        {utilisation:.3f}   (target >= {TARGET_UTILISATION})")
    print(f"server's own time per job (last 50): {figures['server_job_s']:.3f} s")
    print(f"HTTP calls/track   {per_track:.2f}   (target <= {TARGET_CALLS_PER_TRACK:g})")
    for name, value in figures.items():
        if name.startswith("calls /"):
            print(f"  {name[6:]:<16} {value:.0f}")
    print(f"bot CPU per track  {1000 * figures['cpu_s'] / max(figures['tracks'], 1):.0f} ms")
    print(f"peak RSS           {figures['rss_mb']:.0f} MB   (target < {TARGET_RSS_MB:g} MB)")
    met = (
        figures["done"] == args.jobs
        and efficiency >= TARGET_EFFICIENCY
        and utilisation >= TARGET_UTILISATION
        and per_track <= TARGET_CALLS_PER_TRACK
        and figures["rss_mb"] < TARGET_RSS_MB
    )
    return verdict(met, smoke=args.smoke)


if __name__ == "__main__":
    sys.exit(main())
