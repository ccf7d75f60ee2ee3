"""Readable, unique output file names: `outputs/2026-11-23/job00042-hotel-lobby-v1.mp3`, and
`outputs/batches/batch00012/job00042-spa-v1.mp3` for a batch's tracks (its report sits beside);
placeholder audio from the built-in stand-in is `job00042-hotel-lobby-PLACEHOLDER-v1.mp3`."""

import re
from pathlib import Path

from domain.records import JobRecord
from domain.request import GenerationRequest

SLUG_MAX_CHARS = 40
PLACEHOLDER_MARKER = "PLACEHOLDER"
TRACK_FILE_PREFIX = "job"  # every track file name starts with it (and its temporary files too)


def slugify(text: str, *, limit: int = SLUG_MAX_CHARS) -> str:
    """Lower-case words joined by dashes, cut at a word boundary; 'track' when nothing is left."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or "track"


def output_path(
    output_dir: Path,
    job: JobRecord,
    request: GenerationRequest,
    variant: int,
    extension: str,
    *,
    placeholder: bool = False,
) -> Path:
    """Where variant `variant` of `job` is stored. Job id + variant make it unique.

    Placeholder audio (from the built-in stand-in) says so in its name: `…-PLACEHOLDER-v1.mp3`.
    """
    label = request.preset_id or request.caption
    marker = f"-{PLACEHOLDER_MARKER}" if placeholder else ""
    name = f"{TRACK_FILE_PREFIX}{job.id:05d}-{slugify(label)}{marker}-v{variant}.{extension}"
    if job.batch_id is not None:
        return batch_folder(output_dir, job.batch_id) / name
    return output_dir / job.created_at.strftime("%Y-%m-%d") / name


def batch_folder(output_dir: Path, batch_id: int) -> Path:
    """Where a batch's tracks and its report go: `outputs/batches/batch00012/`."""
    return output_dir / "batches" / f"batch{batch_id:05d}"
