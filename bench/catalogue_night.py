"""Catalogue night: one unattended Slack batch of 20,000 tracks over four ACE-Step stand-in servers.

    uv run python -m bench.catalogue_night       # --tracks 20000 --servers 4 --pace 0.01
    uv run python -m bench.catalogue_night --tracks 2000 --pace 0.01 0.02 0.05

One `/music batch spa xN … wav` from Slack (`bench.slack_batch`: `acemusic serve` as its own
process against the test suite's local Slack) drives K stand-in servers, each its own process
(`bench.standin_process`: one simulated GPU worker, unbounded queue, recording its task times and
the requests it answered). The pace is a scale of an A100's ~2 s per job: `--pace 0.01` gives each
job 0.02 s of simulated GPU time. The stand-ins write real audio files inside that time; to keep
them cheap on a small machine the tracks are 10 s WAV (the shortest length the bot accepts; no MP3
encoding) and each stand-in renders its placeholder music once and writes that same audio for
every later track (`--reuse-audio` of `bench.standin_process`; `--fresh-audio` renders every
track, about 0.3 s of CPU each). Each stand-in's own measured time per job is printed: it is the
pace the servers really ran at when writing the files took longer than the pace asked for.

Printed per pace tried: utilisation = the servers' busy time (the sum of their tasks' run times,
from their own records) / (servers x the span from the first task's start to the last one's end),
target >= 0.98; the bot process's CPU seconds per track and peak RSS (from /proc, the bot alone),
RSS target <= 200 MB; HTTP calls per track by path (every request the stand-ins answered); the
database's size after the night; Slack calls per track by method (track posts and the batch digest).

Several `--pace` values are tried in the order given (fastest first), each with fresh servers and
database, stopping at the first whose utilisation target is held; the benchmark then names the
largest pace it held, or says that none was held. It reports only what it measured. Exit status 1
when the first pace is not held, the RSS target is missed or tracks are missing; with --smoke
(40 tracks, 2 servers) the targets are not judged and exit status 1 means the run broke.
"""

import argparse
import asyncio
import json
import os
import tempfile
from collections import Counter
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

from bench.processes import standin_in_background
from bench.slack_batch import BatchRun, run_slack_batch
from bench.verdict import verdict
from tests.cli.helpers import Workspace

A100_JOB_SECONDS = 2.0
TARGET_UTILISATION = 0.98
TARGET_RSS_MB = 200.0
PRESET = "spa"
LENGTH = "10s"
AUDIO_FORMAT = "wav"
# The stand-ins delete each file five minutes after writing it (the bot has long downloaded it):
# 20,000 ten-second WAVs are some 38 GB, and a second copy on the servers' side filled the disk.
STANDIN_FILES_KEPT_S = 300.0
# The bot polls at its own defaults, not at the test workspace's quick ones: a 0.5 s ceiling on
# the wait between polls added a poll in the middle of every 1 s job (2 polls a job, not 1).
TEST_ONLY_SETTINGS = ("ACESTEP_POLL_MIN_SECONDS", "ACESTEP_POLL_MAX_SECONDS")


@dataclass
class Night:
    """What one pace measured."""

    pace: float
    run: BatchRun
    busy_s: float  # the servers' summed task run times
    span_s: float  # first task start to last task end, over all servers
    tasks: int
    requests: Counter[str]  # HTTP requests the stand-ins answered, by path

    @property
    def job_seconds(self) -> float:
        """The simulated GPU time asked of each job."""
        return A100_JOB_SECONDS * self.pace

    def utilisation(self, servers: int) -> float:
        """The servers' busy time over servers x the night's span."""
        return self.busy_s / (servers * self.span_s) if self.span_s > 0 else float("nan")


def main() -> int:
    """Try each pace in turn and print its figures."""
    args = _arguments()
    nights: list[Night] = []
    for pace in args.pace:
        with tempfile.TemporaryDirectory(prefix="acemusic-bench-") as scratch:
            night = asyncio.run(_night(Path(scratch), pace, args))
        nights.append(night)
        held = _report(night, args)
        if held:
            break
    return _summary(nights, args)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=20_000)
    parser.add_argument("--servers", type=int, default=4)
    parser.add_argument(
        "--pace",
        type=float,
        nargs="+",
        default=[0.01],
        help=f"scale(s) of an A100's {A100_JOB_SECONDS:g} s per job, fastest first",
    )
    parser.add_argument(
        "--fresh-audio",
        action="store_true",
        help="the stand-ins render every track (default: render once, reuse the audio)",
    )
    parser.add_argument("--timeout", type=float, default=4 * 3600.0, help="give up after (s)")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="40 tracks on 2 servers; print the figures without judging the targets",
    )
    args = parser.parse_args()
    if args.smoke:
        args.tracks, args.servers = 40, 2
    bad = [pace for pace in args.pace if pace <= 0]
    if bad or args.tracks < 1 or args.servers < 1:
        parser.error("--tracks and --servers must be at least 1, and every --pace above 0")
    return args


async def _night(root: Path, pace: float, args: argparse.Namespace) -> Night:
    workspace = Workspace.create(root)
    for key in TEST_ONLY_SETTINGS:
        del workspace.env[key]
    names = [f"gpu-{index + 1}" for index in range(args.servers)]
    job_seconds = A100_JOB_SECONDS * pace
    async with AsyncExitStack() as stack:
        urls = [
            await stack.enter_async_context(
                standin_in_background(
                    root,
                    name,
                    workspace.env,
                    job_seconds,
                    reuse_audio=not args.fresh_audio,
                    forget_files_after_s=STANDIN_FILES_KEPT_S,
                )
            )
            for name in names
        ]
        text = f"batch {PRESET} x{args.tracks} seed=1 {LENGTH} {AUDIO_FORMAT}"
        run = await run_slack_batch(
            workspace, urls, text, tracks=args.tracks, timeout_s=args.timeout
        )
    # The stand-ins have stopped: their records are written.
    tasks = [
        task for name in names for task in json.loads((root / f"{name}.timeline.json").read_text())
    ]
    requests: Counter[str] = Counter()
    for name in names:
        requests.update(json.loads((root / f"{name}.requests.json").read_text()))
    busy = sum(task["finished_at"] - task["started_at"] for task in tasks)
    span = (
        max(task["finished_at"] for task in tasks) - min(task["started_at"] for task in tasks)
        if tasks
        else 0.0
    )
    return Night(pace, run, busy, span, len(tasks), requests)


def _held(night: Night, args: argparse.Namespace) -> bool:
    complete = night.run.tracks == args.tracks
    return complete and night.utilisation(args.servers) >= TARGET_UTILISATION


def _report(night: Night, args: argparse.Namespace) -> bool:
    """Print one pace's figures; True when its utilisation target was held."""
    run, tracks = night.run, max(night.run.tracks, 1)
    utilisation = night.utilisation(args.servers)
    print(
        f"--- pace {night.pace:g} x {A100_JOB_SECONDS:g} s = {night.job_seconds:g} s per job;"
        f" {args.servers} servers x 1 worker; {LENGTH} {AUDIO_FORMAT} tracks"
    )
    audio = "rendered for every track" if args.fresh_audio else "rendered once, then reused"
    print(f"stand-in audio     {audio}")
    print(f"tracks made        {run.tracks} / {args.tracks}   ({run.jobs} jobs)")
    print(f"jobs per server    {sorted(run.spread.values())}")
    own = night.busy_s / max(night.tasks, 1)
    print(f"stand-ins' own time per job  {own:.3f} s   (asked {night.job_seconds:.3f} s)")
    if own > night.job_seconds * 1.05:
        print(
            f"  the stand-ins could not run at the pace asked on this machine: they ran at"
            f" {own / A100_JOB_SECONDS:.3g} x {A100_JOB_SECONDS:g} s"
        )
    print(f"command -> last job done     {run.seconds:.1f} s")
    print(
        f"utilisation        {utilisation:.3f}   (target >= {TARGET_UTILISATION};"
        f" busy {night.busy_s:.1f} s / {args.servers} x span {night.span_s:.1f} s)"
    )
    if run.cpu_s is not None:
        print(f"bot CPU per track  {run.cpu_s / tracks:.4f} s   (total {run.cpu_s:.1f} s)")
    if run.peak_rss_mb is not None:
        print(f"peak RSS           {run.peak_rss_mb:.0f} MB   (target <= {TARGET_RSS_MB:g} MB)")
    print(f"HTTP calls/track   {sum(night.requests.values()) / tracks:.2f}")
    for path, count in sorted(night.requests.items()):
        print(f"  {path:<32} {count:>7}   {count / tracks:.2f}/track")
    print(
        f"database           {run.database_bytes / 1e6:.1f} MB"
        f"   ({run.database_bytes / tracks:.0f} bytes/track)"
    )
    print(f"Slack calls/track  {sum(run.calls.values()) / tracks:.2f}")
    for method, count in sorted(run.calls.items()):
        print(f"  {method:<32} {count:>7}   {count / tracks:.2f}/track")
    held = _held(night, args)
    print(f"pace {night.pace:g} {'held' if held else 'NOT held'}")
    return held


def _summary(nights: list[Night], args: argparse.Namespace) -> int:
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
    held = [night for night in nights if _held(night, args)]
    if held:
        print(f"largest pace held  {held[0].pace:g} ({held[0].job_seconds:g} s per job)")
    else:
        tried = ", ".join(f"{night.pace:g}" for night in nights)
        print(f"largest pace held  none of those tried ({tried})")
    first = nights[0]
    rss = first.run.peak_rss_mb
    met = _held(first, args) and rss is not None and rss <= TARGET_RSS_MB
    return verdict(met, smoke=args.smoke)


if __name__ == "__main__":
    raise SystemExit(main())
