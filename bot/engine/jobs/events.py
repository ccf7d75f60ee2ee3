"""In-memory notifications of job progress, for live displays (console lines, Slack cards).

Best effort by design: a listener that fails is logged and skipped, and nothing here is needed for
correctness — the database holds the truth, and a restarted process re-reads it.
"""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from domain.records import JobRecord, TrackRecord

log = logging.getLogger(__name__)


class JobEventKind(StrEnum):
    """What just happened to a job."""

    QUEUED = "queued"  # stored, waiting for a server
    SUBMITTED = "submitted"  # a server accepted the task
    PROGRESS = "progress"  # the server reported progress or a new stage
    REQUEUED = "requeued"  # sent back to the queue (retry, lost task, failover, top-up)
    DOWNLOADING = "downloading"  # generation finished; fetching and checking files
    DONE = "done"  # every track is stored
    FAILED = "failed"  # gave up; the job's `error` says why
    CANCELLED = "cancelled"  # cancelled by a person


@dataclass(frozen=True)
class JobEvent:
    """One change to one job, with the tracks it produced when it is done."""

    kind: JobEventKind
    job: JobRecord
    tracks: tuple[TrackRecord, ...] = ()
    message: str | None = None


Listener = Callable[[JobEvent], Awaitable[None]]


class EventBus:
    """Fan-out of job events to subscribed listeners."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add a listener; returns a function that removes it again."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def emit(self, event: JobEvent) -> None:
        """Tell every listener, in order; one listener's failure never stops the others."""
        for listener in list(self._listeners):
            try:
                await listener(event)
            except Exception:
                log.exception("job event listener failed on %s of job %s", event.kind, event.job.id)
