"""A finished batch's report, written beside its audio: one row per track (JSON and CSV).

report.csv is opened in spreadsheets, and captions, tags and file names come from people: a cell
that a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage
return) gets a leading single quote, as OWASP's CSV-injection advice says. Numbers, and text that
is only a number (`-5`, `+3`, `1e5`), are left alone: a spreadsheet reads them as numbers, not
formulas. report.json keeps every value as it is.
"""

import csv
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from audiofile.atomic import finalize
from domain.records import BatchRecord, JobRecord, TrackRecord
from domain.spreadsheet import neutralise_cell

COLUMNS = (
    "track_id",
    "job_id",
    "variant",
    "file",
    "preset",
    "preset_version",
    "caption",
    "duration_s",
    "bpm",
    "key",
    "time_signature",
    "format",
    "seed",
    "dit_model",
    "lm_model",
    "server",
    "audio_check",
    "audio_problems",
    "placeholder",
    "tags",
    "manifest_row",
    "generated_at",
)


def report_rows(
    batch: BatchRecord, tracks: list[tuple[TrackRecord, JobRecord]], output_dir: Path
) -> list[dict[str, Any]]:
    """One row per kept track: its file, what was asked and how it was made."""
    tags_by_job = batch.details.get("job_tags", {})
    rows_by_job = batch.details.get("job_rows", {})
    return [_row(track, job, output_dir, tags_by_job, rows_by_job) for track, job in tracks]


def _row(
    track: TrackRecord,
    job: JobRecord,
    output_dir: Path,
    tags_by_job: dict[str, list[str]],
    rows_by_job: dict[str, int],
) -> dict[str, Any]:
    request = job.generation
    metas = track.metas
    return {
        "track_id": track.id,
        "job_id": job.id,
        "variant": track.variant,
        "file": _relative(Path(track.file_path), output_dir),
        "preset": request.preset_id or "",
        "preset_version": request.preset_version or "",
        "caption": track.caption,
        "duration_s": round(track.duration_s, 1) if track.duration_s else "",
        "bpm": metas.get("bpm") or request.bpm or "",
        "key": metas.get("keyscale") or request.key_scale or "",
        "time_signature": metas.get("timesignature") or request.time_signature or "",
        "format": track.audio_format,
        "seed": track.seed or "",
        "dit_model": track.dit_model or "",
        "lm_model": track.lm_model or "",
        "server": track.server,
        "audio_check": track.qc_verdict or "",
        "audio_problems": "; ".join(track.qc_problems),
        "placeholder": track.placeholder,
        "tags": ";".join(tags_by_job.get(str(job.id), [])),
        "manifest_row": rows_by_job.get(str(job.id), ""),
        "generated_at": track.generated_at.isoformat() if track.generated_at else "",
    }


def write_report(
    folder: Path, summary: dict[str, Any], rows: Iterable[dict[str, Any]]
) -> tuple[Path, Path]:
    """`report.json` (summary and rows) and `report.csv` (rows) in `folder`, written atomically."""
    report = ReportWriter(folder, summary)
    try:
        report.add(rows)
    except BaseException:
        report.abort()
        raise
    return report.finish()


class ReportWriter:
    """report.json and report.csv written a few rows at a time, so a 20,000-track batch's report
    never needs every row in memory. Both files appear only on `finish`, whole (temporary files
    renamed over them); `abort` removes the temporary files.

    report.json is `{"batch": {summary}, "tracks": [...]}` with one track per line.
    """

    def __init__(self, folder: Path, summary: dict[str, Any]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.json_path, self.csv_path = folder / "report.json", folder / "report.csv"
        self._json_temp = _temporary(self.json_path)
        self._csv_temp = _temporary(self.csv_path)
        self._json = self._json_temp.open("w", encoding="utf-8")
        self._csv = self._csv_temp.open("w", encoding="utf-8", newline="")
        self._rows = 0
        self._writer = csv.DictWriter(self._csv, fieldnames=COLUMNS)
        self._writer.writeheader()
        self._json.write('{"batch": ' + json.dumps(summary, indent=2, default=str))
        self._json.write(',\n"tracks": [')

    def add(self, rows: Iterable[dict[str, Any]]) -> None:
        """Append rows to both files."""
        for row in rows:
            self._json.write(",\n" if self._rows else "\n")
            self._json.write(json.dumps(row, default=str))
            self._writer.writerow({key: neutralise_cell(value) for key, value in row.items()})
            self._rows += 1

    def finish(self) -> tuple[Path, Path]:
        """Close both files and put them in place; returns (report.json, report.csv)."""
        self._json.write("\n]}\n")
        self._json.close()
        self._csv.close()
        finalize(self._json_temp, self.json_path)
        finalize(self._csv_temp, self.csv_path)
        return self.json_path, self.csv_path

    def abort(self) -> None:
        """Close and remove the temporary files; any earlier report stays as it was."""
        for handle in (self._json, self._csv):
            handle.close()
        for temporary in (self._json_temp, self._csv_temp):
            temporary.unlink(missing_ok=True)


def _temporary(dest: Path) -> Path:
    handle, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    os.close(handle)
    return Path(name)


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)
