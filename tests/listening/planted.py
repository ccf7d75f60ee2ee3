"""A listening session made directly through storage, for the command, CLI and Slack tests.

`plant_session` stores what `eval import` and `eval prepare` would have left behind: references
from the incumbent (source "Mureka", revealing file names), one finished ACE-Step job per
reference inside a batch of the session (its tracks carry a seed, a turbo model name, the preset's
caption and the server's "Total Time"), and READY pairs whose two listening files are real, small,
untagged MP3s named `pair-07-A.mp3` / `pair-07-B.mp3`. The session ends READY (not started).

`PLAN` is the planted data set with one zone clearly GO, one clearly NO-GO and one UNDECIDED.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import numpy as np

from audiofile.codec import write_audio
from domain.evaluations import EvalPairRecord, EvalSessionRecord, EvalStatus, PairState
from domain.records import JobStatus
from domain.request import GenerationRequest
from storage import batches as batches_repo
from storage import evaluations as evals
from storage import jobs as jobs_repo
from storage import tracks as tracks_repo
from storage.batches import NewJob
from storage.database import Database

# Things a rater must never see before close (the blinding test looks for each).
SOURCE: Final = "Mureka"
MODEL: Final = "acestep-v15-turbo"
SEED: Final = "918273645"
CAPTION_WORD: Final = "marimba-glow"  # in every candidate's caption
SERVER_SECONDS: Final = 30.0  # each candidate job's "Total Time"
RATERS: Final = ("U0RATER1", "U0RATER2", "U0RATER3")

# zone -> one (ACE-Step score, incumbent score) per pair, the same from every rater
PLAN: Final[dict[str, list[tuple[int, int]]]] = {
    "spa": [(4, 4), (5, 4), (4, 5), (4, 4), (5, 5), (4, 4)],  # GO: ACE-Step ≈ incumbent
    "hotel-lobby": [(2, 5), (1, 5), (2, 4), (2, 5), (1, 4), (2, 5)],  # NO-GO: far below
    "cafe": [(5, 5), (3, 5)],  # UNDECIDED: two pairs, ratio 0.8
}
NO_CANDIDATE_ZONE: Final = "spa"  # one more spa reference whose job failed every variant


@dataclass
class Planted:
    """The stored session and what the tests need to know about it."""

    session: EvalSessionRecord
    pairs: list[EvalPairRecord]  # READY pairs, by number
    missing: list[EvalPairRecord]  # NO_CANDIDATE pairs
    scores: dict[int, tuple[int, int]] = field(default_factory=dict)  # pair id -> (ACE, incumbent)
    originals: list[str] = field(default_factory=list)  # the references' original file names


def _request(zone: str) -> dict[str, object]:
    request = GenerationRequest(
        caption=f"{CAPTION_WORD} {zone} groove", duration_s=30, variants=2, preset_id=zone
    )
    return request.model_dump(mode="json")


def _tone(seconds: float, freq: float) -> np.ndarray:
    t = np.arange(int(seconds * 22_050)) / 22_050
    return (0.2 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


async def plant_session(
    db: Database,
    output_dir: Path,
    *,
    name: str = "q1",
    owner: str | None = "U0OWNER",
    plan: dict[str, list[tuple[int, int]]] = PLAN,
    placeholder: bool = True,
) -> Planted:
    """A READY session with READY pairs from `plan` (plus one pair without a candidate)."""
    session, _ = await evals.get_or_create_session(db, name, origin="slack", owner=owner, seed=11)
    planned = [(zone, scores) for zone, rows in plan.items() for scores in rows]
    refs = []
    for index, (zone, _scores) in enumerate([*planned, (NO_CANDIDATE_ZONE, (0, 0))]):
        original = f"{SOURCE.lower()}-{zone}-take{index}.mp3"
        ref, _ = await evals.add_reference(
            db,
            session.id,
            zone=zone,
            file_path=str(output_dir / "eval" / "refs" / f"{index:064x}.mp3"),
            sha256=f"{index:064x}",
            size_bytes=1000,
            duration_s=2.0,
            audio_format="mp3",
            original_name=original,
            source=SOURCE,
            caption=f"incumbent {zone} reference",
        )
        refs.append(ref)
    _batch, job_ids = await batches_repo.create_batch(
        db,
        name=f"eval {name}",
        origin="slack",
        jobs=[NewJob(_request(ref.zone)) for ref in refs],
        priority=5,
        evaluation_id=session.id,
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    failed_job = job_ids[-1]
    for job_id in job_ids:
        await jobs_repo.update_job(
            db,
            job_id,
            status=JobStatus.FAILED if job_id == failed_job else JobStatus.DONE,
            submitted_at=start,
            finished_at=start + timedelta(seconds=90),
        )
    made = await evals.create_pairs(
        db,
        session.id,
        [
            evals.NewPair(ref.id, ref.zone, job_id)
            for ref, job_id in zip(refs, job_ids, strict=True)
        ],
        seed=session.seed,
    )
    by_ref = {pair.reference_id: pair for pair in made}
    folder = output_dir / "eval" / name
    planted = Planted(session, [], [], originals=[ref.original_name for ref in refs])
    for index, ref in enumerate(refs):
        pair = by_ref[ref.id]
        job_id = job_ids[index]
        if job_id == failed_job:
            missing = await evals.update_pair(
                db,
                pair.id,
                state=PairState.NO_CANDIDATE,
                reason="no ACE-Step candidate: all 2 variants failed the audio checks",
            )
            assert missing is not None
            planted.missing.append(missing)
            continue
        track_ids = []
        for variant in (1, 2):
            track = await tracks_repo.add_track(
                db,
                job_id=job_id,
                variant=variant,
                file_path=str(output_dir / f"{job_id}-{variant}-{MODEL}-PLACEHOLDER.mp3"),
                file_size=1000,
                audio_format="mp3",
                server="builtin",
                task_id=f"task-{job_id}",
                caption=f"{CAPTION_WORD} {ref.zone} groove",
                lyrics="[Instrumental]",
                metas={"bpm": 90},
                request_sent={"prompt": CAPTION_WORD},
                seed=SEED,
                dit_model=MODEL,
                generation_info=f"seeds {SEED}\n\n**⏱️ Total Time: {SERVER_SECONDS:.2f}s**",
                duration_s=2.0,
                qc_verdict="pass",
                placeholder=placeholder,
            )
            track_ids.append(track.id)
        side = "A" if pair.number % 2 else "B"
        file_a = folder / f"{pair.label}-A.mp3"
        file_b = folder / f"{pair.label}-B.mp3"
        write_audio(_tone(1.0, 330.0), 22_050, file_a, "mp3")
        write_audio(_tone(1.0, 440.0), 22_050, file_b, "mp3")
        ready = await evals.update_pair(
            db,
            pair.id,
            state=PairState.READY,
            track_id=track_ids[0],
            ace_side=side,
            file_a=str(file_a),
            file_b=str(file_b),
        )
        assert ready is not None
        planted.pairs.append(ready)
        planted.scores[ready.id] = planned[index][1]
    planted.pairs.sort(key=lambda pair: pair.number)
    moved = await evals.move_session(
        db, session.id, expect={EvalStatus.COLLECTING}, to=EvalStatus.READY
    )
    assert moved is not None
    planted.session = moved
    return planted


def ab_scores(pair: EvalPairRecord, ace: int, incumbent: int) -> tuple[int, int]:
    """The (A, B) a rater types to give ACE-Step `ace` and the incumbent `incumbent`."""
    return (ace, incumbent) if pair.ace_side == "A" else (incumbent, ace)
