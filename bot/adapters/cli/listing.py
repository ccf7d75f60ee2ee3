"""`acemusic jobs` and `acemusic tracks`: recent rows of the database, as text or JSON.

Only the database layer is loaded (no engine, no Slack, no audio), and the schema check does not
import Alembic unless a migration must run, so both answer in well under a second.
"""

import json

import click

from bot.adapters.cli.base import async_command, settings_for

APPROVAL_STATES = ("approved", "rejected")  # domain.approvals.Decision (not imported: startup)
JOB_STATUSES = (
    "queued", "submitted", "running", "downloading", "done", "failed", "cancelled",
)  # fmt: skip


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", default=20, show_default=True, type=int)
@click.option("--status", "status_filter", type=click.Choice(JOB_STATUSES))
@async_command
async def jobs(as_json: bool, limit: int, status_filter: str | None) -> int:
    """List recent jobs."""
    from dataclasses import asdict  # noqa: PLC0415

    from commands.listing import describe_job  # noqa: PLC0415
    from domain.records import JobStatus  # noqa: PLC0415
    from storage import jobs as jobs_repo  # noqa: PLC0415
    from storage.database import Database  # noqa: PLC0415

    settings = settings_for(builtin_default=True, quiet=True)
    db = await Database.open(settings.database_url)
    try:
        statuses = {JobStatus(status_filter)} if status_filter else None
        found = await jobs_repo.list_jobs(db, statuses=statuses, limit=limit)
    finally:
        await db.close()
    if as_json:
        click.echo(json.dumps([asdict(job) for job in found], default=str, indent=2))
    else:
        for job in found:
            click.echo(describe_job(job))
    return 0


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", default=20, show_default=True, type=int)
@click.option("--job", "job_id", default=None, type=int, help="Only this job's tracks.")
@click.option(
    "--approval",
    type=click.Choice(APPROVAL_STATES),
    default=None,
    help="Only tracks whose standing approval decision this is.",
)
@click.option(
    "--batch", "batch_id", default=None, type=int, help="Only this batch's tracks (posted or not)."
)
@async_command
async def tracks(
    as_json: bool, limit: int, job_id: int | None, approval: str | None, batch_id: int | None
) -> int:
    """List recent tracks with their files, provenance and approval."""
    from bot.adapters.console.text import describe_file, track_json  # noqa: PLC0415
    from domain.approvals import Decision  # noqa: PLC0415
    from storage import tracks as tracks_repo  # noqa: PLC0415
    from storage.database import Database  # noqa: PLC0415

    settings = settings_for(builtin_default=True, quiet=True)
    db = await Database.open(settings.database_url)
    try:
        found = await tracks_repo.list_tracks(
            db,
            job_ids=[job_id] if job_id is not None else None,
            approval=Decision(approval) if approval else None,
            batch_id=batch_id,
            limit=limit,
        )
    finally:
        await db.close()
    if as_json:
        click.echo(json.dumps([track_json(t) for t in found], default=str, indent=2))
    else:
        for track in found:
            click.echo(f"#{track.id} job {track.job_id} v{track.variant}: {describe_file(track)}")
    return 0
