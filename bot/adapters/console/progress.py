"""Watching jobs until they finish, printing a line whenever one changes.

It reads the database (woken early by this process's engine events), so it works the same
whether this process runs the engine or another `acemusic` process does. Given a terminal's
`LiveProgress`, where each job is goes to its one live line instead, and only notes are printed.
"""

import asyncio
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.adapters.console.live import LiveProgress
from bot.engine.acestep.urls import public_url
from bot.engine.jobs.events import JobEvent
from bot.services import Services
from domain.records import JobRecord, JobStatus
from domain.request import format_duration
from storage import jobs as jobs_repo

CHECK_S = 1.0  # database re-read interval when no event arrives
HEARTBEAT_S = 15.0  # a "still waiting" line this often while nothing changes
PROGRESS_STEP = 0.1  # progress is reported in steps of 10 %


@dataclass
class JobWatcher:
    """Prints progress lines for a set of jobs and returns their final records."""

    services: Services
    job_ids: Collection[int]
    emit: Callable[[str], None]
    live: LiveProgress | None = None
    _seen: dict[int, tuple[JobStatus, str | None, int, int]] = field(default_factory=dict)
    _quiet_s: dict[int, float] = field(default_factory=dict)

    async def wait(self) -> list[JobRecord]:
        """Block until every job has finished; returns them in id order."""
        changed = asyncio.Event()

        async def on_event(event: JobEvent) -> None:
            if event.job.id in self.job_ids:
                changed.set()

        unsubscribe = self.services.engine.events.subscribe(on_event)
        try:
            while True:
                jobs = await jobs_repo.list_jobs(
                    self.services.db, ids=self.job_ids, limit=None, oldest_first=True
                )
                for job in jobs:
                    self._report(job)
                if self.live is not None:
                    self._show(jobs)
                if all(job.status.finished for job in jobs):
                    return jobs
                try:
                    await asyncio.wait_for(changed.wait(), timeout=CHECK_S)
                except TimeoutError:
                    self._tick_quiet(jobs)
                changed.clear()
        finally:
            unsubscribe()

    def _report(self, job: JobRecord) -> None:
        key = (job.status, job.stage, int((job.progress or 0) / PROGRESS_STEP), len(job.notes))
        previous = self._seen.get(job.id)
        if previous == key:
            return
        # Notes present when a job is first seen were already shown with the command's reply.
        notes_seen = previous[3] if previous else len(job.notes)
        self._seen[job.id] = key
        self._quiet_s[job.id] = 0.0
        if self.live is None:
            self.emit(describe_progress(job))
        for note in job.notes[notes_seen:]:
            (self.live.note if self.live else self.emit)(f"job {job.id}: {note}")

    def _show(self, jobs: list[JobRecord]) -> None:
        """The live line: jobs finished (partly, by their progress) and the least advanced one."""
        if self.live is None:
            return
        # a job's own progress counts until it is finished (the server's 100 % is not done yet)
        done = sum(1.0 if job.status.finished else min(job.progress or 0.0, 0.99) for job in jobs)
        waiting = [job for job in jobs if not job.status.finished]
        detail = describe_progress(waiting[0] if waiting else jobs[-1]) if jobs else ""
        self.live.update(round(done, 2), len(jobs), detail)

    def _tick_quiet(self, jobs: list[JobRecord]) -> None:
        if self.live is not None:
            self._show(jobs)  # its clock shows it is alive: no "still waiting" lines
            return
        for job in jobs:
            if job.status.finished:
                continue
            quiet = self._quiet_s.get(job.id, 0.0) + CHECK_S
            self._quiet_s[job.id] = 0.0 if quiet >= HEARTBEAT_S else quiet
            if quiet >= HEARTBEAT_S:
                self.emit(f"job {job.id}: still {job.status} ({_elapsed(job)} so far)")


def describe_progress(job: JobRecord) -> str:
    """One line on where a job is."""
    text = f"job {job.id}: {job.status}"
    server = public_url(job.server or "?")
    if job.status is JobStatus.SUBMITTED and job.queue_position:
        text += f" on {server} (position {job.queue_position} in its queue)"
    elif job.status is JobStatus.RUNNING:
        percent = f" {job.progress:.0%}" if job.progress else ""
        text += f"{percent} on {server}" + (f" — {job.stage}" if job.stage else "")
    elif job.status is JobStatus.FAILED:
        text += f" — {job.error}"
    return text


def _elapsed(job: JobRecord) -> str:
    return format_duration((datetime.now(UTC) - job.created_at).total_seconds())
