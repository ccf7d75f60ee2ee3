"""What the ACE-Step servers report about themselves, as plain records (pure, no I/O).

The engine's client fills them from `/v1/stats` and `/v1/models`; its health probe makes a
`ServerReport` per server; `/music status`, the Home tab and `acemusic doctor` show them.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ServerStats:
    """`/v1/stats`. `queued` includes phantom records left by rejected (429) submissions."""

    queued: int
    running: int
    succeeded: int
    failed: int
    total: int
    queue_size: int  # jobs waiting in the server's queue right now
    queue_maxsize: int  # 0 means unbounded
    avg_job_seconds: float  # mean run time of recent jobs (queue wait not included)


@dataclass(frozen=True)
class ModelList:
    """The DiT models a server offers, as bare names that `/release_task` accepts."""

    names: tuple[str, ...]
    default: str | None


@dataclass(frozen=True)
class ServerReport:
    """What one server said just now; `problem` is None when it answered every check."""

    name: str
    placeholder: bool
    problem: str | None
    service: str | None = None
    models: ModelList | None = None
    stats: ServerStats | None = None
    job_seconds: float | None = None

    @property
    def ok(self) -> bool:
        """Whether the server answered every check."""
        return self.problem is None
