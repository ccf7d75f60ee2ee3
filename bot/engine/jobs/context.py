"""What every engine step shares: database, servers, settings, clock and the audio pool."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bot.engine.audio.rules import AdherenceMode
from bot.engine.audio.workers import AudioWorkers
from bot.engine.jobs.events import EventBus
from bot.engine.jobs.servers import PollBounds, Server
from storage.database import Database


@dataclass(frozen=True)
class EngineConfig:
    """The engine's tunables (built from `Settings` by the composition root)."""

    output_dir: Path
    poll: PollBounds
    max_attempts: int = 3
    lost_task_grace_s: float = 300.0
    failover_s: float = 120.0
    server_error_limit: int = 10  # server errors on submit a job may meet before it fails
    qc_max_regenerations: int = 1
    qc_adherence: AdherenceMode = "warn"  # QC_ADHERENCE: what a tempo or key miss does
    loudness_target_lufs: float | None = None
    download_concurrency: int = 4
    model_cache_s: float = 600.0
    # Several workers on one database (PostgreSQL): each job is claimed by one worker for this
    # long, renewed every few seconds; an expired claim is taken over (`storage.claims`).
    shared_queue: bool = False
    claim_ttl_s: float = 30.0


@dataclass
class EngineContext:
    """Shared state of one running engine."""

    db: Database
    servers: list[Server]
    config: EngineConfig
    clock: Callable[[], datetime]
    events: EventBus = field(default_factory=EventBus)
    audio: AudioWorkers = field(default_factory=AudioWorkers.in_process)  # checks, delivery copies
    # this worker's name when several share the queue (`shared_queue`): its steps then handle
    # only the jobs it has claimed; None when one process runs the engine (the lease)
    claimant: str | None = None

    def server_named(self, name: str | None) -> Server | None:
        """The configured server with this name, if it is still configured."""
        return next((s for s in self.servers if s.name == name), None)

    def others_can_work(self, server: Server, now: datetime) -> bool:
        """Whether another server is answering and taking work."""
        return any(s is not server and s.healthy and s.accepts_work(now) for s in self.servers)

    def given_up(self, server: Server, now: datetime) -> bool:
        """Whether `server` has been silent past the failover time while another could work."""
        if server.down_since is None:
            return False
        if now - server.down_since < timedelta(seconds=self.config.failover_s):
            return False
        return self.others_can_work(server, now)
