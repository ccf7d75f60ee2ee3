"""Where jobs live: the in-memory job store and the result cache that outlives a restart.

The real server keeps job records in memory (lost on restart) and writes running, succeeded and
failed results to an on-disk cache (kept across restarts, ACESTEP_API.md §5.3). `/query_result`
reads the cache first and falls back to the store, which is what answers for queued jobs.
"""

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from standin.request import JobRequest


class JobState(StrEnum):
    """A job's state in the store (the wire maps queued and running to status 0)."""

    QUEUED = "queued"  # waiting in the queue (or a phantom left by a 429)
    RUNNING = "running"  # a worker is on it
    SUCCEEDED = "succeeded"  # finished; its result is in the cache
    FAILED = "failed"  # finished with an error the wire never shows


WIRE_STATUS = {
    JobState.QUEUED: 0,
    JobState.RUNNING: 0,
    JobState.SUCCEEDED: 1,
    JobState.FAILED: 2,
}


@dataclass
class JobRecord:
    """One job as the store keeps it."""

    job_id: str
    created_at: float
    request: JobRequest | None = None  # None for phantom records left by a 429
    state: JobState = JobState.QUEUED
    progress: float = 0.0
    stage: str = "queued"
    error: str | None = None
    started_at: float | None = None
    finished_at: float | None = None

    @property
    def create_time(self) -> int:
        """Creation time as the wire shows it: whole seconds since the epoch."""
        return int(self.created_at)


class JobStore:
    """Job records by id; nothing is ever evicted (the real 24 h sweep is out of scope)."""

    def __init__(self) -> None:
        self._jobs: dict[str, JobRecord] = {}

    def create(self, request: JobRequest | None) -> JobRecord:
        """A new queued record with a fresh uuid4 id."""
        record = JobRecord(job_id=str(uuid.uuid4()), created_at=time.time(), request=request)
        self._jobs[record.job_id] = record
        return record

    def get(self, job_id: str) -> JobRecord | None:
        """The record, or None for an id this store never saw."""
        return self._jobs.get(job_id)

    def __iter__(self) -> Iterator[JobRecord]:
        return iter(list(self._jobs.values()))

    def stats(self) -> dict[str, int]:
        """Counts for `/v1/stats`: total and per state (phantom records count as queued)."""
        counts = {"total": len(self._jobs), **{state.value: 0 for state in JobState}}
        for record in self._jobs.values():
            counts[record.state.value] += 1
        return counts


class ResultCache:
    """Task id -> the `result` JSON string `/query_result` returns; survives `restart()`."""

    def __init__(self) -> None:
        self._entries: dict[str, str] = {}

    def put(self, task_id: str, items: list[dict[str, object]]) -> None:
        """Store the items, encoded once, exactly as they will be sent."""
        self._entries[task_id] = json.dumps(items, ensure_ascii=False)

    def get(self, task_id: str) -> str | None:
        """The stored JSON string, or None."""
        return self._entries.get(task_id)

    def forget(self, task_id: str) -> None:
        """Drop an entry (used to emulate a restart that also loses running jobs)."""
        self._entries.pop(task_id, None)
