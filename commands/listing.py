"""`/music jobs` and `/music tracks`: what was made recently.

People see their own jobs and tracks and those made in the channel they ask from — what they
could already see there, and nothing from other (perhaps private) channels or DMs. Admins and the
operator at the terminal see everything.
"""

from pathlib import Path
from typing import TYPE_CHECKING

from commands.context import Caller
from commands.errors import UsageError
from commands.replies import Reply
from domain.approvals import Decision, describe
from domain.records import JobRecord, TrackRecord
from domain.request import format_duration
from storage import jobs as jobs_repo
from storage import tracks as tracks_repo

if TYPE_CHECKING:  # not imported at run time: `acemusic jobs` loads this module for describe_job
    from commands.ports import CommandServices

LIST_LIMIT = 10


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
    """tracks [approved|rejected] — the latest tracks, their files and approval"""
    wanted = text.strip().lower()
    if wanted not in ("", *Decision):
        raise UsageError(
            f"'{text.strip()}' is not a track filter: use `approved` or `rejected`, or nothing.",
            "/music tracks approved",
        )
    approval = Decision(wanted) if wanted else None
    recent = await tracks_repo.list_tracks(
        services.db,
        visible_to=visible_to(caller),
        hide_blinded=True,
        approval=approval,
        limit=LIST_LIMIT,
    )
    which = f"{approval} " if approval else ""
    return Reply(
        title=f"Recent {which}tracks",
        text=(
            f"The last {len(recent)} {which}track(s), newest first."
            if recent
            else f"No {which}tracks yet."
        ),
        lines=tuple(describe_track(track) for track in recent),
        ephemeral=True,
        mentions=tuple(dict.fromkeys(t.approval_by for t in recent if t.approval_by)),
    )


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
    """`track 7 (job 3 v1) 3:00 mp3 2.8 MB [placeholder] — file` with audio-check warnings and
    the approval standing."""
    size_mb = track.file_size / 1_000_000
    length = format_duration(track.duration_s) if track.duration_s is not None else "?"
    label = " [placeholder]" if track.placeholder else ""
    line = (
        f"track {track.id} (job {track.job_id} v{track.variant}) {length} {track.audio_format} "
        f"{size_mb:.1f} MB{label} — {Path(track.file_path).name}"
    )
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
