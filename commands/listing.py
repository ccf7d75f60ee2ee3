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
from domain.adherence_words import adherence_words
from domain.approvals import Decision, describe
from domain.records import JobRecord, TrackRecord
from domain.request import format_duration
from storage import jobs as jobs_repo
from storage import tracks as tracks_repo

if TYPE_CHECKING:  # not imported at run time: `acemusic jobs` loads this module for describe_job
    from commands.ports import CommandServices

LIST_LIMIT = 10
_BATCH_ANYWHERE = re.compile(r"\bbatch\s*[=\s]\s*#?(\d+)\b", re.IGNORECASE)


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
    """tracks [approved|rejected] [batch=N] — the latest tracks, their files and approval (of
    batch N: posted or not)"""
    approval, batch_id = _track_filters(text)
    recent = await tracks_repo.list_tracks(
        services.db,
        batch_id=batch_id,
        visible_to=visible_to(caller),
        hide_blinded=True,
        approval=approval,
        limit=LIST_LIMIT,
    )
    which = f"{approval} " if approval else ""
    of = "" if batch_id is None else f" of batch #{batch_id}"
    return Reply(
        title=f"Recent {which}tracks{of}",
        text=(
            f"The last {len(recent)} {which}track(s){of}, newest first."
            if recent
            else f"No {which}tracks{of} yet."
        ),
        lines=tuple(describe_track(track) for track in recent),
        ephemeral=True,
        mentions=tuple(dict.fromkeys(t.approval_by for t in recent if t.approval_by)),
    )


def _track_filters(text: str) -> tuple[Decision | None, int | None]:
    """`approved` / `rejected` and `batch=12` (or `batch 12`, `batch=#12`), in any order, each
    at most once -> (decision, batch id); nothing -> (None, None); anything else refused."""
    words = text.strip()
    decision: Decision | None = None
    batch = _BATCH_ANYWHERE.search(words)
    if batch is not None:
        words = (words[: batch.start()] + " " + words[batch.end() :]).strip()
    wanted = words.lower()
    if wanted in tuple(Decision):
        decision = Decision(wanted)
    elif wanted:
        raise UsageError(
            f"'{words}' is not a track filter: use `/music tracks approved`, "
            "`/music tracks rejected` or `/music tracks batch=12` (batch 12's tracks).",
            "/music tracks batch=12",
        )
    return decision, None if batch is None else int(batch[1])


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
    """`track 7 (job 3 v1) 3:00 mp3 2.8 MB [placeholder] — file · asked 60 BPM, measured 61` with
    asked against measured tempo and key (when analysed), audio-check warnings and the approval
    standing."""
    size_mb = track.file_size / 1_000_000
    length = format_duration(track.duration_s) if track.duration_s is not None else "?"
    label = " [placeholder]" if track.placeholder else ""
    line = (
        f"track {track.id} (job {track.job_id} v{track.variant}) {length} {track.audio_format} "
        f"{size_mb:.1f} MB{label} — {Path(track.file_path).name}"
    )
    if measured := adherence_words(track.analysis, track.adherence):
        line += f" · {measured}"
    if track.qc_problems:
        line += f" ⚠️ {'; '.join(track.qc_problems)}"
    if approval := describe_approval(track):
        line += f" — {approval}"
    return line


def describe_approval(track: TrackRecord) -> str:
    """`✅ approved by <@U123> on 2026-12-05`, `⛔ rejected by …`, or "" without a decision."""
    if track.approval is None:
        return ""
    mark = "✅" if track.approval == Decision.APPROVED else "⛔"
    return f"{mark} {describe(track.approval, track.approval_by, track.approval_at)}"
