"""Console adapter: the same command path as Slack, with replies and progress as plain text.

`acemusic chat` reads one message per line from stdin (a terminal or a pipe), answers each, and
prints progress and results as jobs finish; at end of input it waits for the jobs it started.
"""

import asyncio
import getpass
import sys
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from bot.adapters.console.progress import JobWatcher
from bot.adapters.console.text import describe_file, render, track_json
from bot.services import Services
from commands.context import Caller
from commands.router import handle
from domain.records import JobRecord, JobStatus
from storage import tracks as tracks_repo

__all__ = ["chat", "describe_file", "describe_outcome", "job_json", "render", "track_json"]

Emit = Callable[[str], None]
QUIT_WORDS = frozenset({"quit", "exit", "bye"})


async def describe_outcome(services: Services, job: JobRecord) -> list[str]:
    """The final lines for one job: its state, then one line per track."""
    if job.status is not JobStatus.DONE:
        reason = f" — {job.error}" if job.error else ""
        return [f"Job #{job.id} {job.status}{reason}"]
    tracks = await tracks_repo.list_tracks(services.db, job_ids=[job.id], oldest_first=True)
    lines = [f"Job #{job.id} done — {len(tracks)} track(s):"]
    lines += [f"  {describe_file(track)}" for track in tracks]
    if any(track.placeholder for track in tracks):
        lines.append("  (placeholder audio from the built-in ACE-Step stand-in, not AI music)")
    return lines


async def job_json(services: Services, job: JobRecord) -> dict[str, Any]:
    """A job and its tracks as plain JSON (for `--json` output)."""
    tracks = await tracks_repo.list_tracks(services.db, job_ids=[job.id], oldest_first=True)
    return {
        **{k: v for k, v in asdict(job).items() if k not in ("result", "payload_sent")},
        "tracks": [track_json(track) for track in tracks],
    }


async def chat(services: Services, emit: Emit, *, user: str | None = None) -> int:
    """Answer stdin line by line until it ends; returns the number of jobs that did not finish."""
    caller = Caller("console", user_id=user or getpass.getuser())
    watchers: list[asyncio.Task[list[JobRecord]]] = []
    stop = asyncio.Event()
    engine = asyncio.create_task(services.engine.run_forever(stop))
    try:
        while (line := await asyncio.to_thread(sys.stdin.readline)) and (
            line.strip().lower() not in QUIT_WORDS
        ):
            if not line.strip():
                continue
            reply = await handle(line, services, caller)
            emit(render(reply))
            if reply.job_ids:
                watchers.append(asyncio.create_task(_watch(services, reply.job_ids, emit)))
        results = await asyncio.gather(*watchers)
    finally:
        stop.set()
        await engine
    return sum(job.status is not JobStatus.DONE for jobs in results for job in jobs)


async def _watch(services: Services, job_ids: tuple[int, ...], emit: Emit) -> list[JobRecord]:
    jobs = await JobWatcher(services, job_ids, emit).wait()
    for job in jobs:
        for line in await describe_outcome(services, job):
            emit(line)
    return jobs
