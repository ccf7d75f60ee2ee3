"""Batch throughput: one 2,000-track batch from Slack against two ACE-Step stand-in servers.

    uv run python -m bench.batch_throughput            # --tracks 2000 --job-seconds 1.0

Everything runs as it does in production, each part its own process: `acemusic serve` (Socket
Mode, against the test suite's local Slack in this process), and two `acemusic engine` stand-ins,
each a single simulated GPU worker taking `--job-seconds` per job. The benchmark sends
`/music batch spa x2000 … confirm`, waits for every job to finish and for the digest's summary and
every track to be in Slack, then prints:

- efficiency = ideal / actual, actual = from the command to the last job finished, ideal = the
  busier server's jobs x `--job-seconds` (the time the batch would take if the bot never let a
  simulated GPU wait); target >= 0.95. Each stand-in's own measured time per job (the mean of its
  recent jobs, from `/v1/stats`) is printed too: on this 2-core machine the stand-ins also
  synthesise and encode real audio inside each job's time, so a `--job-seconds` too small for
  that (0.5 s here) measures the machine's cores, not the bot;
- Slack Web API calls per track (digest posts and edits, the three upload steps, files.info),
  by method;
- how the jobs were spread over the two servers, and the bot's CPU time per track.

The local Slack has no rate limits, so track posts are not paced here
(SLACK_CHANNEL_POST_GAP_SECONDS=0); in production they go at one per second per channel.
Exit status 1 when the efficiency target is missed; with --smoke the target is not judged (a smoke
run only shows that the benchmark runs and prints its figures) and exit status 1 means it broke.
"""

import argparse
import asyncio
import os
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from bench.processes import process_in_background
from tests.cli.helpers import Workspace
from tests.fakeslack import FakeSlack

TARGET_EFFICIENCY = 0.95
PRESET = "spa"


def main() -> int:
    """Run the benchmark and print its figures."""
    args = _arguments()
    with tempfile.TemporaryDirectory(prefix="acemusic-bench-") as scratch:
        figures = asyncio.run(_measure(Path(scratch), args))
    return _report(figures, args)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=2000)
    parser.add_argument("--job-seconds", type=float, default=1.0, help="per job, per server")
    parser.add_argument("--duration", default="10s", help="length of each track")
    parser.add_argument("--timeout", type=float, default=3600.0, help="give up after (s)")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="print the figures without judging the targets: exit 0 unless the run broke",
    )
    return parser.parse_args()


async def _measure(root: Path, args: argparse.Namespace) -> dict[str, Any]:
    workspace = Workspace.create(root)
    engine = ("engine", f"--job-seconds={args.job_seconds}", "--queue-size=0")
    database = root / "bot.db"
    async with (
        process_in_background(root, "gpu-1", workspace.env, *engine, health="/health") as first,
        process_in_background(root, "gpu-2", workspace.env, *engine, health="/health") as second,
        FakeSlack(share_delay=0.01) as fake,
    ):
        env = (
            workspace.env
            | fake.env()
            | {
                "ACESTEP_API_URL": f"{first},{second}",
                "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
                "SLACK_CHANNEL_POST_GAP_SECONDS": "0",
                "BATCH_CONFIRM_TRACKS": str(args.tracks + 1),
                "LOG_LEVEL": "WARNING",
            }
        )
        async with process_in_background(root, "bot-socket", env, "serve") as _bot:
            await fake.socket.wait_connected(timeout=60)
            fake.calls.clear()
            started = time.time()
            text = f"batch {PRESET} x{args.tracks} seed=1 {args.duration} mp3"
            await (await fake.socket.send_slash_command(text)).wait_ack()
            await _wait(database, "batch finished", _batch_done, args.timeout)
            finished = await asyncio.to_thread(_last_finished, database)
            await _wait(database, "every track in Slack", _all_posted, args.timeout)
            calls = Counter(call.method for call in fake.calls)
            cpu_s = await asyncio.to_thread(_bot_cpu_seconds, root)
        servers = {url: await _server_stats(url) for url in (first, second)}
        spread = await asyncio.to_thread(_spread, database)
        jobs, tracks = await asyncio.to_thread(_counts, database)
    return {
        "actual": finished - started,
        "jobs": jobs,
        "tracks": tracks,
        "calls": calls,
        "spread": spread,
        "servers": servers,
        "cpu_s": cpu_s,
    }


async def _wait(database: Path, what: str, check: Callable[[Path], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await asyncio.to_thread(check, database):
            return
        await asyncio.sleep(0.5)
    raise SystemExit(f"gave up waiting for {what}")


async def _server_stats(url: str) -> tuple[int, float]:
    """A stand-in's finished jobs, and the mean run time of its most recent ones."""
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        stats = (await client.get("/v1/stats")).json()
    data = stats.get("data", stats)
    jobs = data["jobs"]
    return int(jobs["succeeded"]) + int(jobs["failed"]), float(data["avg_job_seconds"])


def _query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    try:
        with sqlite3.connect(database) as db:
            return db.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []  # not created yet


def _batch_done(database: Path) -> bool:
    return _query(database, "SELECT status FROM batches") == [("done",)]


def _all_posted(database: Path) -> bool:
    rows = _query(
        database,
        "SELECT (SELECT count(*) FROM tracks), "
        "(SELECT count(*) FROM slack_track_posts WHERE state = 'resolved'), "
        "(SELECT final FROM slack_batch_digests)",
    )
    return bool(rows) and rows[0][0] == rows[0][1] and bool(rows[0][2])


def _last_finished(database: Path) -> float:
    [(last,)] = _query(database, "SELECT max(finished_at) FROM jobs")
    return datetime.fromisoformat(f"{last}+00:00").timestamp()


def _spread(database: Path) -> dict[str, int]:
    return dict(_query(database, "SELECT server, count(*) FROM jobs GROUP BY server"))


def _counts(database: Path) -> tuple[int, int]:
    [(jobs, tracks)] = _query(
        database, "SELECT (SELECT count(*) FROM jobs), (SELECT count(*) FROM tracks)"
    )
    return int(jobs), int(tracks)


def _bot_cpu_seconds(root: Path) -> float | None:
    """The bot's CPU time so far, from /proc (Linux), while it is still running."""
    pid_file = root / "bot-socket.pid"
    try:
        fields = Path(f"/proc/{pid_file.read_text().strip()}/stat").read_text().split()
    except (OSError, ValueError):
        return None
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def _report(figures: dict[str, Any], args: argparse.Namespace) -> int:
    spread: dict[str, int] = figures["spread"]
    ideal = max(spread.values(), default=0) * args.job_seconds
    efficiency = ideal / figures["actual"]
    tracks = max(figures["tracks"], 1)
    calls: Counter[str] = figures["calls"]
    print(f"batch of {args.tracks} tracks ({figures['jobs']} jobs), 2 servers x 1 worker,")
    print(f"{args.job_seconds} s per job, {args.duration} tracks")
    print(f"tracks made        {figures['tracks']} / {args.tracks}")
    print(f"jobs per server    {spread}")
    for url, (jobs, seconds) in figures["servers"].items():
        print(f"  {url}  {jobs} jobs, its recent jobs took {seconds:.3f} s each")
    print(f"ideal time         {ideal:.1f} s (the busier server's jobs x {args.job_seconds} s)")
    print(f"actual time        {figures['actual']:.1f} s")
    print(f"efficiency         {efficiency:.3f}   (target >= {TARGET_EFFICIENCY})")
    print(f"Slack calls/track  {sum(calls.values()) / tracks:.2f}")
    for method, count in sorted(calls.items()):
        print(f"  {method:<32} {count}")
    if figures["cpu_s"] is not None:
        print(f"bot CPU per track  {figures['cpu_s'] / tracks * 1000:.0f} ms")
    met = efficiency >= TARGET_EFFICIENCY and figures["tracks"] == args.tracks
    return _verdict(met, smoke=args.smoke)


def _verdict(met: bool, *, smoke: bool) -> int:
    if smoke:
        print("target not judged (--smoke)")
        return 0
    print("targets met" if met else "TARGET MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
