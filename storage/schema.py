"""ORM tables. The migrations in `storage/migrations/versions` create exactly these."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from domain.analysis import Adherence, TrackAnalysis
from domain.approvals import ApprovalSource, Decision
from domain.evaluations import EvalStatus, PairState, Side
from domain.records import (
    BatchStatus,
    JobStatus,
    MessageKind,
    ScheduleStatus,
    TrackPostState,
)
from storage._provenance import pack_json, provenance_at, unpack_json

STATS_INDEX_COLUMNS = (
    "created_at", "job_id", "placeholder", "preset_id", "dit_model_name", "lm_model_name",
    "approval", "approval_by", "qc_verdict",
)  # fmt: skip


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (the only kind of time stored)."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Stores aware UTC datetimes and returns them aware, on SQLite too (which keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use storage.schema.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


E = TypeVar("E", bound=StrEnum)


class StateColumn(TypeDecorator[E]):
    """A state enum stored as its plain string (the column stays a VARCHAR: no migration) and
    read back as the enum; a value the enum does not know is refused before it is written."""

    impl = String(16)
    cache_ok = True

    def __init__(self, enum: type[E]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


class PackedJson(TypeDecorator[dict[str, Any]]):
    """A JSON document stored as bytes, zlib-compressed when large (`storage._provenance`)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: dict[str, Any] | None, dialect: Dialect) -> bytes | None:
        return None if value is None else pack_json(value)

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> dict[str, Any] | None:
        return None if value is None else unpack_json(value)


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Job(Base):
    """A request for N variants; the row is the queue entry and the whole history of the job."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[JobStatus] = mapped_column(
        StateColumn(JobStatus), index=True, default=JobStatus.QUEUED
    )
    priority: Mapped[int] = mapped_column(Integer, default=0)
    request: Mapped[dict[str, Any]] = mapped_column(PackedJson())
    origin: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    requested_by: Mapped[str | None] = mapped_column(String(64))
    channel_id: Mapped[str | None] = mapped_column(String(64))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    parent_track_id: Mapped[int | None] = mapped_column(
        ForeignKey("tracks.id", use_alter=True, name="fk_jobs_parent_track")
    )
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True)
    server: Mapped[str | None] = mapped_column(String(255))
    task_id: Mapped[str | None] = mapped_column(String(64))
    queue_position: Mapped[int | None]
    submitted_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    not_before: Mapped[datetime | None]
    last_known_at: Mapped[datetime | None]
    unknown_polls: Mapped[int] = mapped_column(default=0)
    submissions: Mapped[int] = mapped_column(default=0)
    failures: Mapped[int] = mapped_column(default=0)
    lost_count: Mapped[int] = mapped_column(default=0)
    qc_regenerations: Mapped[int] = mapped_column(default=0)
    server_errors: Mapped[int] = mapped_column(default=0)
    duplicate_submissions: Mapped[int] = mapped_column(default=0)
    doubt_server: Mapped[str | None] = mapped_column(String(255))
    doubt_total: Mapped[int | None]
    progress: Mapped[float | None] = mapped_column(Float)
    stage: Mapped[str | None] = mapped_column(String(255))
    payload_sent: Mapped[dict[str, Any] | None] = mapped_column(PackedJson())
    enhancement: Mapped[dict[str, Any] | None]
    # the current task's result, stored once in task_results (tracks of the task point there too)
    result_id: Mapped[int | None] = mapped_column(
        ForeignKey("task_results.id", use_alter=True, name="fk_jobs_result")
    )
    error: Mapped[str | None] = mapped_column(Text)
    error_detail: Mapped[str | None] = mapped_column(Text)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[list[Any]] = mapped_column(default=list)
    # Several workers (PostgreSQL): who drives the job, until when, and the server it is being
    # submitted to right now (counted against that server's capacity until its task id is stored)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_until: Mapped[datetime | None]
    reserved_server: Mapped[str | None] = mapped_column(String(255))
    source: Mapped["TaskResult | None"] = relationship(foreign_keys=[result_id], lazy="joined")

    @property
    def result(self) -> list[Any] | None:
        """The raw result of the job's current task (None until it finished)."""
        return None if self.source is None else list(self.source.document["result"])


class TaskResult(Base):
    """What one task of a job was sent and what the server answered, stored once per task: the
    request and the raw result items, in one compressed document (`storage._provenance`)."""

    __tablename__ = "task_results"
    __table_args__ = (UniqueConstraint("job_id", "task_id", name="uq_task_results_job_task"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"))
    task_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    document: Mapped[dict[str, Any]] = mapped_column(PackedJson())


class Track(Base):
    """One audio file. (job_id, variant) is unique, so a file is never recorded twice."""

    __tablename__ = "tracks"
    __table_args__ = (
        UniqueConstraint("job_id", "variant", name="uq_tracks_job_variant"),
        # covers `storage.stats`: the period first, then every column it groups or counts
        Index("ix_tracks_stats", *STATS_INDEX_COLUMNS),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    variant: Mapped[int]
    file_path: Mapped[str] = mapped_column(String(1024))
    file_size: Mapped[int]
    audio_format: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    server: Mapped[str] = mapped_column(String(255))
    task_id: Mapped[str] = mapped_column(String(64))
    # caption, lyrics, metas, request_sent, models, generation info and remote file: read from
    # the task's stored result (item `result_index`; see storage._provenance)
    source_id: Mapped[int] = mapped_column(ForeignKey("task_results.id"))
    result_index: Mapped[int]
    seed: Mapped[str | None] = mapped_column(String(255))
    duration_s: Mapped[float | None] = mapped_column(Float)
    sample_rate: Mapped[int | None]
    channels: Mapped[int | None]
    submitted_at: Mapped[datetime | None]
    generated_at: Mapped[datetime | None]
    downloaded_at: Mapped[datetime | None]
    qc_verdict: Mapped[str | None] = mapped_column(String(8))
    qc: Mapped[dict[str, Any] | None]
    qc_problems: Mapped[list[Any]] = mapped_column(default=list)
    rejected: Mapped[bool] = mapped_column(Boolean, default=False)
    placeholder: Mapped[bool] = mapped_column(Boolean, default=False)
    delivery_path: Mapped[str | None] = mapped_column(String(1024))
    # the newest approval decision not undone (a copy of track_approvals, for filtering)
    approval: Mapped[Decision | None] = mapped_column(StateColumn(Decision), index=True)
    approval_by: Mapped[str | None] = mapped_column(String(64))
    approval_at: Mapped[datetime | None]
    # copies for grouping (`storage.stats`), written when the track is recorded: the job's preset
    # and the models named in the track's provenance (what `dit_model` / `lm_model` read)
    preset_id: Mapped[str | None] = mapped_column(String(64))
    dit_model_name: Mapped[str | None] = mapped_column(String(255))
    lm_model_name: Mapped[str | None] = mapped_column(String(255))
    # what the audio analysis measured (domain.analysis.TrackAnalysis; None before migration 0014
    # and where it could not run) and how that compares with the request (Adherence)
    analyser: Mapped[str | None] = mapped_column(String(64))
    measured_bpm: Mapped[float | None] = mapped_column(Float)
    bpm_confidence: Mapped[float | None] = mapped_column(Float)
    measured_key: Mapped[str | None] = mapped_column(String(16))
    key_confidence: Mapped[float | None] = mapped_column(Float)
    rolloff_hz: Mapped[float | None] = mapped_column(Float)
    hf_energy_ratio: Mapped[float | None] = mapped_column(Float)
    loudness_range_lu: Mapped[float | None] = mapped_column(Float)
    asked_bpm: Mapped[float | None] = mapped_column(Float)
    folded_bpm: Mapped[float | None] = mapped_column(Float)
    tempo_ok: Mapped[bool | None] = mapped_column(Boolean)
    asked_key: Mapped[str | None] = mapped_column(String(16))
    adherent_key: Mapped[str | None] = mapped_column(String(16))
    key_ok: Mapped[bool | None] = mapped_column(Boolean)
    asked_duration_s: Mapped[float | None] = mapped_column(Float)
    length_ok: Mapped[bool | None] = mapped_column(Boolean)
    obeys: Mapped[bool | None] = mapped_column(Boolean)  # Adherence.obeys, for grouping
    source: Mapped[TaskResult] = relationship(lazy="joined")

    @property
    def analysis(self) -> TrackAnalysis | None:
        """What the audio analysis measured, or None when it has not run."""
        if self.analyser is None:
            return None
        return TrackAnalysis(
            analyser=self.analyser,
            tempo_bpm=self.measured_bpm,
            tempo_confidence=self.bpm_confidence,
            key=self.measured_key,
            key_confidence=self.key_confidence,
            rolloff_hz=self.rolloff_hz,
            hf_energy_ratio=self.hf_energy_ratio,
            loudness_range_lu=self.loudness_range_lu,
        )

    @property
    def adherence(self) -> Adherence | None:
        """Asked against measured, or None when it has not been judged."""
        if self.obeys is None:
            return None
        return Adherence(
            asked_bpm=self.asked_bpm,
            measured_bpm=self.folded_bpm,
            tempo_ok=self.tempo_ok,
            asked_key=self.asked_key,
            measured_key=self.adherent_key,
            key_ok=self.key_ok,
            asked_duration_s=self.asked_duration_s,
            measured_duration_s=self.duration_s,
            length_ok=self.length_ok,
        )

    def provenance(self) -> dict[str, Any]:
        """Caption, lyrics, metas, request sent, models, generation info, remote file."""
        return provenance_at(self.source.document, self.result_index)

    @property
    def caption(self) -> str:
        """The caption the file was made from."""
        return str(self.provenance()["caption"])

    @property
    def lyrics(self) -> str:
        """The lyrics the file was made from."""
        return str(self.provenance()["lyrics"])

    @property
    def metas(self) -> dict[str, Any]:
        """The server's metadata of the file (bpm, key, duration …)."""
        return dict(self.provenance()["metas"])

    @property
    def request_sent(self) -> dict[str, Any]:
        """The request body sent to the server."""
        return dict(self.provenance()["request_sent"])

    @property
    def lm_model(self) -> str | None:
        """The language model the server used."""
        return self.provenance()["lm_model"]  # type: ignore[no-any-return]

    @property
    def dit_model(self) -> str | None:
        """The music model the server used."""
        return self.provenance()["dit_model"]  # type: ignore[no-any-return]

    @property
    def generation_info(self) -> str | None:
        """The server's generation report."""
        return self.provenance()["generation_info"]  # type: ignore[no-any-return]

    @property
    def remote_file(self) -> str | None:
        """Where the server served the file."""
        return self.provenance()["remote_file"]  # type: ignore[no-any-return]


class Rating(Base):
    """One reaction by one person on one track; removing the reaction deletes the row."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("track_id", "user_id", "emoji", name="uq_ratings_track_user_emoji"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    emoji: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrackApproval(Base):
    """One approval decision about one track (history: rows are never deleted; an undone
    decision keeps its row with `undone_at`)."""

    __tablename__ = "track_approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"), index=True)
    decision: Mapped[Decision] = mapped_column(StateColumn(Decision))
    user_id: Mapped[str] = mapped_column(String(64))
    source: Mapped[ApprovalSource] = mapped_column(StateColumn(ApprovalSource))
    forced: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[str | None] = mapped_column(String(64))


class ApprovalNotice(Base):
    """A private notice about approval reactions already given (each is given once, ever)."""

    __tablename__ = "approval_notices"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    told_at: Mapped[datetime] = mapped_column(default=utcnow)


class Batch(Base):
    """A group of jobs made together."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    status: Mapped[BatchStatus] = mapped_column(StateColumn(BatchStatus))
    requested_count: Mapped[int]
    origin: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    preset_id: Mapped[str | None] = mapped_column(String(64))
    seed: Mapped[int | None]
    requested_by: Mapped[str | None] = mapped_column(String(64))
    channel_id: Mapped[str | None] = mapped_column(String(64))
    finished_at: Mapped[datetime | None]
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # the listening session whose ACE-Step candidates this batch makes (hidden until it closes)
    evaluation_id: Mapped[int | None] = mapped_column(
        ForeignKey("eval_sessions.id", use_alter=True, name="fk_batches_evaluation"), index=True
    )


class Lease(Base):
    """A named lock with an expiry, so only one process runs the job engine on a database."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime]


class SlackCard(Base):
    """The status card of a job that came from Slack: where it is and what it last showed."""

    __tablename__ = "slack_cards"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(64))
    thread_ts: Mapped[str | None] = mapped_column(String(32))  # root of the thread it sits in
    ts: Mapped[str | None] = mapped_column(String(32))  # None until posted
    rendered: Mapped[str | None] = mapped_column(String(64))  # hash of what Slack shows now
    rendered_at: Mapped[datetime | None]
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class SlackTrackPost(Base):
    """Posting one track into Slack: upload, share, then learn its message's ts."""

    __tablename__ = "slack_track_posts"

    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"), primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    channel_id: Mapped[str] = mapped_column(String(64))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[TrackPostState] = mapped_column(StateColumn(TrackPostState), index=True)
    file_id: Mapped[str | None] = mapped_column(String(64))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # the `serve` process uploading it, and until when (several serves share the outbox)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_until: Mapped[datetime | None]


class SlackMessage(Base):
    """What a Slack message is to the bot: a job's card or a track (for reactions and replies)."""

    __tablename__ = "slack_messages"

    channel_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    ts: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[MessageKind] = mapped_column(StateColumn(MessageKind))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))
    thread_ts: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SlackPendingReaction(Base):
    """A reaction on a message whose ts the bot has not matched to a track yet."""

    __tablename__ = "slack_pending_reactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(64), index=True)
    ts: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(64))
    emoji: Mapped[str] = mapped_column(String(64))
    added: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SeenKey(Base):
    """Keys already handled (Slack event ids, button clicks), so retries do nothing twice."""

    __tablename__ = "seen_keys"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(index=True)


class SlackBatchDigest(Base):
    """A batch's one Slack message: where it is and what it last showed."""

    __tablename__ = "slack_batch_digests"

    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(64))
    ts: Mapped[str | None] = mapped_column(String(32))  # None until posted
    rendered: Mapped[str | None] = mapped_column(String(64))
    rendered_at: Mapped[datetime | None]
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class Schedule(Base):
    """A batch that runs by itself at set times, posted to the channel it was made in."""

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expression: Mapped[str] = mapped_column(String(120))  # 5-field cron, in `timezone`
    timezone: Mapped[str] = mapped_column(String(64))
    batch_text: Mapped[str] = mapped_column(Text)  # what follows `/music batch`
    description: Mapped[str] = mapped_column(String(255))
    status: Mapped[ScheduleStatus] = mapped_column(StateColumn(ScheduleStatus), index=True)
    next_run_at: Mapped[datetime | None] = mapped_column(index=True)
    last_run_at: Mapped[datetime | None]  # the scheduled time of the last run claimed
    last_batch_id: Mapped[int | None]
    runs: Mapped[int] = mapped_column(default=0)
    max_tracks_per_run: Mapped[int]
    last_problem: Mapped[str | None] = mapped_column(Text)


class EvalSession(Base):
    """A blind listening test: references, their ACE-Step candidates, the raters' votes."""

    __tablename__ = "eval_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[EvalStatus] = mapped_column(StateColumn(EvalStatus), index=True)
    origin: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    seed: Mapped[int]
    owner: Mapped[str | None] = mapped_column(String(64))
    channel_id: Mapped[str | None] = mapped_column(String(64))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    raters: Mapped[list[Any]] = mapped_column(default=list)
    rater_group: Mapped[str | None] = mapped_column(String(64))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(64))
    report_posted: Mapped[bool] = mapped_column(Boolean, default=False)


class EvalReference(Base):
    """An incumbent track in a session; (session, content hash) is unique: importing twice adds
    nothing."""

    __tablename__ = "eval_references"
    __table_args__ = (UniqueConstraint("session_id", "sha256", name="uq_eval_references_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_sessions.id"), index=True)
    zone: Mapped[str] = mapped_column(String(64))
    file_path: Mapped[str] = mapped_column(String(1024))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    duration_s: Mapped[float] = mapped_column(Float)
    audio_format: Mapped[str] = mapped_column(String(8))
    original_name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    genre: Mapped[str | None] = mapped_column(String(255))
    bpm: Mapped[int | None]
    key: Mapped[str | None] = mapped_column(String(32))
    caption: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(255))


class EvalPair(Base):
    """A reference, its chosen ACE-Step candidate and their two blinded listening files."""

    __tablename__ = "eval_pairs"
    __table_args__ = (UniqueConstraint("session_id", "number", name="uq_eval_pairs_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_sessions.id"), index=True)
    reference_id: Mapped[int] = mapped_column(ForeignKey("eval_references.id"), unique=True)
    number: Mapped[int]
    zone: Mapped[str] = mapped_column(String(64))
    state: Mapped[PairState] = mapped_column(StateColumn(PairState), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id"))
    ace_side: Mapped[Side | None] = mapped_column(String(1))
    file_a: Mapped[str | None] = mapped_column(String(1024))
    file_b: Mapped[str | None] = mapped_column(String(1024))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    card_channel: Mapped[str | None] = mapped_column(String(64))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    file_ids: Mapped[list[Any]] = mapped_column(default=list)


class EvalVote(Base):
    """One rater's 1–5 scores for A and B of one pair; changed in place until the session closes."""

    __tablename__ = "eval_votes"
    __table_args__ = (UniqueConstraint("pair_id", "rater", name="uq_eval_votes_pair_rater"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("eval_sessions.id"), index=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("eval_pairs.id"), index=True)
    rater: Mapped[str] = mapped_column(String(64))
    score_a: Mapped[int]
    score_b: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CatalogueTitle(Base):
    """A track's title in the playout catalogue: made once, unique across the catalogue."""

    __tablename__ = "catalogue_titles"

    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"), primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """One delivery file written by an export: where, from what (`settings_hash` covers the
    source's sha256, the format, loudness, ceiling and tags) and what it measured."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"), index=True)
    path: Mapped[str] = mapped_column(String(1024), unique=True)
    format: Mapped[str] = mapped_column(String(8))
    settings_hash: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    integrated_lufs: Mapped[float] = mapped_column(Float)
    true_peak_dbtp: Mapped[float] = mapped_column(Float)
    duration_s: Mapped[float] = mapped_column(Float)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class BatchSample(Base):
    """A batch that posts a listening sample rather than every track (decided when it starts)."""

    __tablename__ = "batch_samples"

    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), primary_key=True)
    per_group: Mapped[int]  # BATCH_SAMPLE_TRACKS at the start
    max_tracks: Mapped[int]  # BATCH_POST_ALL_MAX at the start: the automatic sample's bound
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BatchSampleTrack(Base):
    """A track chosen for posting from a sampled batch; chosen once, never twice."""

    __tablename__ = "batch_sample_tracks"

    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    round: Mapped[int]  # 0: the automatic sample; 1, 2 …: each `/music batch N sample K`
    unit: Mapped[str | None] = mapped_column(String(32))  # the automatic sample's part ("g0:p1")
    picked_by: Mapped[str | None] = mapped_column(String(64))
    picked_at: Mapped[datetime] = mapped_column(default=utcnow)
