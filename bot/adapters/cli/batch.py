"""`acemusic batch <preset|manifest>`: plan, estimate, confirm, run a batch to its report."""

import asyncio
import json
from pathlib import Path
from typing import IO, Any

import click

from bot.adapters.console.live import LiveProgress
from bot.adapters.console.text import render
from bot.engine.batches.service import run_batch_to_end
from bot.services import Services
from commands.batch import (
    BatchSource,
    plan_manifest_off_loop,
    plan_preset_source_off_loop,
    submit_plan,
)
from commands.context import Caller
from commands.errors import UsageError
from commands.plans import BatchPlan
from storage.batches import BatchTally

EXIT_FAILED = 1
EXIT_USAGE = 2
MANIFEST_SUFFIXES = frozenset({".csv", ".json", ".tsv", ".txt"})
MANIFEST_EXAMPLE = "acemusic batch week.csv (columns: preset,caption,duration,bpm,key,count,tags)"


async def batch_command(
    services: Services,
    source: str,
    *,
    count: int | None,
    seed: int | None,
    dry_run: bool,
    yes: bool,
    as_json: bool,
    progress_stream: IO[str] | None = None,
) -> int:
    """Plan `source` (a manifest file or a preset name), then start and run it unless dry-run.

    Progress goes to `progress_stream` (default: stderr): one live line in a terminal.
    """
    path = Path(source)
    is_file = await asyncio.to_thread(path.is_file)
    planned = await _plan_or_explain(services, path if is_file else None, source, count, seed)
    if planned is None:
        return EXIT_USAGE
    plan, origin = planned
    hint = _confirm_hint(source, None if is_file else plan.tracks, origin.seed)
    origin = BatchSource(origin.name, origin.preset_id, origin.seed, confirm_hint=hint)
    caller = Caller("cli", user_id="cli")
    reply = await submit_plan(services, caller, plan, origin, confirmed=yes, dry_run=dry_run)
    if not as_json or reply.batch_id is None:
        click.echo(render(reply))
    if not reply.ok:
        return EXIT_USAGE
    if reply.batch_id is None:
        return 0 if dry_run else EXIT_USAGE  # a confirmation is needed: the reply says how
    with LiveProgress(f"batch #{reply.batch_id}", "tracks", stream=progress_stream) as live:
        batch = await run_batch_to_end(services, reply.batch_id, lambda t: show_tally(live, t))
    summary: dict[str, Any] = batch.details.get("summary", {}) if batch else {}
    if as_json:
        click.echo(json.dumps({"batch_id": reply.batch_id, **summary}, indent=2, default=str))
    else:
        for line in _summary_lines(reply.batch_id, summary):
            click.echo(line)
    made, asked = summary.get("tracks_made", 0), summary.get("tracks_requested", 0)
    return 0 if made == asked else EXIT_FAILED


async def _plan_or_explain(
    services: Services, path: Path | None, source: str, count: int | None, seed: int | None
) -> tuple[BatchPlan, BatchSource] | None:
    """The plan, or None after printing why there is none (a usage error: exit 2)."""
    problem: str | None = None
    if path is not None and count is not None:
        problem = "--count is for presets; a manifest's rows give their own counts."
    elif path is None and _looks_like_a_file(source):
        problem = f"There is no manifest file {source}.\n  Example: {MANIFEST_EXAMPLE}"
    else:
        try:
            return await _plan(services, path, source, count, seed)
        except UsageError as error:
            problem = f"{error.message}\n  Example: {error.example}"
        except OSError as error:  # unreadable: permissions, a file that went away
            reason = error.strerror or str(error)
            problem = f"Cannot read {source}: {reason}.\n  Example: {MANIFEST_EXAMPLE}"
    click.echo(f"✗ {problem}")
    return None


async def _plan(
    services: Services, path: Path | None, source: str, count: int | None, seed: int | None
) -> tuple[BatchPlan, BatchSource]:
    """The plan for a manifest file (`path`) or a preset name, made off the event loop."""
    if path is None:
        return await plan_preset_source_off_loop(source, services, count=count, seed=seed)
    data = await asyncio.to_thread(path.read_bytes)
    return await plan_manifest_off_loop(data, path.name, services, seed=seed)


def _looks_like_a_file(source: str) -> bool:
    """A name no preset has: a path (a slash) or a manifest's extension."""
    return "/" in source or Path(source).suffix.lower() in MANIFEST_SUFFIXES


def show_tally(live: LiveProgress, tally: BatchTally) -> None:
    """A batch's tally on the live progress line."""
    detail = f"{tally.unfinished} job(s) to go, {tally.failed_jobs} failed"
    live.update(tally.tracks_made, tally.tracks_requested, detail)


def _confirm_hint(source: str, count: int | None, seed: int) -> str:
    quoted = f'"{source}"' if " " in source else source
    counted = f" --count {count}" if count is not None else ""
    return f"acemusic batch {quoted}{counted} --seed {seed} --yes"


def _summary_lines(batch_id: int, summary: dict[str, Any]) -> list[str]:
    lines = [
        f"Batch #{batch_id}: {summary.get('tracks_made', 0)} of "
        f"{summary.get('tracks_requested', 0)} tracks made, "
        f"{summary.get('jobs_failed', 0)} job(s) failed.",
    ]
    for reason, count in (summary.get("failures") or {}).items():
        lines.append(f"  {count}× {reason}")
    lines.append(f"  GPU time (estimated): {summary.get('gpu_seconds_estimated', 0)} s")
    if summary.get("cost_per_track_usd") is not None:
        lines.append(
            f"  Cost: ${summary['cost_usd']:.2f} (${summary['cost_per_track_usd']:.4f} per track)"
        )
    lines.append(f"  Report: {summary.get('report_csv')} and {summary.get('report_json')}")
    return lines
