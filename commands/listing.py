"""`/music jobs` and `/music tracks`: what was made recently.

People see their own jobs and tracks and those made in the channel they ask from — what they
could already see there, and nothing from other (perhaps private) channels or DMs. Admins and the
operator at the terminal see everything.
"""

import re
from pathlib import Path
from typing import TYPE_CHECKING

from commands.context import Caller
from commands.errors import UsageError
from commands.replies import Reply
from domain.records import JobRecord, TrackRecord
from domain.request import format_duration
from storage import jobs as jobs_repo
from storage import tracks as tracks_repo

if TYPE_CHECKING:  # not imported at run time: `acemusic jobs` loads this module for describe_job
    from commands.ports import CommandServices

LIST_LIMIT = 10
_BATCH = re.compile(r"^batch\s*[=\s]\s*#?(\d+)$", re.IGNORECASE)


async def jobs(text: str, services: "CommandServices", caller: Caller) -> Reply:
    """jobs — the latest jobs and where each one is"""
    recent = await jobs_repo.list_jobs(
        services.db, visible_to=visible_to(caller), hide_blinded=True, limit=LIST_LIMIT
    )
    return Reply(
        title="Recent jobs",
        text=f"The last {len(recent)} job(s), newest first." if recent else "No jobs yet.",
        lines=tuple(describe_job(job) for job in recent),
        ephemeral=True,
    )


async def tracks(text: str, services: "CommandServices", caller: Caller) -> Reply:
    """tracks [batch=N] — the latest tracks and their files (of batch N: posted or not)"""
    batch_id = _batch_filter(text)
    recent = await tracks_repo.list_tracks(
        services.db,
        batch_id=batch_id,
        visible_to=visible_to(caller),
        hide_blinded=True,
        limit=LIST_LIMIT,
    )
    of = "" if batch_id is None else f" of batch #{batch_id}"
    return Reply(
        title=f"Recent tracks{of}",
        text=f"The last {len(recent)} track(s){of}, newest first."
        if recent
        else f"No tracks{of} yet.",
        lines=tuple(describe_track(track) for track in recent),
        ephemeral=True,
    )


def _batch_filter(text: str) -> int | None:
    """`batch=12` (or `batch 12`, `batch=#12`) -> 12; nothing -> None; anything else refused."""
    words = text.strip()
    if not words:
        return None
    found = _BATCH.match(words)
    if found is None:
        raise UsageError(
            f"'{words}' is not something tracks can be listed by: `/music tracks batch=12` "
            "lists batch 12's tracks.",
            "/music tracks batch=12",
        )
    return int(found[1])


def visible_to(caller: Caller) -> tuple[str, str | None] | None:
    """Whose and which channel's jobs the caller may list (None: all)."""
    if caller.sees_everything:
        return None
    return (caller.user_id or "", caller.channel_id)


def describe_job(job: JobRecord) -> str:
    """`#12 done — hotel-lobby · 3:00 x2` with the error when it failed."""
    request = job.request
    what = request.get("preset_id") or str(request.get("caption", ""))[:40]
    line = f"#{job.id} {job.status} — {what} · {format_duration(request.get('duration_s', 0))}"
    line += f" x{job.variants}"
    if job.error:
        line += f" — {job.error}"
    return line


def describe_track(track: TrackRecord) -> str:
    """`track 7 (job 3 v1) 3:00 mp3 2.8 MB [placeholder] — file` with audio-check warnings."""
    size_mb = track.file_size / 1_000_000
    length = format_duration(track.duration_s) if track.duration_s is not None else "?"
    label = " [placeholder]" if track.placeholder else ""
    line = (
        f"track {track.id} (job {track.job_id} v{track.variant}) {length} {track.audio_format} "
        f"{size_mb:.1f} MB{label} — {Path(track.file_path).name}"
    )
    if track.qc_problems:
        line += f" ⚠️ {'; '.join(track.qc_problems)}"
    return line
