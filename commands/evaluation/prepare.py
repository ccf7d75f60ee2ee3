"""`eval prepare <session>`: one ACE-Step job per reference, best of K, in one batch.

Each reference (of the zones asked, at most N per zone) becomes a job from its zone's preset with
the reference's length (rounded, clamped to the allowed range), its tempo and key when known, and
its genre and caption words leading the preset's caption; the job makes K variants, of which the
seal step later keeps the one that passed the audio checks and is closest in length. The jobs are
planned like a batch manifest's rows (`commands.plans.plan_rows`, one job per row) and started by
`commands.batch.submit_plan` (estimate, quota, batch priority) as a batch tied to the session
(`evaluation_id`), whose digest shows progress but never the tracks. References that already have
a pair are skipped, so running prepare again only adds what is new.
"""

import asyncio
from collections import defaultdict
from collections.abc import Sequence

from commands.batch import BatchSource, submit_plan
from commands.context import Caller
from commands.errors import UsageError
from commands.evaluation.args import EXAMPLE_IMPORT, EXAMPLE_PREPARE, PrepareArgs
from commands.manifests import ManifestRow
from commands.plans import BatchPlan, plan_rows
from commands.ports import CommandServices
from commands.replies import Reply
from domain import constants as c
from domain.evaluations import EvalReferenceRecord, EvalSessionRecord, EvalStatus
from storage import batches as batches_repo
from storage import evaluations as evaluations_repo
from storage.evaluations import NewPair

PREPARABLE = frozenset({EvalStatus.COLLECTING, EvalStatus.PREPARING, EvalStatus.READY})


async def prepare_session(services: CommandServices, caller: Caller, args: PrepareArgs) -> Reply:
    """Queue the candidates' jobs of a session's references and create their pairs."""
    session = await evaluations_repo.get_session(services.db, args.session)
    if session is None:
        raise UsageError(
            f"No session is called {args.session}. Import its references first.", EXAMPLE_IMPORT
        )
    if session.status not in PREPARABLE:
        return Reply(
            text=f"Session {session.name} is {session.status.value}: its pairs are fixed "
            "once listening starts. Prepare a new session instead.",
            ephemeral=True,
            ok=False,
        )
    references = await evaluations_repo.list_references(services.db, session.id, zones=args.zones)
    if not references:
        where = f" for {', '.join(args.zones)}" if args.zones else ""
        return Reply(
            text=f"Session {session.name} has no references{where}: nothing to prepare. "
            f"Import some first ({EXAMPLE_IMPORT}).",
            ephemeral=True,
            ok=False,
        )
    chosen = _per_zone(references, args.per_zone)
    paired = {
        pair.reference_id for pair in await evaluations_repo.list_pairs(services.db, session.id)
    }
    fresh = [reference for reference in chosen if reference.id not in paired]
    if not fresh:
        return Reply(
            text=f"Every chosen reference of session {session.name} already has its pair; "
            f"`/music eval status {session.name}` shows how far they are.",
            ephemeral=True,
        )
    tracks = len(fresh) * args.best_of
    if tracks > services.policy.batch_max_tracks:
        raise UsageError(
            f"{len(fresh)} references × best of {args.best_of} is {tracks} tracks; a batch makes "
            f"at most {services.policy.batch_max_tracks} (BATCH_MAX_TRACKS). Use --per-zone, "
            "--zones or a smaller --best-of.",
            EXAMPLE_PREPARE,
        )
    return await _start(
        services, caller, session, fresh, args, missing=_missing_zones(args, references)
    )


async def _start(
    services: CommandServices,
    caller: Caller,
    session: EvalSessionRecord,
    fresh: Sequence[EvalReferenceRecord],
    args: PrepareArgs,
    *,
    missing: Sequence[str],
) -> Reply:
    plan = await asyncio.to_thread(
        plan_rows,
        [candidate_row(reference, args.best_of) for reference in fresh],
        presets=services.presets,
        defaults=services.policy.defaults,
        seed=session.seed,
        one_job_per_row=True,
    )
    names = {reference.id: reference.original_name for reference in fresh}
    problems = [f"{names.get(p.row, p.row)}: {p.message}" for p in plan.problems]
    problems += [f"No references for zone {zone}." for zone in missing]
    source = BatchSource(f"eval {session.name}", None, session.seed, evaluation_id=session.id)
    started = await submit_plan(services, caller, BatchPlan(plan.jobs), source, confirmed=True)
    if started.batch_id is None:
        return Reply(text=started.text, lines=(*started.lines, *problems), ephemeral=True, ok=False)
    batch = await batches_repo.get_batch(services.db, started.batch_id)
    job_rows: dict[str, int] = batch.details.get("job_rows", {}) if batch else {}
    job_of = {row: int(job_id) for job_id, row in job_rows.items()}
    zone_of = {reference.id: reference.zone for reference in fresh}
    pairs = await evaluations_repo.create_pairs(
        services.db,
        session.id,
        [NewPair(ref_id, zone_of[ref_id], job_id) for ref_id, job_id in job_of.items()],
        seed=session.seed,
    )
    settings = {"zones": list(args.zones or []), "per_zone": args.per_zone, "best_of": args.best_of}
    await evaluations_repo.move_session(
        services.db,
        session.id,
        expect=PREPARABLE,
        to=EvalStatus.PREPARING,
        batch_id=started.batch_id,
        settings=session.settings | settings,
    )
    return Reply(
        title=f"Session {session.name}: preparing {len(pairs)} pair(s), best of {args.best_of}",
        text=f"{len(pairs)} ACE-Step job(s) queued behind interactive requests (batch "
        f"#{started.batch_id}); `/music eval status {session.name}` shows progress.",
        fields=started.fields,
        lines=tuple(problems),
        batch_id=started.batch_id,
    )


def candidate_row(reference: EvalReferenceRecord, best_of: int) -> ManifestRow:
    """The batch row making a reference's candidates: its zone's preset, length, tempo, key and
    words, `best_of` variants in one job. The row number is the reference's id."""
    words = " ".join(part for part in (reference.genre, reference.caption) if part)
    return ManifestRow(
        row=reference.id,
        preset=reference.zone,
        caption=words,
        duration=str(candidate_duration(reference.duration_s)),
        bpm=str(reference.bpm) if reference.bpm is not None else None,
        key=reference.key,
        count=best_of,
    )


def candidate_duration(seconds: float) -> int:
    """A reference's length as a request's: whole seconds within the allowed range."""
    return min(max(round(seconds), c.DURATION_MIN_S), c.DURATION_MAX_S)


def _per_zone(
    references: Sequence[EvalReferenceRecord], per_zone: int | None
) -> list[EvalReferenceRecord]:
    """The first `per_zone` references of each zone, in import order (all without a limit)."""
    if per_zone is None:
        return list(references)
    taken: dict[str, int] = defaultdict(int)
    chosen = []
    for reference in references:
        if taken[reference.zone] < per_zone:
            taken[reference.zone] += 1
            chosen.append(reference)
    return chosen


def _missing_zones(args: PrepareArgs, references: Sequence[EvalReferenceRecord]) -> list[str]:
    have = {reference.zone for reference in references}
    return [zone for zone in args.zones or () if zone not in have]
