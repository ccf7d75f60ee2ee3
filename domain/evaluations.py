"""The listening test's records: sessions, reference tracks, pairs and votes, and their states.

A session is the blind comparison of the incumbent service's tracks (the references) with
ACE-Step's (the candidates), zone type by zone type:

    COLLECTING --prepare--> PREPARING --candidates picked, files rendered--> READY
        --start--> LISTENING --close (owner or admin)--> CLOSED --> report

Each reference becomes one pair once its ACE-Step job has finished: the chosen candidate and the
reference rendered as two neutral listening files `pair-07-A.mp3` / `pair-07-B.mp3`, ACE-Step's
side drawn at random and stored. Storage hands these records out; `storage.evaluations` is the only
code that reads or writes the rows.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, Literal, NotRequired, TypedDict

Side = Literal["A", "B"]
SIDES: Final[tuple[Side, Side]] = ("A", "B")


class EvalStatus(StrEnum):
    """Where a listening session is."""

    COLLECTING = "collecting"  # references are being imported; nothing made yet
    PREPARING = "preparing"  # ACE-Step candidates are being made for the references
    READY = "ready"  # every pair is rendered (or marked without candidate); not started
    LISTENING = "listening"  # pairs posted; raters vote; votes change until close
    CLOSED = "closed"  # votes are final; the report can be made

    @property
    def votes_open(self) -> bool:
        """Whether votes are accepted (and changed) now."""
        return self is EvalStatus.LISTENING

    @property
    def blinded(self) -> bool:
        """Whether anything that names a pair's source must stay hidden from raters."""
        return self is not EvalStatus.CLOSED


class PairState(StrEnum):
    """Where one reference's pair is."""

    WAITING = "waiting"  # its ACE-Step job is still running
    READY = "ready"  # both listening files are rendered
    NO_CANDIDATE = "no_candidate"  # no variant passed the audio checks (or the job failed)
    BROKEN = "broken"  # the reference file vanished or could not be rendered; `reason` says why

    @property
    def listenable(self) -> bool:
        """Whether the pair has its two listening files."""
        return self is PairState.READY

    @property
    def settled(self) -> bool:
        """Whether the pair will not change by itself any more."""
        return self is not PairState.WAITING


@dataclass(frozen=True, slots=True)
class EvalSessionRecord:
    """One listening session: its owner, where it is posted, who may rate, how far it is."""

    id: int
    name: str
    status: EvalStatus
    origin: str
    created_at: datetime
    seed: int  # draws the pairs' order and sides; stored, so a rerun draws the same
    owner: str | None = None  # Slack user id of whoever created it (None: the operator)
    channel_id: str | None = None  # where the pairs are posted
    thread_ts: str | None = None  # the listening thread's root message
    raters: list[str] = field(default_factory=list)  # allowed raters (empty: anyone allowed)
    rater_group: str | None = None  # a Slack user group whose members may rate
    batch_id: int | None = None  # the batch of the latest `eval prepare`
    settings: dict[str, Any] = field(default_factory=dict)  # zones, per_zone, best_of asked
    started_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    report_posted: bool = False  # the report is in the thread (so a restart does not post twice)

    def may_rate(self, user_id: str, *, in_group: bool = False) -> bool:
        """Whether `user_id` may vote: anyone when no list or group is set, else listed or in
        the group (the caller finds out group membership)."""
        if not self.raters and self.rater_group is None:
            return True
        return user_id in self.raters or in_group


@dataclass(frozen=True, slots=True)
class EvalReferenceRecord:
    """One incumbent track, copied into the output folder under its content hash."""

    id: int
    session_id: int
    zone: str  # a preset id
    file_path: str
    sha256: str
    size_bytes: int
    duration_s: float
    audio_format: str
    original_name: str  # the name it was imported under (never shown to raters)
    created_at: datetime
    genre: str | None = None
    bpm: int | None = None
    key: str | None = None
    caption: str | None = None
    source: str | None = None  # who made it, e.g. "Mureka"


@dataclass(frozen=True, slots=True)
class EvalPairRecord:
    """A reference and its chosen ACE-Step candidate, as two blinded listening files."""

    id: int
    session_id: int
    reference_id: int
    number: int  # the neutral label: pair-07
    zone: str
    state: PairState
    job_id: int | None = None  # the ACE-Step job making its K variants
    track_id: int | None = None  # the chosen variant
    ace_side: Side | None = None  # which of A / B is ACE-Step (drawn at random)
    file_a: str | None = None
    file_b: str | None = None
    reason: str | None = None  # why there is no candidate, or why it broke
    details: dict[str, Any] = field(default_factory=dict)  # loudness, gains, variants considered
    card_channel: str | None = None  # the Slack vote card's place, once posted
    card_ts: str | None = None
    file_ids: list[str] = field(default_factory=list)  # Slack file ids of the two files posted

    @property
    def label(self) -> str:
        """The neutral name raters see: `pair-07`."""
        return pair_label(self.number)

    def score_for_ace(self, score_a: int, score_b: int) -> tuple[int, int]:
        """(ACE-Step's score, the incumbent's score) from a vote on A and B."""
        if self.ace_side is None:
            raise ValueError(f"{self.label} has no sides drawn")
        return (score_a, score_b) if self.ace_side == "A" else (score_b, score_a)


@dataclass(frozen=True, slots=True)
class EvalVoteRecord:
    """One rater's scores for one pair (one row per rater and pair; changed, never doubled)."""

    id: int
    session_id: int
    pair_id: int
    rater: str
    score_a: int
    score_b: int
    created_at: datetime
    updated_at: datetime
    comment: str | None = None


def session_folder(output_dir: Path, session_name: str) -> Path:
    """Where a session's listening files and its report are written: OUTPUT_DIR/eval/<name>."""
    return output_dir / "eval" / session_name


def pair_label(number: int) -> str:
    """`pair-07` (two digits, three from pair 100 on)."""
    return f"pair-{number:02d}"


# --- What the storage functions take as columns (keyword arguments, checked by mypy) ---


class NewReference(TypedDict):
    """The columns of a new reference row (`storage.evaluations.add_reference`)."""

    zone: str
    file_path: str
    sha256: str
    size_bytes: int
    duration_s: float
    audio_format: str
    original_name: str
    genre: NotRequired[str | None]
    bpm: NotRequired[int | None]
    key: NotRequired[str | None]
    caption: NotRequired[str | None]
    source: NotRequired[str | None]


class EvalSessionChanges(TypedDict, total=False):
    """Columns of a session that `storage.evaluations.update_session` may set."""

    status: EvalStatus
    channel_id: str | None
    thread_ts: str | None
    raters: list[str]
    rater_group: str | None
    batch_id: int | None
    settings: dict[str, Any]
    started_at: datetime | None
    closed_at: datetime | None
    closed_by: str | None
    report_posted: bool


class EvalPairChanges(TypedDict, total=False):
    """Columns of a pair that `storage.evaluations.update_pair` may set."""

    state: PairState
    job_id: int | None
    track_id: int | None
    ace_side: Side | None
    file_a: str | None
    file_b: str | None
    reason: str | None
    details: dict[str, Any]
    card_channel: str | None
    card_ts: str | None
    file_ids: list[str]
