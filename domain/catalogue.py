"""The playout catalogue: delivery files, their tags, what an export selects and what it reports.

Pure (no I/O). The engine renders the files (`bot.engine.audio.delivery`), storage remembers them
(`storage.deliveries`), the export puts it together (`bot.engine.catalogue`).

- A track's catalogue title is made once from its preset and caption ("Lobby Evening Jazz 0417":
  at most `TITLE_WORDS` words, then the track id) and kept in the database under a unique
  constraint, so no two tracks share one and a re-export keeps it.
- `delivery_key` hashes everything a delivery file is made from (the source file's sha256, the
  format, loudness target, true-peak ceiling and every tag, and `RENDER_VERSION`): an unchanged
  key means the file on disk is still right and is not written again.
"""

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from domain.analysis import Adherence, TrackAnalysis
from domain.spreadsheet import neutralise_cell

DeliveryFormat = Literal["mp3", "flac"]
DELIVERY_FORMATS: Final[tuple[DeliveryFormat, ...]] = ("mp3", "flac")
DEFAULT_DELIVERY_LUFS: Final = -14.0  # the house target when LOUDNESS_TARGET_LUFS is not set
DEFAULT_TRUE_PEAK_DBTP: Final = -1.0
DEFAULT_ARTIST: Final = "ACE Music"
RENDER_VERSION: Final = 1  # raise when the rendering changes: every file is made again
TITLE_WORDS: Final = 4
CATALOGUE_FOLDER: Final = "catalogue"  # under OUTPUT_DIR unless another folder is given
MANIFEST_CSV: Final = "catalogue.csv"
MANIFEST_JSON: Final = "catalogue.json"
MEASURED: Final = "measured"  # a tag's value came from the audio analysis
ASKED: Final = "asked"  # ... from the request (or the server's report of what it made)
_STOP_WORDS: Final = frozenset(
    "a an and the with of for in on at to by from into over under no very some".split()
)
_WORD: Final = re.compile(r"[A-Za-z][A-Za-z']*")
_SINCE: Final = re.compile(r"^(\d+)\s*([dhw])$", re.IGNORECASE)


class ExportError(Exception):
    """An export cannot go on (unwritable folder, full disk, a path outside the folder); the
    message says what to do, for people. Nothing half-written is left; run it again after."""


class SkipReason:
    """Why a selected track got no delivery file (the words the export reports)."""

    MISSING_SOURCE = "source file missing"
    FAILED_CHECK = "failed the audio check and is not approved"
    REJECTED = "rejected by an approver"
    HIDDEN = "candidate of a listening test still open"
    NOT_APPROVED = "not approved"
    UNRENDERABLE = "could not be rendered"
    PATH_TAKEN = "a link or folder is in the way of its file"


@dataclass(frozen=True)
class DeliverySpec:
    """How delivery files are made (DELIVERY_FORMAT, LOUDNESS_TARGET_LUFS, TRUE_PEAK_DBTP,
    CATALOGUE_ARTIST)."""

    fmt: DeliveryFormat = "mp3"
    target_lufs: float = DEFAULT_DELIVERY_LUFS
    ceiling_dbtp: float = DEFAULT_TRUE_PEAK_DBTP
    artist: str = DEFAULT_ARTIST


@dataclass(frozen=True)
class TrackTags:
    """The tags a delivery file carries (ID3v2.4 in MP3, Vorbis comments in FLAC)."""

    title: str
    artist: str
    album: str
    genre: str | None
    bpm: int | None
    key: str | None
    year: int
    comment: str  # provenance: the track's id (and job and variant)
    track_id: int


@dataclass(frozen=True)
class TempoKey:
    """A delivered track's tempo and key: measured when the analysis is sure of it, else asked;
    the asked values kept beside them, and where each tagged value came from."""

    bpm: int | None
    key: str | None
    bpm_source: str | None  # MEASURED, ASKED or None (unknown)
    key_source: str | None
    asked_bpm: int | None
    asked_key: str | None


def tempo_and_key(
    asked_bpm: Any,
    asked_key: Any,
    analysis: TrackAnalysis | None,
    adherence: Adherence | None,
) -> TempoKey:
    """Measured values win (issue 13). The measured tempo is the one folded to the asked tempo
    when that makes it match (a beat tracker locked on half time is the same music); a tempo or
    key the analysis is unsure of is not used."""
    asked_tempo = _whole(asked_bpm)
    asked = str(asked_key) if asked_key else None
    folded = adherence.measured_bpm if adherence and adherence.tempo_ok else None
    measured_tempo = _whole(folded or (analysis.sure_tempo if analysis else None))
    measured_key = analysis.sure_key if analysis else None
    return TempoKey(
        bpm=measured_tempo if measured_tempo is not None else asked_tempo,
        key=measured_key or asked,
        bpm_source=_source(measured_tempo, asked_tempo),
        key_source=_source(measured_key, asked),
        asked_bpm=asked_tempo,
        asked_key=asked,
    )


def _whole(value: Any) -> int | None:
    try:
        number = round(float(value))
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _source(measured: object, asked: object) -> str | None:
    if measured is not None:
        return MEASURED
    return ASKED if asked is not None else None


@dataclass(frozen=True)
class ExportFilter:
    """Which tracks an export takes: approved ones (the default), or those rated `min_score` or
    more on average; optionally of one preset and made since a time."""

    preset_id: str | None = None
    since: datetime | None = None
    min_score: float | None = None  # None: approved tracks only

    def describe(self) -> str:
        """The selection in words, for summaries."""
        score = f"mean score ≥ {self.min_score:g}" if self.min_score is not None else None
        parts = [score or "approved tracks"]
        if self.preset_id:
            parts.append(f"preset {self.preset_id}")
        if self.since:
            parts.append(f"since {self.since:%Y-%m-%d %H:%M} UTC")
        return ", ".join(parts)


@dataclass(frozen=True)
class Skipped:
    """A selected track without a delivery file, and why."""

    track_id: int
    reason: str
    detail: str | None = None


@dataclass(frozen=True)
class ManifestRow:
    """One delivery file as the manifest lists it."""

    file: str  # relative to the catalogue folder
    title: str
    duration_s: float
    bpm: int | None  # measured when the analysis is sure of it, else asked (`bpm_source`)
    key: str | None  # likewise (`key_source`)
    bpm_source: str | None  # "measured", "asked" or None
    key_source: str | None
    asked_bpm: int | None  # what was asked (or the server reported making)
    asked_key: str | None
    genre: str | None
    preset: str | None
    zone_type: str | None
    loudness_lufs: float
    true_peak_dbtp: float
    approval: str | None
    ratings: int
    mean_score: float | None
    track_id: int
    sha256: str

    def to_json(self) -> dict[str, Any]:
        """The row as a JSON object."""
        return asdict(self)

    def csv_cells(self) -> list[Any]:
        """The row as CSV cells, text a spreadsheet would run as a formula neutralised."""
        return [neutralise_cell(value) for value in asdict(self).values()]


MANIFEST_COLUMNS: Final = tuple(ManifestRow.__dataclass_fields__)


@dataclass(frozen=True)
class ExportResult:
    """What an export did: every file of the selection, which were written, what was skipped."""

    folder: str
    rows: tuple[ManifestRow, ...]
    written: tuple[int, ...]  # track ids whose file was (re)written this time
    skipped: tuple[Skipped, ...]
    selection: str
    csv_path: str
    json_path: str

    @property
    def unchanged(self) -> int:
        """Files already there and up to date."""
        return len(self.rows) - len(self.written)


def title_base(preset_name: str | None, caption: str) -> str:
    """Up to `TITLE_WORDS` words: the preset's name, then the caption's first telling words."""
    words: list[str] = []
    for word in _WORD.findall(preset_name or "") + _WORD.findall(caption):
        lowered = word.lower()
        if lowered in _STOP_WORDS or lowered in (w.lower() for w in words):
            continue
        words.append(word[:1].upper() + word[1:].lower())
        if len(words) == TITLE_WORDS:
            break
    return " ".join(words) or "Track"


def catalogue_title(base: str, track_id: int, attempt: int = 0) -> str:
    """ "Lobby Evening Jazz 0417"; a later `attempt` (a clash) adds a letter: "… 0417 B"."""
    title = f"{base} {track_id:04d}"
    return title if attempt == 0 else f"{title} {chr(ord('A') + attempt)}"


def file_name(title: str, fmt: DeliveryFormat) -> str:
    """A safe file name from a title: "lobby-evening-jazz-0417.mp3"."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "track"
    return f"{slug}.{fmt}"


def delivery_key(spec: DeliverySpec, tags: TrackTags, source_sha256: str) -> str:
    """A hash of everything a delivery file is made from."""
    document = {
        "render": RENDER_VERSION,
        "source": source_sha256,
        "spec": asdict(spec),
        "tags": asdict(tags),
    }
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def parse_since(text: str, now: datetime) -> datetime:
    """`7d`, `24h`, `2w` (that long before `now`) or a date `2026-12-01` (UTC midnight)."""
    text = text.strip()
    relative = _SINCE.match(text)
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2).lower()
        hours = {"h": 1, "d": 24, "w": 24 * 7}[unit] * amount
        return now - timedelta(hours=hours)
    try:
        day = datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise ValueError(
            f"'{text}' is not a time: give a date like 2026-12-01 or a span like 7d, 24h, 2w"
        ) from None
    return day.replace(tzinfo=now.tzinfo)


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """A delivery file an export wrote (storage's row)."""

    id: int
    track_id: int
    path: str
    format: str
    settings_hash: str
    sha256: str
    size: int
    integrated_lufs: float
    true_peak_dbtp: float
    duration_s: float
    title: str
    created_at: datetime
    updated_at: datetime
