"""What the engine knows about each ACE-Step server: health, capacity, pace and models.

Nothing here is durable: after a restart it is all re-learnt within a tick or two. Job state, which
must survive, lives in the database.
"""

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.engine.acestep.client import AceStepClient, ModelList, ServerStats
from bot.engine.jobs.pacing import PollBounds, ServerPace, TaskTiming, poll_wait
from domain import constants as c
from domain.records import JobRecord

__all__ = ["PollBounds", "Server"]

EWMA_WEIGHT = 0.3  # weight of the newest observation of a server's time per job


@dataclass(eq=False)
class Server:
    """One ACE-Step server and the engine's running picture of it."""

    client: AceStepClient
    capacity: int
    down_since: datetime | None = None
    retry_at: datetime | None = None
    backoff_s: float = c.UNHEALTHY_BACKOFF_MIN_S
    full_until: datetime | None = None
    last_error: str | None = None
    job_seconds: float | None = None  # measured time per job (EWMA), None until first observed
    next_poll_at: datetime | None = None
    poll_interval_s: float = 0.0
    stats: ServerStats | None = None
    stats_at: datetime | None = None
    models: ModelList | None = None
    models_at: datetime | None = None
    placeholder: bool = False  # the built-in stand-in: its audio is placeholder audio
    last_poll_at: datetime | None = None
    completions_seen: int = field(default=0)
    completions_at_stats: int = 0  # completions_seen when /v1/stats was last read
    last_end_seen_at: datetime | None = None  # the last poll that saw a task of ours end here
    expected_total: int | None = (
        None  # its /v1/stats job total, plus what it accepted from us since
    )
    duplicate_submissions: int = 0  # jobs sent again after a submission it may have taken
    # What polls reported of tasks in flight (by task id): when first seen running, and the
    # latest progress with its time. Kept in memory only; pruned to the tasks still in flight.
    running_seen: dict[str, datetime] = field(default_factory=dict)
    progress_seen: dict[str, tuple[float, datetime]] = field(default_factory=dict)
    # Requested lengths of our tasks that finished here, as many as the server averages over,
    # and their mean when its average job time was read: what that average is an average of.
    finished_lengths: deque[float] = field(
        default_factory=lambda: deque(maxlen=c.SERVER_AVG_WINDOW)
    )
    reference_length_s: float | None = None

    @property
    def name(self) -> str:
        """The server's address (or 'builtin'), as stored on jobs."""
        return self.client.name

    @property
    def healthy(self) -> bool:
        """Whether the last call to it got an answer."""
        return self.down_since is None

    def accepts_work(self, now: datetime) -> bool:
        """Whether new tasks may be sent now (answering, not in back-off, queue not full)."""
        if self.retry_at is not None and now < self.retry_at:
            return False
        return self.full_until is None or now >= self.full_until

    def mark_up(self) -> None:
        """Record a successful call."""
        self.down_since = self.retry_at = None
        self.backoff_s = c.UNHEALTHY_BACKOFF_MIN_S
        self.last_error = None

    def mark_down(self, now: datetime, reason: str) -> None:
        """Record a failed call; back off exponentially before trying it again."""
        if self.down_since is None:
            self.down_since = now
        self.retry_at = now + timedelta(seconds=self.backoff_s)
        self.backoff_s = min(self.backoff_s * 2, c.UNHEALTHY_BACKOFF_MAX_S)
        self.last_error = reason

    def stats_due(self, now: datetime) -> bool:
        """Whether `/v1/stats` should be read again: never read, half a minute old, or read
        before the server had an average job time while a task has ended here since."""
        if self.stats_at is None or now - self.stats_at > timedelta(seconds=c.STATS_REFRESH_S):
            return True
        if self.stats is None:  # the last read failed: try again at the usual pace
            return False
        no_average = self.stats.succeeded + self.stats.failed == 0
        return no_average and self.completions_seen > self.completions_at_stats

    def note_stats(self, stats: ServerStats, now: datetime) -> None:
        """Keep a fresh `/v1/stats` reading; its job total is the baseline for lost submissions."""
        self.stats = stats
        self.stats_at = now
        self.completions_at_stats = self.completions_seen
        self.expected_total = stats.total
        if self.finished_lengths:
            self.reference_length_s = sum(self.finished_lengths) / len(self.finished_lengths)

    def note_accepted(self) -> None:
        """A submission was accepted: the server's job total has grown by one."""
        if self.expected_total is not None:
            self.expected_total += 1

    def mark_full(self, now: datetime, retry_after_s: float | None) -> None:
        """The server answered 429: send nothing more until it has had time to drain."""
        wait = retry_after_s if retry_after_s is not None else self.estimated_job_seconds
        self.full_until = now + timedelta(seconds=max(wait, c.UNHEALTHY_BACKOFF_MIN_S))

    @property
    def known_job_seconds(self) -> float | None:
        """The server's own average run time once it has run jobs, else our measurement."""
        if self.stats is not None and self.stats.succeeded + self.stats.failed > 0:
            return self.stats.avg_job_seconds
        return self.job_seconds

    @property
    def estimated_job_seconds(self) -> float:
        """Best guess of one job's run time, falling back to the server's 5 s default."""
        known = self.known_job_seconds
        return c.SERVER_DEFAULT_AVG_JOB_S if known is None else known

    @property
    def pace(self) -> ServerPace:
        """Its average job time and the requested length it stands for (`pacing`)."""
        return ServerPace(self.known_job_seconds, self.reference_length_s)

    def note_progress(
        self, task_id: str, now: datetime, *, running: bool, progress: float | None
    ) -> None:
        """Remember what a poll said of a task still in flight."""
        if running:
            self.running_seen.setdefault(task_id, now)
        if progress is not None and progress > 0:
            self.progress_seen[task_id] = (progress, now)

    def note_finished(self, job: JobRecord, now: datetime) -> None:
        """A task of ours ended here, seen by the poll at `now`.

        Its run time is measured from when it can have started at the earliest (sent, first seen
        running, or the end of the task before it) to now: the engine's own estimate of the
        server's pace until the server reports one. Its length joins what that average covers.
        """
        task_id = job.task_id or ""
        starts = [job.submitted_at, self.running_seen.pop(task_id, None), self.last_end_seen_at]
        start = max((moment for moment in starts if moment is not None), default=None)
        self.progress_seen.pop(task_id, None)
        if start is not None and now > start:
            sample = (now - start).total_seconds()
            previous = self.job_seconds
            self.job_seconds = (
                sample if previous is None else EWMA_WEIGHT * sample + (1 - EWMA_WEIGHT) * previous
            )
        self.completions_seen += 1
        length = requested_length(job)
        if length:
            self.finished_lengths.append(length)

    def timing(self, job: JobRecord, now: datetime) -> TaskTiming:
        """A job's task on this server as the poll scheduler sees it (`pacing`)."""
        task_id = job.task_id or ""
        progress, seen = self.progress_seen.get(task_id, (None, None))
        return TaskTiming(
            submitted_at=job.submitted_at or now,
            queue_position=job.queue_position,
            length_s=requested_length(job),
            running_since=self.running_seen.get(task_id),
            progress=progress,
            progress_at=seen,
        )

    def observe_poll(
        self,
        now: datetime,
        *,
        finished: int,
        bounds: PollBounds,
        tasks: Sequence[tuple[str, TaskTiming]] = (),
    ) -> None:
        """Note one poll and schedule the next one.

        The next poll is planned from the tasks still in flight (`pacing.poll_wait`): just after
        the earliest expected end; with nothing known, the wait doubles from the minimum.
        """
        self.last_poll_at = now
        if finished:
            self.last_end_seen_at = now
        in_flight = {task_id for task_id, _ in tasks}
        for seen in (self.running_seen, self.progress_seen):
            for task_id in [task_id for task_id in seen if task_id not in in_flight]:
                del seen[task_id]
        self.plan_next_poll(now, [timing for _, timing in tasks], bounds)

    def plan_next_poll(
        self, now: datetime, tasks: Sequence[TaskTiming], bounds: PollBounds
    ) -> None:
        """Set the next poll from the tasks in flight (`pacing.poll_wait`)."""
        wait = poll_wait(now, tasks, self.pace, bounds, previous_wait=self.poll_interval_s)
        self.poll_interval_s = wait
        self.next_poll_at = now + timedelta(seconds=wait)

    def poll_due(self, now: datetime) -> bool:
        """Whether this server's in-flight tasks should be polled now."""
        return self.next_poll_at is None or now >= self.next_poll_at

    def reset_poll_pace(
        self, now: datetime, bounds: PollBounds, task: TaskTiming | None = None
    ) -> None:
        """A new task was just sent to an idle server: poll when it should be done (or soon)."""
        self.poll_interval_s = 0.0
        self.last_poll_at = now
        self.plan_next_poll(now, [task] if task is not None else [], bounds)


def requested_length(job: JobRecord) -> float | None:
    """A job's requested audio length in seconds (None if its request has none)."""
    value = job.request.get("duration_s")
    return float(value) if isinstance(value, int | float) and value > 0 else None
