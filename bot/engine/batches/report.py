"""A finished batch's report, written beside its audio: one row per track (JSON and CSV).

report.csv is opened in spreadsheets, and captions, tags and file names come from people: a cell
that a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage
return) gets a leading single quote, as OWASP's CSV-injection advice says. Numbers, and text that
is only a number (`-5`, `+3`, `1e5`), are left alone: a spreadsheet reads them as numbers, not
formulas. report.json keeps every value as it is.
"""

import csv
import io
import json
from pathlib import Path
from typing import Any

from audiofile.atomic import write_atomically
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
    folder: Path, summary: dict[str, Any], rows: list[dict[str, Any]]
) -> tuple[Path, Path]:
    """`report.json` (summary and rows) and `report.csv` (rows) in `folder`, written atomically."""
    json_path, csv_path = folder / "report.json", folder / "report.csv"
    document = json.dumps({"batch": summary, "tracks": rows}, indent=2, default=str)
    write_atomically(json_path, document.encode())
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows({key: neutralise_cell(value) for key, value in row.items()} for row in rows)
    write_atomically(csv_path, buffer.getvalue().encode())
    return json_path, csv_path


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)
