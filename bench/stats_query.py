"""Ratings insight on a 100K-track database: how long `storage.stats.gather` takes.

    uv run python bench/stats_query.py                 # 100,000 tracks, 5 runs per period
    uv run python bench/stats_query.py --tracks 20000 --runs 7

Builds a database through the migrations (`Database.open`), then fills it in bulk with SQLAlchemy
Core over the ORM tables (so column types, packing and defaults are the repository's own): jobs
of 4 variants over 12 presets, one task document per job, tracks spread over 120 days (3 DiT
models, 2 LM models, 10 % placeholder, 5 % failed audio check, 20 % approved, 5 % rejected by 3
approvers), about 1.5 ratings per track from 12 raters (one in ten people reacting twice, so
`counted` has to pick the latest), and an open listening session whose 200 jobs must be hidden.

It then times `gather` for 7d, 30d and all time (median and worst of --runs after one warm-up
run), wall and CPU time, and the chart's rendering for the 30-day figures. Target: all time
<= 1.0 s wall (on a loaded machine the CPU time is the figure to compare).
Exit status 1 when the target is missed; with --smoke (2,000 tracks) nothing is judged.
"""

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert

from commands.stats.chart import stats_png
from commands.stats.figures import Period
from domain.evaluations import EvalStatus
from storage import stats as stats_repo
from storage._provenance import task_document
from storage.database import Database
from storage.schema import Batch, EvalSession, Job, Rating, TaskResult, Track

TARGET_ALL_S = 1.0
VARIANTS = 4
PRESETS = [f"preset-{n:02d}" for n in range(12)]
DIT = ("acestep-v15-turbo", "acestep-v15-base", "acestep-v15-sft")
LM = ("acestep-5Hz-lm-1.7B", "acestep-5Hz-lm-0.6B")
RATERS = [f"U{n:04d}" for n in range(12)]
APPROVERS = ("UA1", "UA2", "UA3")
BLINDED_JOBS = 200
CHUNK = 5000


def build(path: Path, tracks: int, seed: int = 7) -> None:
    """The database (see the module docstring)."""

    async def migrate() -> None:
        db = await Database.open(f"sqlite+aiosqlite:///{path}")
        await db.close()

    asyncio.run(migrate())
    rng = random.Random(seed)
    now = datetime.now(UTC)
    engine = create_engine(f"sqlite:///{path}")
    jobs = tracks // VARIANTS
    with engine.begin() as connection:
        session = connection.execute(
            insert(EvalSession).values(
                name="open", status=EvalStatus.LISTENING, origin="cli", seed=1, raters=[],
                settings={}, created_at=now, updated_at=now,
            )
        ).inserted_primary_key  # fmt: skip
        assert session is not None
        batch = connection.execute(
            insert(Batch).values(
                name="eval open", status="running", requested_count=BLINDED_JOBS, origin="cli",
                evaluation_id=session[0], details={}, created_at=now,
            )
        ).inserted_primary_key  # fmt: skip
        assert batch is not None
        job_rows, result_rows, track_rows, rating_rows = [], [], [], []
        track_id = 0
        for job_id in range(1, jobs + 1):
            made = now - timedelta(days=rng.uniform(0, 120))
            preset = rng.choice(PRESETS)
            placeholder = rng.random() < 0.10
            dit = "acemusic-placeholder-1" if placeholder else rng.choice(DIT)
            lm = None if placeholder else rng.choice(LM)
            job_rows.append({
                "id": job_id, "status": "done", "priority": 0, "origin": "slack",
                "request": {"preset_id": preset, "caption": "calm", "variants": VARIANTS},
                "created_at": made, "updated_at": made, "notes": [],
                "batch_id": batch[0] if job_id <= BLINDED_JOBS else None,
            })  # fmt: skip
            items = [{"file": f"/a/{job_id}-{v}.mp3", "dit_model": dit, "lm_model": lm,
                      "prompt": "calm", "metas": {}} for v in range(VARIANTS)]  # fmt: skip
            result_rows.append({
                "id": job_id, "job_id": job_id, "task_id": f"t{job_id}", "created_at": made,
                "document": task_document({"prompt": "calm"}, items),
            })  # fmt: skip
            for variant in range(VARIANTS):
                track_id += 1
                draw = rng.random()
                approval = "approved" if draw < 0.20 else "rejected" if draw < 0.25 else None
                track_rows.append({
                    "id": track_id, "job_id": job_id, "variant": variant + 1,
                    "file_path": f"/o/{track_id}.mp3", "file_size": 1, "audio_format": "mp3",
                    "created_at": made, "server": "s", "task_id": f"t{job_id}",
                    "source_id": job_id, "result_index": variant, "qc_problems": [],
                    "qc_verdict": "fail" if rng.random() < 0.05 else "pass",
                    "placeholder": placeholder, "preset_id": preset, "dit_model_name": dit,
                    "lm_model_name": lm, "approval": approval,
                    "approval_by": rng.choice(APPROVERS) if approval else None,
                    "approval_at": made if approval else None,
                })  # fmt: skip
                for rater in rng.sample(RATERS, rng.choice((0, 1, 1, 2, 2, 3))):
                    for emoji in ("a", "b") if rng.random() < 0.1 else ("a",):
                        rating_rows.append({
                            "track_id": track_id, "user_id": rater, "emoji": emoji,
                            "score": rng.randint(1, 5), "created_at": made,
                        })  # fmt: skip
        for table, rows in (
            (Job, job_rows), (TaskResult, result_rows), (Track, track_rows), (Rating, rating_rows)
        ):  # fmt: skip
            for start in range(0, len(rows), CHUNK):
                connection.execute(insert(table), rows[start : start + CHUNK])
    engine.dispose()
    print(f"built: {jobs:,} jobs, {track_id:,} tracks, {len(rating_rows):,} ratings")


async def measure(path: Path, runs: int) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds per `gather` call, per period (after one warm-up call each); CPU time
    counts every thread of the process (SQLite runs in aiosqlite's)."""
    db = await Database.open(f"sqlite+aiosqlite:///{path}")
    timings: dict[str, list[tuple[float, float]]] = {}
    try:
        for token, days in (("7d", 7), ("30d", 30), ("all", None)):
            since = None if days is None else datetime.now(UTC) - timedelta(days=days)
            found = await stats_repo.gather(db, since=since)
            timings[token] = []
            for _ in range(runs):
                started, cpu = time.perf_counter(), time.process_time()
                found = await stats_repo.gather(db, since=since)
                timings[token].append((time.perf_counter() - started, time.process_time() - cpu))
            counted = found.real.ratings + found.placeholder.ratings
            print(
                f"{token:>4}: {found.made:>7,} tracks, {len(found.presets)} preset rows, "
                f"{len(found.raters)} rater rows, {counted:,} counted ratings"
            )
        month = await stats_repo.gather(db, since=datetime.now(UTC) - timedelta(days=30))
        stats_png(month, Period(30))  # warm-up: matplotlib's import and font cache
        timings["chart"] = []
        for _ in range(runs):
            started, cpu = time.perf_counter(), time.process_time()
            stats_png(month, Period(30))
            timings["chart"].append((time.perf_counter() - started, time.process_time() - cpu))
    finally:
        await db.close()
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="small; targets not judged")
    args = parser.parse_args()
    if args.smoke:
        args.tracks, args.runs = 2000, 2
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "stats.db"
        started = time.perf_counter()
        build(path, args.tracks)
        print(f"build: {time.perf_counter() - started:.1f} s")
        timings = asyncio.run(measure(path, args.runs))
    print(f"load average {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    for name, pairs in timings.items():
        wall, cpu = [w for w, _ in pairs], [c for _, c in pairs]
        print(
            f"{name:>5}  wall median {statistics.median(wall) * 1000:8.1f} ms, worst "
            f"{max(wall) * 1000:8.1f} ms   CPU median {statistics.median(cpu) * 1000:8.1f} ms"
        )
    if args.smoke:
        print("smoke run: targets not judged")
        return 0
    worst_all = max(wall for wall, _ in timings["all"])
    verdict = "met" if worst_all <= TARGET_ALL_S else "MISSED"
    print(f"target: all time <= {TARGET_ALL_S:.1f} s: {verdict}")
    return 0 if worst_all <= TARGET_ALL_S else 1


if __name__ == "__main__":
    sys.exit(main())
