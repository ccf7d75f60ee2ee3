"""Reading `/query_result` replies into one `TaskState` per task (pure; no I/O).

The server answers `{"task_id", "status": 0|1|2, "result": "<JSON string>"}` per id, and the
decoded `result` holds one item per audio file (ACESTEP_API.md §5.2). Status 0 covers queued,
running *and* unknown ids; status 2 covers failures *and* jobs past the server's 1 h cut-off that
may still finish (§5.3). `TaskPhase` tells these apart.
"""

import json
import math
from enum import StrEnum
from typing import Final
from urllib.parse import parse_qs, urlsplit

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from bot.engine.acestep.replies import CallContext, unwrap_envelope, validate
from bot.engine.acestep.text import DETAIL_CHARS, last_line_summary
from domain.constants import STATUS_FAILED, STATUS_IN_PROGRESS, STATUS_SUCCEEDED

QUERY_ENDPOINT: Final = ("POST", "/query_result")
_NOT_GIVEN: Final = frozenset({"", "n/a", "na", "none", "null", "unknown"})

SUMMARY_NO_REASON: Final = "the server says the generation failed but gives no reason"
SUMMARY_CUTOFF: Final = (
    "not finished after the server's 1-hour limit; it may still be running and finish later"
)
SUMMARY_UNKNOWN: Final = "the server does not know this task (it may have restarted or expired it)"
SUMMARY_NO_AUDIO: Final = (
    "the server finished but returned no audio (every take may have been silent)"
)


class TaskPhase(StrEnum):
    """Where a task stands, as far as one `/query_result` reply can tell."""

    IN_PROGRESS = "in_progress"  # status 0 with an item: queued or running
    UNKNOWN = "unknown"  # status 0 with no items: the server does not know the id
    SUCCEEDED = "succeeded"  # status 1: see `TaskState.files` (may be empty)
    FAILED = "failed"  # status 2: see `error_summary` / `error_detail`
    CUTOFF = "cutoff"  # status 2 but the item still says 0: past the 1 h cut-off, may still finish


class ResultItem(BaseModel):
    """One decoded item of a `result` list: one audio file of a finished task, or its progress."""

    model_config = ConfigDict(frozen=True, extra="ignore", coerce_numbers_to_str=True)

    file: str = ""  # relative URL "/v1/audio?path=..." ("" when there is no file)
    status: int | None = None
    prompt: str = ""
    lyrics: str = ""
    metas: dict[str, object] = Field(default_factory=dict)
    seed: str | None = Field(default=None, validation_alias=AliasChoices("seed_value", "seed"))
    lm_model: str | None = None
    dit_model: str | None = None
    generation_info: str | None = None
    progress: float | None = None
    stage: str | None = None
    create_time: float | None = None
    error: str | None = None

    @field_validator("file", "prompt", "lyrics", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return "" if value is None else value

    @field_validator("metas", mode="before")
    @classmethod
    def _metas_object(cls, value: object) -> object:
        if value is None or value == "":
            return {}
        return json.loads(value) if isinstance(value, str) else value

    def metas_bpm(self) -> int | None:
        """The reported tempo as an integer, or None when missing or "N/A"."""
        number = loose_number(self.metas.get("bpm"))
        return round(number) if number is not None and number > 0 else None

    def metas_duration(self) -> float | None:
        """The reported duration (s): the *requested* length, even if the server clamped it."""
        number = loose_number(self.metas.get("duration"))
        return number if number is not None and number > 0 else None

    def metas_key_scale(self) -> str | None:
        """The reported key ("C major"), or None."""
        return loose_text(self.metas.get("keyscale"))

    def metas_time_signature(self) -> str | None:
        """The reported time signature in the server's form ("4"), or None."""
        return loose_text(self.metas.get("timesignature"))

    def metas_genres(self) -> str | None:
        """The reported genres (usually "N/A", so usually None)."""
        return loose_text(self.metas.get("genres"))

    def seeds(self) -> tuple[int, ...]:
        """The seeds the server reports for the whole batch (comma-separated `seed_value`)."""
        parts = (part.strip() for part in (self.seed or "").split(","))
        return tuple(int(part) for part in parts if part.lstrip("-").isdigit())

    def file_extension(self) -> str:
        """ ".mp3", ".wav" or ".flac" from the file's server path ("" without a file)."""
        paths = parse_qs(urlsplit(self.file).query).get("path") or [urlsplit(self.file).path]
        name = paths[0].rsplit("/", 1)[-1]
        return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


class TaskState(BaseModel):
    """One task as reported by one `/query_result` reply."""

    model_config = ConfigDict(frozen=True)

    task_id: str
    phase: TaskPhase
    items: list[ResultItem] = Field(default_factory=list)
    progress: float | None = None  # 0..1 (HEAD only; None on the PyPI build)
    stage: str | None = None  # server's stage text (HEAD only)
    error_summary: str | None = None  # short, one line, no server paths: fit for people
    error_detail: str | None = None  # full server text (e.g. a traceback): logs and DB only

    @property
    def files(self) -> list[ResultItem]:
        """The items that carry an audio file, in server order."""
        return [item for item in self.items if item.file]

    @property
    def is_terminal(self) -> bool:
        """Succeeded or failed for good (CUTOFF and UNKNOWN are not: the caller decides)."""
        return self.phase in (TaskPhase.SUCCEEDED, TaskPhase.FAILED)


class _Entry(BaseModel):
    """One element of the `data` list, before `result` is decoded."""

    model_config = ConfigDict(extra="ignore")

    task_id: str = Field(min_length=1)
    status: int
    result: str | list[object]

    @field_validator("status", mode="before")
    @classmethod
    def _no_bools(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError("status must be 0, 1 or 2")
        return value


def parse_query_results(body: object, *, server: str = "server") -> list[TaskState]:
    """Every task in a `/query_result` reply (the wrapper or its `data` list), in reply order."""
    ctx = CallContext(server, *QUERY_ENDPOINT)
    data = unwrap_envelope(body, ctx) if isinstance(body, dict) else body
    if not isinstance(data, list):
        raise ctx.malformed("data is not a list of tasks", body)
    return [_task_state(validate(_Entry, entry, ctx, "task entry"), ctx) for entry in data]


def unknown_task(task_id: str) -> TaskState:
    """The state of an id the server did not mention or does not know."""
    return TaskState(task_id=task_id, phase=TaskPhase.UNKNOWN, error_summary=SUMMARY_UNKNOWN)


def _task_state(entry: _Entry, ctx: CallContext) -> TaskState:
    items = _items(entry, ctx)
    phase = _phase(entry.status, items, ctx)
    if phase is TaskPhase.UNKNOWN:
        return unknown_task(entry.task_id)
    first = items[0] if items else None
    summary, detail = _explain(phase, items)
    return TaskState(
        task_id=entry.task_id,
        phase=phase,
        items=items,
        progress=first.progress if first else None,
        stage=first.stage if first else None,
        error_summary=summary,
        error_detail=detail,
    )


def _items(entry: _Entry, ctx: CallContext) -> list[ResultItem]:
    raw: object = entry.result
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else []
        except ValueError as exc:
            raise ctx.malformed(f"result of task {entry.task_id} is not JSON", raw) from exc
    if not isinstance(raw, list):
        raise ctx.malformed(f"result of task {entry.task_id} is not a list", raw)
    return [validate(ResultItem, item, ctx, f"result item of task {entry.task_id}") for item in raw]


def _phase(status: int, items: list[ResultItem], ctx: CallContext) -> TaskPhase:
    if status == STATUS_IN_PROGRESS:
        return TaskPhase.IN_PROGRESS if items else TaskPhase.UNKNOWN
    if status == STATUS_SUCCEEDED:
        return TaskPhase.SUCCEEDED
    if status == STATUS_FAILED:
        still_running = bool(items) and items[0].status == STATUS_IN_PROGRESS
        return TaskPhase.CUTOFF if still_running else TaskPhase.FAILED
    raise ctx.malformed(f"task status {status} is not 0, 1 or 2")


def _explain(phase: TaskPhase, items: list[ResultItem]) -> tuple[str | None, str | None]:
    """(summary for people, full detail for logs) for the phases that need explaining."""
    if phase is TaskPhase.CUTOFF:
        return SUMMARY_CUTOFF, None
    if phase is TaskPhase.SUCCEEDED:
        return (None if any(item.file for item in items) else SUMMARY_NO_AUDIO), None
    if phase is not TaskPhase.FAILED:
        return None, None
    error = next((item.error for item in items if item.error and item.error.strip()), None)
    if error is None:
        return SUMMARY_NO_REASON, None
    return f"generation failed: {last_line_summary(error)}", error[-DETAIL_CHARS:]


def loose_number(value: object) -> float | None:
    """A finite number from an int, float or numeric string; None for "N/A", bools, junk."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value) if isinstance(value, int | float | str) else math.nan
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def loose_text(value: object) -> str | None:
    """Non-empty text from a string or number; None for "", "N/A", None and other placeholders."""
    if value is None or isinstance(value, bool | dict | list):
        return None
    text = str(value).strip()
    return None if text.lower() in _NOT_GIVEN else text
