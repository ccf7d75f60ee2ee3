"""Plain, immutable records that storage hands to the rest of the product.

SQLAlchemy stays inside `storage/`: callers get these dataclasses, never ORM instances, so nothing
outside this package can trigger a lazy load or hold a session open by accident.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NotRequired, TypedDict

from domain.analysis import Adherence, TrackAnalysis
from domain.approvals import Decision
from domain.request import GenerationRequest


class JobStatus(StrEnum):
    """Where a job is. The database is the queue: these values are the only state there is."""

    QUEUED = "queued"  # accepted and stored; waiting for a server with free capacity
    SUBMITTED = "submitted"  # a server accepted it and gave a task id; waiting in its queue
    RUNNING = "running"  # the server reports it is generating
    DOWNLOADING = "downloading"  # done on the server; files being fetched and checked
    DONE = "done"  # every track stored (some may carry audio-check warnings)
    FAILED = "failed"  # gave up; `error` says why in plain words
    CANCELLED = "cancelled"  # someone cancelled it; results arriving later are ignored

    @property
    def finished(self) -> bool:
        """Whether the job will never change again."""
        return self in TERMINAL_STATUSES

    @property
    def on_server(self) -> bool:
        """Whether a task id on some server currently belongs to this job."""
        return self in (JobStatus.SUBMITTED, JobStatus.RUNNING)


TERMINAL_STATUSES = frozenset({JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED})
UNFINISHED_STATUSES = frozenset(set(JobStatus) - TERMINAL_STATUSES)


class BatchStatus(StrEnum):
    """Where a batch is: running until every job has finished, then settled once."""

    RUNNING = "running"  # some jobs are still unfinished (or the batch is not settled yet)
    DONE = "done"  # every job finished; summary and reports written
    CANCELLED = "cancelled"  # someone cancelled it; its summary covers what was made


class ScheduleStatus(StrEnum):
    """Whether a schedule runs."""

    ACTIVE = "active"  # runs at its fire times
    PAUSED = "paused"  # kept, but skips its fire times until resumed
    DELETED = "deleted"  # unscheduled; kept for the record, never runs again


class TrackPostState(StrEnum):
    """How far posting one track into Slack has got (the publisher's outbox)."""

    PENDING = "pending"  # waiting to be uploaded (first time, or again after a failure)
    UPLOADING = "uploading"  # Slack gave a file id: the bytes may be there, maybe not shared yet
    SHARED = "shared"  # shared into the thread; the message's ts is not known yet
    RESOLVED = "resolved"  # in the thread with its message ts (reactions on it are ratings)
    FAILED = "failed"  # Slack refused it too often, or its file is gone: shown as not posted


POSTED_STATES = frozenset({TrackPostState.SHARED, TrackPostState.RESOLVED})  # in the thread
SETTLED_POST_STATES = POSTED_STATES | {TrackPostState.FAILED}  # nothing more will happen


class MessageKind(StrEnum):
    """What a Slack message the bot posted is to it."""

    CARD = "card"  # a job's status card
    TRACK = "track"  # a track posted in a thread (reactions on it are ratings)
    BATCH = "batch"  # a batch's digest


@dataclass(frozen=True, slots=True)
class JobRecord:
    """A request for `variants` tracks, and everything learned while making them."""

    id: int
    status: JobStatus
    priority: int
    request: dict[str, Any]
    origin: str
    created_at: datetime
    updated_at: datetime
    requested_by: str | None = None
    channel_id: str | None = None
    thread_ts: str | None = None
    parent_track_id: int | None = None
    batch_id: int | None = None
    server: str | None = None
    task_id: str | None = None
    queue_position: int | None = None
    submitted_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    not_before: datetime | None = None
    last_known_at: datetime | None = None
    unknown_polls: int = 0
    submissions: int = 0
    failures: int = 0
    lost_count: int = 0
    qc_regenerations: int = 0
    server_errors: int = 0  # submissions a server answered with an error (held, not failed)
    duplicate_submissions: int = 0  # resent after a submission the server may have taken
    doubt_server: str | None = None  # a submission to this server timed out: did it arrive?
    doubt_total: int | None = None  # that server's /v1/stats job total just before it
    progress: float | None = None
    stage: str | None = None
    payload_sent: dict[str, Any] | None = None
    enhancement: dict[str, Any] | None = None
    result: list[dict[str, Any]] | None = None
    error: str | None = None
    error_detail: str | None = None
    cancel_requested: bool = False
    notes: list[str] = field(default_factory=list)
    claimed_by: str | None = None  # the engine worker driving it (several workers, PostgreSQL)
    reserved_server: str | None = None  # being sent there by that worker right now

    @property
    def variants(self) -> int:
        """How many tracks this job should end with."""
        return int(self.request.get("variants", 1))

    @property
    def generation(self) -> GenerationRequest:
        """The job's request, typed: the one place the stored JSON becomes a GenerationRequest
        (it was written from one, so it validates)."""
        return GenerationRequest.model_validate(self.request)


@dataclass(frozen=True, slots=True)
class TrackRecord:
    """One audio file, with the full provenance of how it was made."""

    id: int
    job_id: int
    variant: int
    file_path: str
    file_size: int
    audio_format: str
    created_at: datetime
    server: str
    task_id: str
    caption: str
    lyrics: str
    metas: dict[str, Any]
    request_sent: dict[str, Any]
    seed: str | None = None
    lm_model: str | None = None
    dit_model: str | None = None
    generation_info: str | None = None
    remote_file: str | None = None
    duration_s: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    submitted_at: datetime | None = None
    generated_at: datetime | None = None
    downloaded_at: datetime | None = None
    qc_verdict: str | None = None
    qc: dict[str, Any] | None = None
    qc_problems: list[str] = field(default_factory=list)
    rejected: bool = False
    placeholder: bool = False
    delivery_path: str | None = None
    approval: Decision | None = None  # the newest decision not undone (domain.approvals)
    approval_by: str | None = None
    approval_at: datetime | None = None
    analysis: TrackAnalysis | None = None  # what the audio analysis measured (domain.analysis)
    adherence: Adherence | None = None  # asked against measured


@dataclass(frozen=True, slots=True)
class RatingRecord:
    """One person's reaction to one track."""

    id: int
    track_id: int
    user_id: str
    emoji: str
    score: float
    created_at: datetime


@dataclass(frozen=True, slots=True)
class BatchRecord:
    """A group of jobs made together from a preset or a manifest."""

    id: int
    name: str
    status: BatchStatus
    requested_count: int
    origin: str
    created_at: datetime
    preset_id: str | None = None
    seed: int | None = None
    requested_by: str | None = None
    channel_id: str | None = None
    finished_at: datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)
    evaluation_id: int | None = None  # the listening session whose candidates it makes


@dataclass(frozen=True, slots=True)
class SlackCardRecord:
    """Where a job's status card is in Slack and what it last showed."""

    job_id: int
    channel_id: str
    thread_ts: str | None
    ts: str | None
    rendered: str | None
    rendered_at: datetime | None
    final: bool
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None

    @property
    def thread_root(self) -> str | None:
        """The ts replies to this card go under: its thread's root, or the card itself."""
        return self.thread_ts or self.ts


@dataclass(frozen=True, slots=True)
class BatchDigestRecord:
    """Where a batch's digest message is in Slack and what it last showed."""

    batch_id: int
    channel_id: str
    ts: str | None
    rendered: str | None
    rendered_at: datetime | None
    final: bool
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class TrackPostRecord:
    """How far posting one track to Slack has got."""

    track_id: int
    job_id: int
    channel_id: str
    thread_ts: str | None
    state: TrackPostState
    file_id: str | None
    message_ts: str | None
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class SlackMessageRecord:
    """What one Slack message is to the bot."""

    channel_id: str
    ts: str
    kind: MessageKind
    job_id: int | None
    track_id: int | None
    batch_id: int | None
    thread_ts: str | None


@dataclass(frozen=True, slots=True)
class PendingReactionRecord:
    """A reaction waiting for its message to be matched to a track."""

    id: int
    channel_id: str
    ts: str
    user_id: str
    emoji: str
    added: bool


@dataclass(frozen=True, slots=True)
class ScheduleRecord:
    """A batch that runs by itself at set times."""

    id: int
    channel_id: str
    created_by: str
    created_at: datetime
    expression: str
    timezone: str
    batch_text: str
    description: str
    status: ScheduleStatus
    next_run_at: datetime | None
    last_run_at: datetime | None
    last_batch_id: int | None
    runs: int
    max_tracks_per_run: int
    last_problem: str | None


# --- What the storage functions take as columns (keyword arguments, checked by mypy) ---


class NewTrack(TypedDict):
    """The columns of a new track row besides its key (`storage.tracks.add_track`)."""

    file_path: str
    file_size: int
    audio_format: str
    server: str
    task_id: str
    caption: str
    lyrics: str
    metas: dict[str, Any]
    request_sent: dict[str, Any]
    seed: NotRequired[str | None]
    lm_model: NotRequired[str | None]
    dit_model: NotRequired[str | None]
    generation_info: NotRequired[str | None]
    remote_file: NotRequired[str | None]
    duration_s: NotRequired[float | None]
    sample_rate: NotRequired[int | None]
    channels: NotRequired[int | None]
    submitted_at: NotRequired[datetime | None]
    generated_at: NotRequired[datetime | None]
    downloaded_at: NotRequired[datetime | None]
    qc_verdict: NotRequired[str | None]
    qc: NotRequired[dict[str, Any] | None]
    qc_problems: NotRequired[list[str]]
    rejected: NotRequired[bool]
    placeholder: NotRequired[bool]
    delivery_path: NotRequired[str | None]
    analysis: NotRequired[TrackAnalysis | None]
    adherence: NotRequired[Adherence | None]


class JobChanges(TypedDict, total=False):
    """Columns of a job that `storage.jobs.update_job` may set."""

    status: JobStatus
    priority: int
    request: dict[str, Any]
    requested_by: str | None
    channel_id: str | None
    thread_ts: str | None
    parent_track_id: int | None
    batch_id: int | None
    server: str | None
    task_id: str | None
    queue_position: int | None
    submitted_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    not_before: datetime | None
    last_known_at: datetime | None
    unknown_polls: int
    submissions: int
    failures: int
    lost_count: int
    qc_regenerations: int
    server_errors: int
    duplicate_submissions: int
    doubt_server: str | None
    doubt_total: int | None
    reserved_server: str | None
    progress: float | None
    stage: str | None
    payload_sent: dict[str, Any] | None
    enhancement: dict[str, Any] | None
    result: list[dict[str, Any]] | None
    error: str | None
    error_detail: str | None
    cancel_requested: bool
    notes: list[str]


class TrackChanges(TypedDict, total=False):
    """Columns of a track that `storage.tracks.update_track` may set."""

    file_path: str
    file_size: int
    audio_format: str
    duration_s: float | None
    sample_rate: int | None
    channels: int | None
    downloaded_at: datetime | None
    qc_verdict: str | None
    qc: dict[str, Any] | None
    qc_problems: list[str]
    rejected: bool
    delivery_path: str | None


class CardChanges(TypedDict, total=False):
    """Columns of a status card that `storage.slack.update_card` may set."""

    thread_ts: str | None
    ts: str | None
    rendered: str | None
    rendered_at: datetime | None
    final: bool
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None


class TrackPostChanges(TypedDict, total=False):
    """Columns of a track post that `storage.slack.update_track_post` may set."""

    state: TrackPostState
    file_id: str | None
    message_ts: str | None
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None


class DigestChanges(TypedDict, total=False):
    """Columns of a batch digest that `storage.slack_digests.update_digest` may set."""

    ts: str | None
    rendered: str | None
    rendered_at: datetime | None
    final: bool
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None


class BatchDetailChanges(TypedDict, total=False):
    """Keys `storage.batches.update_details` may merge into a batch's details."""

    job_tags: dict[str, list[str]]  # job id -> the manifest row's tags
    job_rows: dict[str, int]  # job id -> the manifest row it came from
