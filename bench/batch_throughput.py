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
- file uploads per track (`files.completeUploadExternal`): a batch over BATCH_POST_ALL_MAX (the
  bot's default 40, or `--post-all-max`) posts only a listening sample; target <= 0.05 then.
  `--post-all-max 2000` posts every track, as before sampling existed;
- how the jobs were spread over the two servers, and the bot's CPU time per track.

The local Slack has no rate limits, so track posts are not paced here
(SLACK_CHANNEL_POST_GAP_SECONDS=0); in production they go at one per second per channel.
Exit status 1 when a target is missed; with --smoke the target is not judged (a smoke
run only shows that the benchmark runs and prints its figures) and exit status 1 means it broke.
"""

import argparse
import asyncio
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from bench.processes import process_in_background
from bench.slack_batch import run_slack_batch
from bench.verdict import verdict
from tests.cli.helpers import Workspace

TARGET_EFFICIENCY = 0.95
TARGET_UPLOADS_PER_TRACK = 0.05  # with a listening sample
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
        "--post-all-max",
        type=int,
        default=None,
        help="the bot's BATCH_POST_ALL_MAX (default: its own, 40); larger batches post a sample",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="print the figures without judging the targets: exit 0 unless the run broke",
    )
    return parser.parse_args()


async def _measure(root: Path, args: argparse.Namespace) -> dict[str, Any]:
    workspace = Workspace.create(root)
    engine = ("engine", f"--job-seconds={args.job_seconds}", "--queue-size=0")
    async with (
        process_in_background(root, "gpu-1", workspace.env, *engine, health="/health") as first,
        process_in_background(root, "gpu-2", workspace.env, *engine, health="/health") as second,
    ):
        text = f"batch {PRESET} x{args.tracks} seed=1 {args.duration} mp3"
        run = await run_slack_batch(
            workspace,
            [first, second],
            text,
            tracks=args.tracks,
            timeout_s=args.timeout,
            post_all_max=args.post_all_max,
        )
        servers = {url: await _server_stats(url) for url in (first, second)}
    return {
        "actual": run.seconds,
        "jobs": run.jobs,
        "tracks": run.tracks,
        "posted": run.posted,
        "calls": run.calls,
        "spread": run.spread,
        "servers": servers,
        "cpu_s": run.cpu_s,
    }


async def _server_stats(url: str) -> tuple[int, float]:
    """A stand-in's finished jobs, and the mean run time of its most recent ones."""
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        stats = (await client.get("/v1/stats")).json()
    data = stats.get("data", stats)
    jobs = data["jobs"]
    return int(jobs["succeeded"]) + int(jobs["failed"]), float(data["avg_job_seconds"])


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
    uploads = calls.get("files.completeUploadExternal", 0) / tracks
    sampled = figures["posted"] < figures["tracks"]
    kind = "a listening sample" if sampled else "every track"
    print(f"tracks posted      {figures['posted']} ({kind})")
    target = f"   (target <= {TARGET_UPLOADS_PER_TRACK} with a sample)" if sampled else ""
    print(f"file uploads/track {uploads:.3f}{target}")
    print(f"Slack calls/track  {sum(calls.values()) / tracks:.2f}")
    for method, count in sorted(calls.items()):
        print(f"  {method:<32} {count}")
    if figures["cpu_s"] is not None:
        print(f"bot CPU per track  {figures['cpu_s'] / tracks * 1000:.0f} ms")
    met = (
        efficiency >= TARGET_EFFICIENCY
        and figures["tracks"] == args.tracks
        and (not sampled or uploads <= TARGET_UPLOADS_PER_TRACK)
    )
    return verdict(met, smoke=args.smoke)


if __name__ == "__main__":
    raise SystemExit(main())
