"""`/music status`: the queue, each server's health and models, and the expected wait."""

from commands.context import Caller
from commands.ports import CommandServices
from commands.replies import Reply
from domain.records import JobStatus
from domain.request import format_duration
from domain.servers import ServerReport
from storage import jobs as jobs_repo


async def status(text: str, services: CommandServices, caller: Caller) -> Reply:
    """status — the queue, each ACE-Step server's health and models, and the expected wait"""
    counts = await jobs_repo.count_by_status(services.db)
    queued = counts.get(JobStatus.QUEUED, 0)
    reports = await services.fleet.probe()
    wait = await services.engine.estimate_wait(queued)
    fields = (
        ("Queued", str(queued)),
        (
            "On the servers",
            str(counts.get(JobStatus.SUBMITTED, 0) + counts.get(JobStatus.RUNNING, 0)),
        ),
        ("Downloading", str(counts.get(JobStatus.DOWNLOADING, 0))),
        ("New request ready in", format_duration(wait) if wait is not None else "unknown"),
    )
    healthy = sum(report.ok for report in reports)
    return Reply(
        title="Status",
        text=f"{healthy} of {len(reports)} ACE-Step server(s) answering.",
        fields=fields,
        lines=tuple(describe_server(report) for report in reports),
        ephemeral=True,
    )


def describe_server(report: ServerReport) -> str:
    """One line per server: health, models, pace, and the placeholder label where it applies."""
    label = (
        f"{report.name}{' (built-in stand-in: placeholder audio)' if report.placeholder else ''}"
    )
    if not report.ok:
        return f"{label}: NOT ANSWERING — {report.problem}"
    parts = [f"{label}: ok"]
    if report.models is not None:
        default = f" (default {report.models.default})" if report.models.default else ""
        parts.append(f"models {', '.join(report.models.names) or 'none listed'}{default}")
    if report.stats is not None:
        parts.append(
            f"server queue {report.stats.queue_size}/{report.stats.queue_maxsize}, "
            f"~{report.stats.avg_job_seconds:.0f} s per job"
        )
    return " · ".join(parts)
