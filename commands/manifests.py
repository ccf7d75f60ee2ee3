"""Batch manifests (pure, no I/O): a CSV or JSON file of rows, each a preset (or a description)
with optional overrides and a count.

CSV, with a header row; columns in any order and case: preset, caption, duration, bpm, key,
count, tags (separated by `;` or `|`), time_signature, format. A spreadsheet's own numbering is
used for rows (the header is row 1, the first data row is row 2), so "Row 5" is where people
look. JSON: a list of objects with the same keys, or `{"rows": [...]}`; rows are numbered from 1.
A row that cannot be read is reported with its number and the good rows still run; a file that
cannot be read at all (binary, not UTF-8, nested too deeply, a cell over the CSV module's limit)
is refused with what is wrong and an example of a good header. `check_total` adds up the tracks
the rows ask for, so an oversized manifest is refused before any planning.
"""

import csv
import io
import json
from collections.abc import Sequence
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
ROWS_NAMED: Final = 5  # the largest rows named when a manifest asks for too many tracks
_UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")


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
    records = read_records(data, filename, columns=COLUMNS, example=EXAMPLE)
    rows, problems = [], []
    for number, record in records:
        try:
            rows.append(_row(number, record))
        except ValueError as exc:
            problems.append(RowProblem(number, str(exc)))
    return rows, problems


def read_records(
    data: bytes, filename: str, *, columns: Sequence[str], example: str
) -> list[tuple[int, dict[str, Any]]]:
    """The numbered rows of a CSV or JSON file whose columns are all in `columns` (names
    lower-cased), checked like a batch manifest: UTF-8 text, not empty, at most MAX_ROWS rows.
    Problems with the whole file raise `UsageError` with `example`."""
    text = _decode(data, filename, example)
    if not text.strip():
        raise UsageError(f"{filename} is empty. A manifest starts with a header row.", example)
    as_json = filename.lower().endswith(".json") or text.lstrip()[:1] in "[{"
    reader = _json_records if as_json else _csv_records
    records = reader(text, filename, columns, example)
    if not records:
        raise UsageError(f"{filename} has a header but no rows.", example)
    if len(records) > MAX_ROWS:
        raise UsageError(f"{filename} has {len(records)} rows; at most {MAX_ROWS}.", example)
    return records


def _decode(data: bytes, filename: str, example: str) -> str:
    if _looks_utf16(data):
        raise UsageError(
            f"{filename} is not a text file in UTF-8: it is saved as UTF-16 "
            "(save it as 'CSV UTF-8').",
            example,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(_not_utf8(data, exc, filename), example) from None
    if "\x00" in text:
        raise UsageError(
            f"{filename} looks like a binary file (it contains NUL bytes), "
            "not a CSV or JSON manifest.",
            example,
        )
    return text


def _looks_utf16(data: bytes) -> bool:
    """A UTF-16 byte-order mark, or ASCII text with a NUL beside every character."""
    if data.startswith(_UTF16_BOMS):
        return True
    head = data[:8]
    even, odd = set(head[0::2]), set(head[1::2])
    little, big = odd == {0} and 0 not in even, even == {0} and 0 not in odd
    return len(head) == 8 and (little or big)


def _not_utf8(data: bytes, exc: UnicodeDecodeError, filename: str) -> str:
    if b"\x00" in data[:1024]:
        return f"{filename} looks like a binary file, not a CSV or JSON manifest."
    line = data.count(b"\n", 0, exc.start) + 1
    byte = data[exc.start]
    return (
        f"{filename} is not a text file in UTF-8: line {line} has the byte 0x{byte:02X}, as in "
        "Latin-1 or Windows files (save it as 'CSV UTF-8')."
    )


def _csv_records(
    text: str, filename: str, columns: Sequence[str], example: str
) -> list[tuple[int, dict[str, Any]]]:
    dialect = "excel-tab" if "\t" in text.splitlines()[0] else "excel"
    reader = csv.reader(io.StringIO(text), dialect=dialect)
    records: list[tuple[int, dict[str, Any]]] = []
    try:
        header = [name.strip().lower() for name in next(reader)]
        _check_columns(header, filename, columns, example)
        for values in reader:
            if any(value.strip() for value in values):  # else a blank line
                records.append((reader.line_num, dict(zip(header, values, strict=False))))
    except csv.Error as exc:
        raise UsageError(_csv_problem(filename, reader.line_num, exc), example) from None
    return records


def _csv_problem(filename: str, line: int, exc: csv.Error) -> str:
    if "field limit" in str(exc):
        limit = csv.field_size_limit() // 1024
        return (
            f"{filename}: line {line} has a cell longer than {limit} KB "
            "(an unclosed quote, or not a manifest?)."
        )
    return f"{filename}: line {line} cannot be read as CSV ({exc})."


def _json_records(
    text: str, filename: str, columns: Sequence[str], example: str
) -> list[tuple[int, dict[str, Any]]]:
    document = _parse_json(text, filename, example)
    items = document.get("rows") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise UsageError(f'{filename}: expected a list of rows, or {{"rows": [...]}}.', example)
    records = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            records.append((number, {"__bad__": item}))
            continue
        lowered = {str(k).strip().lower(): v for k, v in item.items()}
        _check_columns(list(lowered), filename, columns, example)
        records.append((number, lowered))
    return records


def _parse_json(text: str, filename: str, example: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problem = f"{exc.msg}, line {exc.lineno}"
    except RecursionError:
        problem = "it is nested too deeply; a manifest is a list of flat rows"
    except ValueError:
        problem = "it holds a number too long to read"
    raise UsageError(f"{filename} is not valid JSON ({problem}).", example)


def check_total(rows: list[ManifestRow], filename: str, *, max_tracks: int) -> None:
    """Refuse a manifest whose rows together ask for more than `max_tracks` tracks, naming the
    largest rows, before anything is planned."""
    total = sum(row.count for row in rows)
    if total <= max_tracks:
        return
    largest = sorted(rows, key=lambda row: (-row.count, row.row))[:ROWS_NAMED]
    named = ", ".join(f"row {row.row} ({row.count})" for row in largest)
    raise UsageError(
        f"{filename} asks for {total} tracks in {len(rows)} rows; a batch makes at most "
        f"{max_tracks} (BATCH_MAX_TRACKS). The largest: {named}. Lower their counts "
        "or split the file into several batches.",
        EXAMPLE,
    )


def _check_columns(names: list[str], filename: str, columns: Sequence[str], example: str) -> None:
    unknown = [name for name in names if name and name not in columns]
    if unknown:
        raise UsageError(
            f"{filename}: unknown column(s) {', '.join(unknown)}. "
            f"Known columns: {', '.join(columns)}.",
            example,
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
