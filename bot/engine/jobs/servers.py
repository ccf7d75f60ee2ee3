"""What the engine knows about each ACE-Step server: health, capacity, pace and models.

Nothing here is durable: after a restart it is all re-learnt within a tick or two. Job state, which
must survive, lives in the database.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.engine.acestep.client import AceStepClient, ModelList, ServerStats
from domain import constants as c

EWMA_WEIGHT = 0.3  # weight of the newest observation of a server's time per job
POLL_PACE_FACTOR = 1.5  # poll about every 1.5 jobs' time: one poll usually collects one or two


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
    expected_total: int | None = (
        None  # its /v1/stats job total, plus what it accepted from us since
    )
    duplicate_submissions: int = 0  # jobs sent again after a submission it may have taken

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

    def note_stats(self, stats: ServerStats, now: datetime) -> None:
        """Keep a fresh `/v1/stats` reading; its job total is the baseline for lost submissions."""
        self.stats = stats
        self.stats_at = now
        self.expected_total = stats.total

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

    def observe_poll(
        self, now: datetime, *, finished: int, busy: bool, bounds: "PollBounds"
    ) -> None:
        """Update the pace estimate from one poll and schedule the next one.

        While the server is busy, `finished` completions over the time since the previous poll
        measure its time per job. The next poll comes about 1.5 jobs' time later, so one poll
        usually collects one or two results; with no estimate yet, the wait doubles from the
        minimum, so a slow server is not polled needlessly and a fast one is found fast.
        """
        elapsed = (now - self.last_poll_at).total_seconds() if self.last_poll_at else 0.0
        self.last_poll_at = now
        if finished and busy and elapsed > 0:
            sample = elapsed / finished
            previous = self.job_seconds
            self.job_seconds = (
                sample if previous is None else EWMA_WEIGHT * sample + (1 - EWMA_WEIGHT) * previous
            )
        known = self.known_job_seconds
        if known is not None:
            interval = POLL_PACE_FACTOR * known
        else:
            interval = self.poll_interval_s * 2 if self.poll_interval_s else bounds.minimum
        self.completions_seen += finished
        self.poll_interval_s = bounds.clamp(interval)
        self.next_poll_at = now + timedelta(seconds=self.poll_interval_s)

    def poll_due(self, now: datetime) -> bool:
        """Whether this server's in-flight tasks should be polled now."""
        return self.next_poll_at is None or now >= self.next_poll_at

    def reset_poll_pace(self, now: datetime, bounds: "PollBounds") -> None:
        """Poll soon: a new task was just sent to an idle server."""
        self.poll_interval_s = bounds.minimum
        self.last_poll_at = now
        self.next_poll_at = now + timedelta(seconds=bounds.minimum)


@dataclass(frozen=True)
class PollBounds:
    """The shortest and longest wait between two polls of one server."""

    minimum: float
    maximum: float

    def clamp(self, seconds: float) -> float:
        """`seconds` kept within the bounds."""
        return min(max(seconds, self.minimum), self.maximum)
