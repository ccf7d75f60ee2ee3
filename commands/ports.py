"""What commands need from the running bot, and nothing more: the narrow interface they depend on.

Commands never import the runtime (`bot`). They receive a `CommandServices`: the database (for
the storage functions), the preset library, the `CommandPolicy` (the handful of settings they
read), the job queue and the ACE-Step servers' reports. The composition root's
`bot.services.Services` satisfies it structurally; mypy checks that wherever an entry point
passes one in, and tests may pass any object of the same shape.
"""

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from commands.parsing import GenerationDefaults
from domain.analysis import TrackAnalysis
from domain.catalogue import ExportFilter, ExportResult
from domain.estimates import BatchEstimate
from domain.records import JobRecord
from domain.references import StoredReference
from domain.request import GenerationRequest
from domain.servers import ServerReport
from presets.library import PresetLibrary
from storage.database import Database


@dataclass(frozen=True)
class CommandPolicy:
    """The settings commands read, built from `Settings` by the composition root."""

    defaults: GenerationDefaults  # what a request gets for whatever it leaves out
    batch_max_tracks: int  # BATCH_MAX_TRACKS: one batch or manifest, refused above
    batch_confirm_tracks: int  # BATCH_CONFIRM_TRACKS: larger batches need a confirmation
    gpu_cost_per_hour: float | None  # GPU_COST_PER_HOUR, for estimates (None: not set)
    schedule_max_tracks: int  # SCHEDULE_MAX_TRACKS: per run of one schedule
    schedule_timezone: str  # SCHEDULE_TIMEZONE: when a schedule names no tz=
    schedule_min_interval_minutes: float  # SCHEDULE_MIN_INTERVAL_MINUTES
    daily_track_quota: int  # DAILY_TRACK_QUOTA (0: no limit)
    schedule_daily_track_quota: int  # SCHEDULE_DAILY_TRACK_QUOTA (0: runs use the above)
    admin_users: tuple[str, ...] = ()  # SLACK_ADMIN_USERS
    approver_users: tuple[str, ...] = ()  # SLACK_APPROVER_USERS (admins approve too)
    batch_post_all_max: int = 40  # BATCH_POST_ALL_MAX: larger batches post a listening sample
    batch_sample_tracks: int = 2  # BATCH_SAMPLE_TRACKS: sampled per preset or manifest row
    allowed_users: tuple[str, ...] = ()  # SLACK_ALLOWED_USERS (empty: everyone)
    schedule_users: tuple[str, ...] = ()  # SLACK_SCHEDULE_USERS (empty: everyone allowed)
    allowed_channels: tuple[str, ...] = ()  # SLACK_ALLOWED_CHANNELS (empty: every channel)
    incumbent_cost_per_track: float = 0.058  # INCUMBENT_COST_PER_TRACK (USD), listening reports
    output_dir: Path = Path("outputs")  # OUTPUT_DIR: listening-test reports go to eval/<session>/


class JobQueue(Protocol):
    """The job engine's operations commands use."""

    async def enqueue(
        self,
        request: GenerationRequest,
        *,
        origin: str,
        requested_by: str | None = None,
        channel_id: str | None = None,
        thread_ts: str | None = None,
        parent_track_id: int | None = None,
        notes: Collection[str] = (),
    ) -> JobRecord:
        """Store a new job and wake the engine."""
        ...

    async def cancel(self, job_id: int) -> JobRecord | None:
        """Cancel an unfinished job; None when it does not exist or has already finished."""
        ...

    async def cancel_batch(self, batch_id: int) -> int:
        """Cancel every unfinished job of a batch; how many were cancelled."""
        ...

    async def estimate_wait(self, ahead: int) -> float | None:
        """Seconds until a job with `ahead` queued jobs before it would be done (None: unknown)."""
        ...

    def wake(self) -> None:
        """Look for work now (jobs were stored)."""
        ...


class ServerFleet(Protocol):
    """What commands ask of the ACE-Step servers: reports, estimates, the models offered."""

    async def probe(self) -> list[ServerReport]:
        """Every server's health, models and queue figures, asked now."""
        ...

    async def estimate_batch(
        self, *, tracks: int, jobs: int, cost_per_hour: float | None
    ) -> BatchEstimate:
        """GPU time, wall time and cost of `jobs` jobs making `tracks` tracks."""
        ...

    async def model_problem(self, wanted: str) -> str | None:
        """Why no server offers the model `wanted`, or None (also when none answers)."""
        ...


class ReferenceFiles(Protocol):
    """Where listening-test references are checked and copied (commands never open audio)."""

    async def store(
        self, source: Path | bytes, *, name: str, root: Path | None = None
    ) -> StoredReference:
        """Check a file (on disk: inside `root`, symlinks resolved; at most 50 MB; decodable
        audio) and copy it under its content hash. Raises `domain.references.ReferenceRefused`
        with a message for people."""
        ...

    async def analyse(self, path: Path) -> TrackAnalysis | None:
        """The stored reference's measured tempo and key (`domain.analysis.TrackAnalysis`); None
        when no analyser is wired or the file could not be measured (never raises)."""
        ...


class CatalogueExports(Protocol):
    """Delivery files and the catalogue manifest (commands never open audio)."""

    @property
    def default_folder(self) -> Path:
        """Where exports go unless told otherwise (CATALOGUE_DIR, else OUTPUT_DIR/catalogue)."""
        ...

    async def export(self, selection: ExportFilter, folder: Path | None = None) -> ExportResult:
        """Write the selection's delivery files and manifest into `folder`; raises
        `domain.catalogue.ExportError` with a message for people when the folder cannot take
        them."""
        ...


class CommandServices(Protocol):
    """Everything a command handler may use."""

    @property
    def db(self) -> Database:
        """The database the storage functions take."""
        ...

    @property
    def presets(self) -> PresetLibrary:
        """The venue presets."""
        ...

    @property
    def policy(self) -> CommandPolicy:
        """The settings commands read."""
        ...

    @property
    def engine(self) -> JobQueue:
        """The job queue."""
        ...

    @property
    def fleet(self) -> ServerFleet:
        """The ACE-Step servers' reports and estimates."""
        ...

    @property
    def references(self) -> ReferenceFiles:
        """The listening test's reference files."""
        ...

    @property
    def catalogue(self) -> CatalogueExports:
        """The playout catalogue's exports."""
        ...

    @property
    def placeholder_engine(self) -> bool:
        """Whether tracks may come from the built-in stand-in (placeholder audio)."""
        ...
