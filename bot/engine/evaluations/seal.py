"""Sealing listening-test pairs: once a reference's ACE-Step job has finished, pick its candidate,
render the two blinded listening files, and mark the session READY when every pair is settled.

For each WAITING pair of a PREPARING session whose job has finished:
- the reference file is gone -> BROKEN, "reference file missing";
- the job failed or was cancelled -> NO_CANDIDATE, "no ACE-Step candidate: the job failed: …";
- no variant kept with the audio checks' verdict "pass" -> NO_CANDIDATE, "no ACE-Step candidate:
  all K variants failed the audio checks" (a failing variant never represents ACE-Step);
- else, of the passing variants, those that obeyed the request (measured tempo and key within
  tolerance: `domain.analysis.Adherence.obeys`; a variant never analysed counts as obeying) come
  first, and of those the one closest in length to the reference (ties: the lowest variant) is
  the candidate. A tempo or key miss alone does not stop a variant passing (QC_ADHERENCE turns it
  into a warning or a failure; here it only ranks the variant last). ACE-Step's side is drawn
  with `random.Random(f"{seed}:{number}")`, and
  `bot.engine.audio.blind.render_pair_async` writes `OUTPUT_DIR/eval/<session>/pair-07-A.mp3` and
  `-B.mp3` -> READY (a file the renderer cannot use -> BROKEN with its reason).

Everything is decided from the rows as they stand, so a process killed mid-way leaves the pair
WAITING and the next pass (in any process running the engine) simply does it again; the renderer
renames its files into place only when both are complete. Any process that runs the engine runs
`run_evaluation_keeper`, as it runs the batch keeper.
"""

import asyncio
import logging
import math
import random
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from bot.engine.audio.blind import BlindingError, ListeningPair, render_pair_async
from bot.engine.jobs.events import JobEvent
from bot.engine.jobs.runner import JobEngine
from bot.settings import Settings
from bot.waiting import nap
from domain.adherence_words import misses
from domain.evaluations import (
    SIDES,
    EvalPairRecord,
    EvalReferenceRecord,
    EvalSessionRecord,
    EvalStatus,
    PairState,
    Side,
    session_folder,
)
from domain.records import JobRecord, JobStatus, TrackRecord
from storage import evaluations as evaluations_repo
from storage import jobs as jobs_repo
from storage import tracks as tracks_repo
from storage.database import Database

log = logging.getLogger(__name__)

SEAL_EVERY_S = 5.0  # also woken by every finished batch job
PASSING = "pass"
REFERENCE_MISSING = "reference file missing"

Sealed = Callable[[EvalSessionRecord], Awaitable[None]]


class SealServices(Protocol):
    """What sealing uses (the composition root's `Services` is one)."""

    @property
    def settings(self) -> Settings:
        """OUTPUT_DIR (listening files go to OUTPUT_DIR/eval/<session>)."""
        ...

    @property
    def db(self) -> Database:
        """Sessions, pairs, references, jobs and tracks."""
        ...

    @property
    def engine(self) -> JobEngine:
        """Its events and clock."""
        ...


def draw_side(seed: int, number: int) -> Side:
    """ACE-Step's side of pair `number`: drawn from the session's seed, the same on every rerun."""
    return random.Random(f"{seed}:{number}").choice(SIDES)


def choose_candidate(tracks: list[TrackRecord], reference_s: float) -> TrackRecord | None:
    """The kept variant that passed the audio checks, obeyed the request (tempo, key, length as
    measured) before one that did not, then closest in length to the reference (ties: the lowest
    variant); None when none passed."""
    passing = [track for track in tracks if not track.rejected and passed_audio_checks(track)]
    if not passing:
        return None

    def rank(track: TrackRecord) -> tuple[bool, float, int]:
        length = track.duration_s if track.duration_s is not None else math.inf
        disobeys = track.adherence is not None and not track.adherence.obeys
        return disobeys, abs(length - reference_s), track.variant

    return min(passing, key=rank)


def passed_audio_checks(track: TrackRecord) -> bool:
    """The verdict "pass", or a warning or failure whose only problems are tempo or key misses
    (QC_ADHERENCE): the audio itself is sound, and `choose_candidate` ranks it after obeying
    variants."""
    if track.qc_verdict == PASSING:
        return True
    missed = misses(track.adherence)
    return bool(missed) and set(track.qc_problems) <= set(missed)


async def seal_sessions(services: SealServices) -> list[EvalSessionRecord]:
    """Seal every WAITING pair whose job finished, in every PREPARING session; return the
    sessions this call moved to READY."""
    ready = []
    sessions = await evaluations_repo.list_sessions(
        services.db, statuses={EvalStatus.PREPARING}, limit=None
    )
    for session in sessions:
        waiting = await evaluations_repo.list_pairs(
            services.db, session.id, states={PairState.WAITING}
        )
        for pair in waiting:
            await seal_pair(services, session, pair)
        if await evaluations_repo.list_pairs(services.db, session.id, states={PairState.WAITING}):
            continue
        moved = await evaluations_repo.move_session(
            services.db, session.id, expect={EvalStatus.PREPARING}, to=EvalStatus.READY
        )
        if moved is not None:
            log.info("listening-test session %s is ready", session.name)
            ready.append(moved)
    return ready


async def seal_pair(
    services: SealServices, session: EvalSessionRecord, pair: EvalPairRecord
) -> EvalPairRecord | None:
    """Settle one WAITING pair if its job has finished; the pair as it now stands (None: gone)."""
    job = await jobs_repo.get_job(services.db, pair.job_id) if pair.job_id is not None else None
    if job is not None and not job.status.finished:
        return pair
    reference = await evaluations_repo.get_reference(services.db, pair.reference_id)
    if reference is None or not await asyncio.to_thread(Path(reference.file_path).is_file):
        return await _settle(services, pair, PairState.BROKEN, REFERENCE_MISSING)
    if job is None:
        return await _settle(
            services, pair, PairState.NO_CANDIDATE, _no_candidate("its job is gone")
        )
    if job.status is not JobStatus.DONE:
        return await _settle(services, pair, PairState.NO_CANDIDATE, _job_problem(job))
    tracks = await tracks_repo.list_tracks(
        services.db, job_ids=[job.id], include_rejected=True, limit=None, oldest_first=True
    )
    present = [track for track in tracks if await asyncio.to_thread(Path(track.file_path).is_file)]
    chosen = choose_candidate(present, reference.duration_s)
    if chosen is None:
        variants = int(job.request.get("variants", len(tracks)))
        why = f"all {variants} variants failed the audio checks"
        if choose_candidate(tracks, reference.duration_s) is not None:
            why = "the files of the variants that passed the audio checks are missing"
        return await _settle(services, pair, PairState.NO_CANDIDATE, _no_candidate(why))
    return await _render(
        services, session, pair=pair, reference=reference, chosen=chosen, tracks=tracks
    )


async def _render(
    services: SealServices,
    session: EvalSessionRecord,
    *,
    pair: EvalPairRecord,
    reference: EvalReferenceRecord,
    chosen: TrackRecord,
    tracks: list[TrackRecord],
) -> EvalPairRecord | None:
    side = draw_side(session.seed, pair.number)
    folder = session_folder(services.settings.output_dir, session.name)
    try:
        rendered = await render_pair_async(
            Path(reference.file_path),
            Path(chosen.file_path),
            folder,
            number=pair.number,
            ace_side=side,
        )
    except BlindingError as exc:
        return await _settle(services, pair, PairState.BROKEN, str(exc))
    return await evaluations_repo.update_pair(
        services.db,
        pair.id,
        state=PairState.READY,
        track_id=chosen.id,
        ace_side=side,
        file_a=str(rendered.a.path),
        file_b=str(rendered.b.path),
        reason=None,
        details=_details(rendered, chosen, tracks),
    )


def _details(
    rendered: ListeningPair, chosen: TrackRecord, tracks: list[TrackRecord]
) -> dict[str, Any]:
    files = {
        side: {
            "integrated_lufs": round(file.integrated_lufs, 2),
            "true_peak_dbtp": round(file.true_peak_dbtp, 2),
            "duration_s": round(file.duration_s, 2),
        }
        for side, file in (("A", rendered.a), ("B", rendered.b))
    }
    return {
        "loudness": files,
        "gain_db_reference": round(rendered.gain_db_reference, 2),
        "gain_db_candidate": round(rendered.gain_db_candidate, 2),
        "variant": chosen.variant,
        "variants_considered": len(tracks),
        "variants_passing": sum(1 for t in tracks if not t.rejected and passed_audio_checks(t)),
        "variants_obeying": sum(
            1 for t in tracks if not t.rejected and t.adherence is not None and t.adherence.obeys
        ),
        "placeholder": chosen.placeholder,
    }


async def _settle(
    services: SealServices, pair: EvalPairRecord, state: PairState, reason: str
) -> EvalPairRecord | None:
    log.info("pair %s of session %d: %s (%s)", pair.label, pair.session_id, state.value, reason)
    return await evaluations_repo.update_pair(services.db, pair.id, state=state, reason=reason)


def _no_candidate(why: str) -> str:
    return f"no ACE-Step candidate: {why}"


def _job_problem(job: JobRecord) -> str:
    if job.status is JobStatus.CANCELLED:
        return _no_candidate("the job was cancelled")
    return _no_candidate(f"the job failed: {job.error or 'no reason given'}")


async def run_evaluation_keeper(
    services: SealServices, stop: asyncio.Event, *, on_ready: Sealed | None = None
) -> None:
    """Seal pairs until `stop`: every few seconds, and whenever a batch job finishes."""
    wake = asyncio.Event()

    async def on_event(event: JobEvent) -> None:
        if event.job.batch_id is not None and event.job.status.finished:
            wake.set()

    unsubscribe = services.engine.events.subscribe(on_event)
    try:
        while not stop.is_set():
            try:
                for session in await seal_sessions(services):
                    if on_ready is not None:
                        await on_ready(session)
            except Exception:  # a bad pass must not stop the keeper; the next one retries
                log.exception("sealing listening-test pairs failed; trying again shortly")
            await nap(wake, stop, SEAL_EVERY_S)
    finally:
        unsubscribe()


async def run_session_to_end(
    services: SealServices, session_id: int, emit: Callable[[str], None], *, every_s: float = 5.0
) -> EvalSessionRecord | None:
    """Run the engine until a session's pairs are all settled and it is READY (CLI use).

    Progress goes to `emit` every `every_s` seconds. Returns the session (None: it does not exist).
    Stops early when the session is no longer PREPARING (e.g. another process made it READY).
    """
    stop = asyncio.Event()
    engine = asyncio.create_task(services.engine.run_forever(stop))
    try:
        loop = asyncio.get_running_loop()
        last = -every_s
        while True:
            await seal_sessions(services)
            session = await evaluations_repo.get_session_by_id(services.db, session_id)
            if session is None or session.status is not EvalStatus.PREPARING:
                return session
            if loop.time() - last >= every_s:
                last = loop.time()
                pairs = await evaluations_repo.list_pairs(services.db, session_id)
                settled = sum(1 for pair in pairs if pair.state.settled)
                emit(f"eval {session.name}: {settled}/{len(pairs)} pairs settled")
            await asyncio.sleep(0.2)
    finally:
        stop.set()
        await engine
