"""`/music batch <preset> xN`: many varied tracks from a preset (or a manifest) in one go.

Every way to start a batch — the slash command, a manifest posted with `@bot batch`, `acemusic
batch`, a schedule — ends in `submit_plan`: the estimate (tracks, GPU time, cost) first, a
confirmation when the batch is larger than BATCH_CONFIRM_TRACKS, then the batch and all its jobs
are stored in one transaction at batch priority, so interactive requests always go first.
"""

import asyncio
import re
import secrets
from dataclasses import dataclass

from commands import messages as msg
from commands.batch_sample import parse_sample_request, sample_more
from commands.context import Caller
from commands.errors import UsageError
from commands.manifests import RowProblem, check_total, read_manifest
from commands.plans import BatchPlan, plan_preset, plan_rows
from commands.ports import CommandServices
from commands.replies import Reply
from domain.constants import PRIORITY_BATCH
from domain.estimates import BatchEstimate
from domain.records import BatchRecord
from domain.samples import SampleRule
from storage import batches as batches_repo
from storage.batches import NewJob

EXAMPLE = "/music batch spa x50"
_COUNT = re.compile(r"^x?(\d+)$", re.IGNORECASE)
_SEED = re.compile(r"^seed=(\d+)$", re.IGNORECASE)
_CONFIRM_WORDS = frozenset({"confirm", "yes", "go"})


@dataclass(frozen=True)
class BatchArgs:
    """What follows `/music batch`: a preset and its words, a count, a seed, a confirmation."""

    words: str
    count: int | None
    seed: int | None
    confirmed: bool


@dataclass(frozen=True)
class BatchSource:
    """Where a plan came from, for the batch's name and record."""

    name: str
    preset_id: str | None
    seed: int
    schedule_id: int | None = None
    confirm_hint: str | None = None  # the command that confirms, shown when confirmation is due
    evaluation_id: int | None = None  # the listening-test session the batch makes candidates for


def parse_batch_args(text: str) -> BatchArgs:
    """`spa x50 seed=7 confirm` -> words 'spa', count 50, seed 7, confirmed."""
    words, count, seed, confirmed = [], None, None, False
    for token in text.split():
        if (found := _COUNT.match(token)) is not None and count is None:
            count = int(found[1])
        elif (found := _SEED.match(token)) is not None:
            seed = int(found[1])
        elif token.lower() in _CONFIRM_WORDS:
            confirmed = True
        else:
            words.append(token)
    return BatchArgs(" ".join(words), count, seed, confirmed)


def plan_from_args(args: BatchArgs, services: CommandServices, *, seed: int) -> BatchPlan:
    """The plan for `/music batch` words: the preset they name, led by any other words."""
    if not args.words:
        raise UsageError(msg.batch_needs_preset(), EXAMPLE)
    match = services.presets.match_alias(args.words)
    if match is None:
        raise UsageError(msg.batch_unknown_preset(args.words), EXAMPLE)
    start, end = match.span
    extra = f"{args.words[:start]} {args.words[end:]}".strip(" ,")
    return plan_preset(
        match.preset.id,
        args.count,
        presets=services.presets,
        defaults=services.policy.defaults,
        seed=seed,
        extra_text=extra,
        max_tracks=services.policy.batch_max_tracks,
    )


def plan_preset_source(
    words: str, services: CommandServices, *, count: int | None, seed: int | None
) -> tuple[BatchPlan, BatchSource]:
    """A plan from a preset name (and lead words) with a count: the CLI's and schedules' form."""
    chosen = seed if seed is not None else secrets.randbelow(2**31)
    plan = plan_from_args(BatchArgs(words, count, chosen, True), services, seed=chosen)
    preset_id = plan.jobs[0].request.preset_id if plan.jobs else None
    return plan, BatchSource(preset_id or words, preset_id, chosen)


def plan_manifest(
    data: bytes, filename: str, services: CommandServices, *, seed: int | None
) -> tuple[BatchPlan, BatchSource]:
    """A plan from a CSV or JSON manifest; rows that cannot be used are reported, not fatal.
    The tracks asked for are totalled first: above BATCH_MAX_TRACKS nothing is planned."""
    chosen = seed if seed is not None else secrets.randbelow(2**31)
    rows, problems = read_manifest(data, filename)
    check_total(rows, filename, max_tracks=services.policy.batch_max_tracks)
    plan = plan_rows(rows, presets=services.presets, defaults=services.policy.defaults, seed=chosen)
    merged = BatchPlan(plan.jobs, tuple(sorted([*problems, *plan.problems], key=_row_of)))
    return merged, BatchSource(filename, None, chosen)


async def plan_manifest_off_loop(
    data: bytes, filename: str, services: CommandServices, *, seed: int | None
) -> tuple[BatchPlan, BatchSource]:
    """`plan_manifest` in a worker thread: a large manifest takes seconds to plan, which must not
    stall the bot's event loop (acks, other people's commands, the engine)."""
    return await asyncio.to_thread(plan_manifest, data, filename, services, seed=seed)


async def plan_preset_source_off_loop(
    words: str, services: CommandServices, *, count: int | None, seed: int | None
) -> tuple[BatchPlan, BatchSource]:
    """`plan_preset_source` in a worker thread (see `plan_manifest_off_loop`)."""
    return await asyncio.to_thread(plan_preset_source, words, services, count=count, seed=seed)


def _row_of(problem: RowProblem) -> int:
    return problem.row


async def batch(text: str, services: CommandServices, caller: Caller) -> Reply:
    """batch <preset> [xN] [confirm] — N varied tracks, e.g. `batch spa x50`; `batch 12 sample 10`

    Batches larger than BATCH_POST_ALL_MAX post a listening sample (`commands.batch_sample`)."""
    if (asked := parse_sample_request(text)) is not None:
        return await sample_more(services, caller, *asked)
    args = parse_batch_args(text)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    plan = await asyncio.to_thread(plan_from_args, args, services, seed=seed)
    preset_id = plan.jobs[0].request.preset_id if plan.jobs else None
    again = f"/music batch {args.words} x{plan.tracks} seed={seed} confirm"
    source = BatchSource(preset_id or args.words, preset_id, seed, confirm_hint=again)
    return await submit_plan(services, caller, plan, source, confirmed=args.confirmed)


async def submit_plan(
    services: CommandServices,
    caller: Caller,
    plan: BatchPlan,
    source: BatchSource,
    *,
    confirmed: bool,
    dry_run: bool = False,
) -> Reply:
    """Estimate a plan; start it when it is small enough, confirmed, and within the quota."""
    if not plan.jobs:
        problems = tuple(f"Row {p.row}: {p.message}" for p in plan.problems)
        return Reply(text=msg.batch_empty(), lines=problems, ephemeral=True, ok=False)
    estimate = await services.fleet.estimate_batch(
        tracks=plan.tracks,
        jobs=len(plan.jobs),
        cost_per_hour=services.policy.gpu_cost_per_hour,
    )
    fields = estimate_fields(estimate)
    problems = tuple(f"Row {p.row}: {p.message}" for p in plan.problems)
    if dry_run:
        title = msg.batch_dry_run(source.name, plan.tracks)
        return Reply(text=title, fields=fields, lines=problems, ephemeral=True)
    threshold = services.policy.batch_confirm_tracks
    if plan.tracks > threshold and not confirmed:
        text = msg.batch_needs_confirmation(plan.tracks, threshold, source.confirm_hint)
        return Reply(text=text, fields=fields, lines=problems, ephemeral=True)
    refusal = await caller.refusal(plan.tracks)
    if refusal:
        return Reply(text=refusal, ephemeral=True, ok=False)
    batch, job_ids = await _store(services, caller, plan, source, estimate)
    services.engine.wake()
    return Reply(
        title=msg.batch_started(batch.id, source.name, plan.tracks),
        text=msg.batch_started_text(len(job_ids)),
        fields=fields,
        lines=problems,
        batch_id=batch.id,
    )


async def _store(
    services: CommandServices,
    caller: Caller,
    plan: BatchPlan,
    source: BatchSource,
    estimate: BatchEstimate,
) -> tuple[BatchRecord, list[int]]:
    jobs = [NewJob(job.request.model_dump(mode="json"), job.notes) for job in plan.jobs]
    details = {
        "schedule_id": source.schedule_id,
        "skipped_rows": [{"row": p.row, "problem": p.message} for p in plan.problems],
        "estimate": {
            "gpu_seconds": round(estimate.gpu_seconds, 1),
            "job_seconds": round(estimate.job_seconds, 2),
            "job_seconds_measured": estimate.measured,
            "cost_usd": None if estimate.cost is None else round(estimate.cost, 2),
        },
    }
    batch, job_ids = await batches_repo.create_batch(
        services.db,
        name=source.name,
        origin=caller.origin,
        jobs=jobs,
        priority=PRIORITY_BATCH,
        preset_id=source.preset_id,
        seed=source.seed,
        requested_by=caller.user_id,
        channel_id=caller.channel_id,
        details=details,
        evaluation_id=source.evaluation_id,
        sample=sample_rule(services, plan.tracks, evaluation=source.evaluation_id is not None),
    )
    tags = {str(i): list(j.tags) for i, j in zip(job_ids, plan.jobs, strict=True) if j.tags}
    rows = {str(i): j.row for i, j in zip(job_ids, plan.jobs, strict=True) if j.row is not None}
    if tags or rows:
        batch = (
            await batches_repo.update_details(services.db, batch.id, job_tags=tags, job_rows=rows)
            or batch
        )
    return batch, job_ids


def sample_rule(services: CommandServices, tracks: int, *, evaluation: bool) -> SampleRule | None:
    """How a new batch of `tracks` tracks is posted: every track up to BATCH_POST_ALL_MAX, else
    a listening sample (decided now, so a later change of the settings leaves it alone). A
    listening test's candidates are never posted, so they need no sample."""
    policy = services.policy
    if evaluation or tracks <= policy.batch_post_all_max:
        return None
    return SampleRule(policy.batch_sample_tracks, policy.batch_post_all_max)


def estimate_fields(estimate: BatchEstimate) -> tuple[tuple[str, str], ...]:
    """The estimate as label/value rows."""
    return (
        ("Tracks", f"{estimate.tracks} in {estimate.jobs} jobs"),
        ("GPU time", msg.gpu_time(estimate.gpu_seconds, estimate.job_seconds, estimate.measured)),
        ("Ready in", msg.ready_in(estimate.wall_seconds, estimate.servers)),
        ("Cost", msg.cost(estimate.cost, estimate.cost_per_track)),
    )
