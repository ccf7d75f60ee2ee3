"""When to poll a server next, from what the server itself says (pure arithmetic, no I/O).

Every task in flight on a server gets an expected end:

- running, with a progress `p` reported at `t`: `t + (1 - p) x d`, where `d` is the server's
  average job time (`/v1/stats`) scaled by the task's requested length; with no average yet,
  `start + (t - start) / p` (a task at 0.5 after 2 s ends at about 4 s);
- otherwise (queued, or a server that reports no progress): its start plus `d`. A task starts
  after the one sent before it to the same server (ACE-Step runs one job at a time), and no
  earlier than its place in the server's queue x `d` after it was submitted.

The server is then polled once just after the earliest expected end of its tasks (one bulk
`/query_result` for all of them), at the short cadence (`ACESTEP_POLL_MIN_SECONDS`) while that end
is just past, and with growing waits once it is long past, so a stuck task costs a few polls, not
hundreds. With nothing to go on (no average, no progress) the wait doubles from the minimum.
Every wait stays within `ACESTEP_POLL_MIN_SECONDS` .. `ACESTEP_POLL_MAX_SECONDS`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

ARRIVAL_MARGIN_S: Final = 0.1  # poll this long after an expected end (at most) ...
ARRIVAL_MARGIN_FRACTION: Final = 0.05  # ... or this share of the job's time, if less
LATE_WINDOW_S: Final = 1.5  # past an expected end by up to this much: the short cadence ...
LATE_WINDOW_FRACTION: Final = 0.25  # ... or this share of the job's time, if more
LATE_BACKOFF_FRACTION: Final = 0.5  # beyond the window: wait half as long as the task is late
MIN_PROGRESS: Final = 0.05  # below this, progress says too little about the end to divide by it


@dataclass(frozen=True)
class PollBounds:
    """The shortest and longest wait between two polls of one server."""

    minimum: float
    maximum: float

    def clamp(self, seconds: float) -> float:
        """`seconds` kept within the bounds."""
        return min(max(seconds, self.minimum), self.maximum)


@dataclass(frozen=True)
class TaskTiming:
    """What is known about one task in flight: from its submission and the latest poll."""

    submitted_at: datetime
    queue_position: int | None = None  # the server's answer at submit (1 = next to start)
    length_s: float | None = None  # requested audio length
    running_since: datetime | None = None  # the first poll that saw it running
    progress: float | None = None  # the latest progress it reported (0-1)
    progress_at: datetime | None = None  # when that progress was read


@dataclass(frozen=True)
class ServerPace:
    """A server's own pace: its average job time and the mean requested length behind it."""

    job_seconds: float | None
    reference_length_s: float | None = None

    def seconds_for(self, length_s: float | None) -> float | None:
        """Expected run time of a task asking for `length_s` seconds of audio."""
        if self.job_seconds is None:
            return None
        if not length_s or not self.reference_length_s:
            return self.job_seconds
        return self.job_seconds * length_s / self.reference_length_s


def expected_ends(tasks: Sequence[TaskTiming], pace: ServerPace) -> list[datetime | None]:
    """Each task's expected end (None where nothing is known), in the order given."""
    order = sorted(range(len(tasks)), key=lambda index: tasks[index].submitted_at)
    ends: list[datetime | None] = [None] * len(tasks)
    before: datetime | None = None  # expected end of the task sent just before
    for index in order:
        task = tasks[index]
        seconds = pace.seconds_for(task.length_s)
        end = _from_progress(task, seconds, first=before is None)
        if end is None and seconds is not None:
            end = _start(task, seconds, before) + timedelta(seconds=seconds)
        ends[index] = end
        before = end if end is not None else before
    return ends


def poll_wait(
    now: datetime,
    tasks: Sequence[TaskTiming],
    pace: ServerPace,
    bounds: PollBounds,
    *,
    previous_wait: float = 0.0,
) -> float:
    """Seconds until the server should be polled again, for the tasks in flight on it."""
    known = [
        (end, pace.seconds_for(task.length_s))
        for task, end in zip(tasks, expected_ends(tasks, pace), strict=True)
        if end is not None
    ]
    if not known:  # nothing to go on: double the wait, from the minimum
        return bounds.clamp(previous_wait * 2 if previous_wait else bounds.minimum)
    earliest, seconds = min(known, key=lambda pair: pair[0])
    margin = ARRIVAL_MARGIN_S
    if seconds is not None:
        margin = min(margin, ARRIVAL_MARGIN_FRACTION * seconds)
    wait = (earliest - now).total_seconds() + margin
    if wait > 0:
        return bounds.clamp(wait)
    late = -wait
    window = max(LATE_WINDOW_S, LATE_WINDOW_FRACTION * (seconds or 0.0))
    if late <= window:
        return bounds.minimum
    return bounds.clamp(LATE_BACKOFF_FRACTION * late)


def _from_progress(task: TaskTiming, seconds: float | None, *, first: bool) -> datetime | None:
    """The end a running task's reported progress points to, if it reported any."""
    progress, seen = task.progress, task.progress_at
    if progress is None or seen is None or not 0 < progress < 1:
        return None
    if seconds is not None:
        return seen + timedelta(seconds=(1 - progress) * seconds)
    if progress < MIN_PROGRESS:
        return None
    # No average yet: extrapolate from when it started. A task that was next in line on a
    # server with nothing of ours before it started when it was sent; otherwise when it was
    # first seen running (later than the truth, so the estimate errs late, never early).
    start = task.running_since
    if first and (task.queue_position or 1) <= 1:
        start = task.submitted_at
    if start is None or seen <= start:
        return None
    return start + (seen - start) / progress


def _start(task: TaskTiming, seconds: float, before: datetime | None) -> datetime:
    """When a task without progress began (or will begin) running."""
    if task.running_since is not None:
        if before is None:
            return task.running_since
        return min(max(before, task.submitted_at), task.running_since)
    ahead = max((task.queue_position or 1) - 1, 0)
    start = task.submitted_at + timedelta(seconds=ahead * seconds)
    return start if before is None else max(start, before)
