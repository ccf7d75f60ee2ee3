"""Batch manifests (pure, no I/O): a CSV or JSON file of rows, each a preset (or a description)
with optional overrides and a count.

CSV, with a header row; columns in any order and case: preset, caption, duration, bpm, key,
count, tags (separated by `;` or `|`), time_signature, format. A spreadsheet's own numbering is
used for rows (the header is row 1, the first data row is row 2), so "Row 5" is where people
look. JSON: a list of objects with the same keys, or `{"rows": [...]}`; rows are numbered from 1.
A row that cannot be read is reported with its number and the good rows still run; a file that
cannot be read at all is refused with an example of a good header.
"""

import csv
import io
import json
from dataclasses import dataclass
from typing import Any, Final

from commands.errors import UsageError
from presets.schema import BATCH_MAX_COUNT

COLUMNS: Final = (
    "preset",
    "caption",
    "duration",
    "bpm",
    "key",
    "count",
    "tags",
    "time_signature",
    "format",
)
EXAMPLE: Final = "preset,caption,duration,bpm,key,count,tags\nspa,,3min,,,10,morning;calm"
MAX_ROWS: Final = 20_000


@dataclass(frozen=True)
class RowProblem:
    """Why one row of a manifest cannot be made."""

    row: int
    message: str


@dataclass(frozen=True)
class ManifestRow:
    """One usable row: what to make and how many tracks of it."""

    row: int
    preset: str | None = None
    caption: str = ""
    duration: str | None = None
    bpm: str | None = None
    key: str | None = None
    count: int = 1
    tags: tuple[str, ...] = ()
    time_signature: str | None = None
    format: str | None = None

    def words(self) -> str:
        """The row as `/music`-style words (the preset is passed separately)."""
        parts = [self.caption]
        if self.duration:
            parts.append(f"{self.duration}s" if self.duration.isdigit() else self.duration)
        if self.bpm:
            parts.append(f"{self.bpm}bpm" if self.bpm.isdigit() else f"bpm={self.bpm}")
        if self.key:
            parts.append(f"in {self.key}")
        if self.time_signature:
            parts.append(self.time_signature)
        if self.format:
            parts.append(f"format={self.format}")
        return " ".join(part for part in parts if part)


def read_manifest(data: bytes, filename: str) -> tuple[list[ManifestRow], list[RowProblem]]:
    """The rows of a CSV or JSON manifest (by extension, else by its first character)."""
    text = _decode(data, filename)
    if not text.strip():
        raise UsageError(f"{filename} is empty. A manifest starts with a header row.", EXAMPLE)
    as_json = filename.lower().endswith(".json") or text.lstrip()[:1] in "[{"
    records = _json_records(text, filename) if as_json else _csv_records(text, filename)
    if not records:
        raise UsageError(f"{filename} has a header but no rows.", EXAMPLE)
    if len(records) > MAX_ROWS:
        raise UsageError(f"{filename} has {len(records)} rows; at most {MAX_ROWS}.", EXAMPLE)
    rows, problems = [], []
    for number, record in records:
        try:
            rows.append(_row(number, record))
        except ValueError as exc:
            problems.append(RowProblem(number, str(exc)))
    return rows, problems


def _decode(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(
            f"{filename} is not a text file in UTF-8 (save it as 'CSV UTF-8').", EXAMPLE
        ) from None


def _csv_records(text: str, filename: str) -> list[tuple[int, dict[str, Any]]]:
    dialect = "excel-tab" if "\t" in text.splitlines()[0] else "excel"
    reader = csv.reader(io.StringIO(text), dialect=dialect)
    header = [name.strip().lower() for name in next(reader)]
    _check_columns(header, filename)
    records = []
    for values in reader:
        if not any(value.strip() for value in values):
            continue  # blank line
        records.append((reader.line_num, dict(zip(header, values, strict=False))))
    return records


def _json_records(text: str, filename: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{filename} is not valid JSON ({exc.msg}, line {exc.lineno}).", EXAMPLE
        ) from None
    items = document.get("rows") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise UsageError(f'{filename}: expected a list of rows, or {{"rows": [...]}}.', EXAMPLE)
    records = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            records.append((number, {"__bad__": item}))
            continue
        lowered = {str(k).strip().lower(): v for k, v in item.items()}
        _check_columns(list(lowered), filename)
        records.append((number, lowered))
    return records


def _check_columns(names: list[str], filename: str) -> None:
    unknown = [name for name in names if name and name not in COLUMNS]
    if unknown:
        raise UsageError(
            f"{filename}: unknown column(s) {', '.join(unknown)}. "
            f"Known columns: {', '.join(COLUMNS)}.",
            EXAMPLE,
        )


def _row(number: int, record: dict[str, Any]) -> ManifestRow:
    if "__bad__" in record:
        raise ValueError("a row must be an object with keys such as preset and count")
    values = {name: _text(record.get(name)) for name in COLUMNS}
    if not values["preset"] and not values["caption"]:
        raise ValueError("give a preset or a caption (or both)")
    tags = tuple(t.strip() for t in values["tags"].replace("|", ";").split(";") if t.strip())
    return ManifestRow(
        row=number,
        preset=values["preset"] or None,
        caption=values["caption"],
        duration=values["duration"] or None,
        bpm=values["bpm"] or None,
        key=values["key"] or None,
        count=_count(values["count"]),
        tags=tags,
        time_signature=values["time_signature"] or None,
        format=values["format"] or None,
    )


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _count(text: str) -> int:
    if not text:
        return 1
    try:
        count = int(float(text)) if float(text).is_integer() else -1
    except ValueError:
        raise ValueError(f"count: '{text}' is not a whole number of tracks, e.g. 10") from None
    if not 1 <= count <= BATCH_MAX_COUNT:
        raise ValueError(f"count: must be 1 to {BATCH_MAX_COUNT} tracks (got {text})")
    return count
