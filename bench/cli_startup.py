"""CLI start-up and database size: how fast `acemusic` answers on a 100K-track database.

    uv run python bench/cli_startup.py                 # 100,000 tracks (50,000 2-variant jobs)
    uv run python bench/cli_startup.py --tracks 20000 --runs 7

Builds a database at steady state: a few dozen jobs go through the real repository functions
(`create_job`, `update_job(result=…)`, `add_track`, as the engine records them, with results shaped
like a real ACE-Step server's: caption, lyrics, metas, generation info, two files per task), then
those rows are copied in bulk (INSERT … SELECT with shifted ids) up to the number of tracks asked.
Then it times, each in a fresh process as a person would run it, after one warm-up run that is not
counted (it writes the bytecode cache, as an installed package has one):

- `acemusic --help`                   target <= 0.3 s wall
- `acemusic jobs`, `tracks`, `doctor` target <= 0.8 s wall (doctor with no server configured)

and prints the database's bytes per track (file size after a WAL checkpoint ÷ tracks), target
<= 3 KB. Exit status 1 when a target is missed; with --smoke (a small database) the targets are not
judged and exit status 1 means the benchmark broke.

It only uses functions whose signatures did not change with issue 9, so the same file measures an
older checkout too: run it with that checkout's interpreter (figures in docs/benchmarks.md).
"""

import argparse
import asyncio
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.engine.acestep.wire import ResultItem
from domain.records import JobStatus
from storage import jobs as jobs_repo
from storage import tracks as tracks_repo
from storage.database import Database

TARGET_HELP_S = 0.3
TARGET_COMMAND_S = 0.8
TARGET_BYTES_PER_TRACK = 3 * 1024
TEMPLATE_JOBS = 40
VARIANTS = 2
# What any command that reads settings and the database must import (SQLAlchemy's asyncio ORM,
# the SQLite driver, pydantic-settings, click): printed as a floor, not judged.
FLOOR = "import sqlalchemy.ext.asyncio, sqlalchemy.orm, aiosqlite, pydantic_settings, click"
AUDIO_FOLDER = "%2Fapp%2Foutputs%2Fapi_audio"
COMMANDS: tuple[tuple[str, ...], ...] = (("--help",), ("jobs",), ("tracks",), ("doctor",))

WORDS = (
    "warm ambient piano soft strings gentle pads spa calm lounge jazz brushed drums upright bass "
    "muted trumpet morning sunlight evening glow ocean breeze forest rain slow tempo airy flute "
    "deep house groove chill electronic acoustic guitar bossa nova minimal techno cinematic"
).split()


def main() -> int:
    """Build the database, time the commands, print the figures."""
    args = _arguments()
    acemusic = Path(sys.executable).with_name("acemusic")
    with tempfile.TemporaryDirectory(prefix="acemusic-cli-bench-") as scratch:
        root = Path(scratch)
        database = root / "bot.db"
        started = time.perf_counter()
        asyncio.run(_templates(database))
        tracks = _replicate(database, args.tracks)
        build_s = time.perf_counter() - started
        size = _size(database)
        env = _environment(root, database)
        timings = {" ".join(argv): _time(acemusic, argv, env, root, args.runs) for argv in COMMANDS}
        floor = _time(Path(sys.executable), ("-c", FLOOR), env, root, args.runs)
    return _report(args, tracks, size, build_s, timings=timings, floor=floor)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command")
    parser.add_argument("--smoke", action="store_true", help="small; targets not judged")
    args = parser.parse_args()
    if args.smoke:
        args.tracks, args.runs = min(args.tracks, 2_000), min(args.runs, 2)
    return args


def _server_items(rng: random.Random, job: int) -> list[dict[str, Any]]:
    """A finished 2-file task as a real ACE-Step server returns it (about 2.9 KB per file)."""
    caption = ", ".join(rng.sample(WORDS, 24))
    verses = [" ".join(rng.sample(WORDS, 8)) for _ in range(24)]
    lyrics = "[Instrumental]" if job % 3 else "[verse]\n" + "\n".join(verses)
    bpm, seeds = rng.randrange(60, 140), [rng.randrange(2**32) for _ in range(VARIANTS)]
    metas = {
        "bpm": bpm,
        "duration": 180.0,
        "genres": ", ".join(rng.sample(WORDS, 3)),
        "keyscale": rng.choice(("C major", "A minor", "F major", "E minor")),
        "timesignature": "4",
        "prompt": caption,
        "lyrics": lyrics,
    }
    info = (
        f"**🎯 Average Time per Track: {rng.uniform(1, 4):.2f}s** ({VARIANTS} track(s))\n\n"
        "**🤖 LM-Generated Metadata:**\n"
        f"- **BPM:** {bpm}\n- **Duration:** 180.0 seconds\n- **Key Scale:** {metas['keyscale']}\n"
        f"- **Caption:** {caption}\n\n**🎵 Generation Complete**\n"
        f"  - **Seeds:** {','.join(map(str, seeds))}\n  - **Steps:** 8\n"
        f"  - **Audio Count:** {VARIANTS} audio(s)\n\n"
        f"**⏱️ Total Time: {rng.uniform(3, 9):.2f}s**\n\n"
        "**⚙️ Settings:** guidance 7.0 · shift 3.0 · infer method ode · thinking on · "
        "lm temperature 0.85 · cfg 2.0 · top-p 0.9 · audio format mp3 · batch size 2"
    )
    return [
        ResultItem.model_validate(
            {
                "file": f"/v1/audio?path={AUDIO_FOLDER}%2F{rng.getrandbits(128):032x}.mp3",
                "status": 1,
                "prompt": caption,
                "lyrics": lyrics,
                "metas": metas,
                "seed_value": ",".join(map(str, seeds)),
                "lm_model": "acestep-5Hz-lm-1.7B",
                "dit_model": "acestep-v15-turbo",
                "generation_info": info,
                "progress": 1.0,
                "stage": "succeeded",
                "create_time": 1_796_000_000.0 + job,
            }
        ).model_dump(mode="json")
        for _ in range(VARIANTS)
    ]


async def _templates(database: Path) -> None:
    """A few dozen finished jobs, recorded by the repository functions as the engine does."""
    rng = random.Random(9)
    db = await Database.open(f"sqlite+aiosqlite:///{database}")
    try:
        for number in range(TEMPLATE_JOBS):
            items = _server_items(rng, number)
            request = {
                "caption": items[0]["prompt"],
                "lyrics": items[0]["lyrics"],
                "duration_s": 180,
                "variants": VARIANTS,
                "audio_format": "mp3",
                "preset_id": "spa",
            }
            payload = {
                "task_type": "text2music",
                "prompt": items[0]["prompt"],
                "lyrics": items[0]["lyrics"],
                "vocal_language": "en",
                "audio_duration": 180,
                "batch_size": VARIANTS,
                "audio_format": "mp3",
                "thinking": True,
                "use_random_seed": True,
                "bpm": items[0]["metas"]["bpm"],
                "key_scale": items[0]["metas"]["keyscale"],
            }
            job = await jobs_repo.create_job(db, request=request, origin="slack", priority=10)
            task = f"{rng.getrandbits(128):032x}"
            now = datetime.now(UTC)
            await jobs_repo.update_job(
                db, job.id, status=JobStatus.RUNNING, server="http://gpu-1:8001", task_id=task,
                payload_sent=payload, submitted_at=now, submissions=1,
            )  # fmt: skip
            await jobs_repo.update_job(
                db, job.id, status=JobStatus.DOWNLOADING, result=items, progress=1.0
            )
            for variant, item in enumerate(items, start=1):
                fields = _track_fields(job.id, variant, item, payload, task=task, now=now)
                await tracks_repo.add_track(db, job_id=job.id, variant=variant, **fields)
            await jobs_repo.update_job(
                db, job.id, status=JobStatus.DONE, finished_at=now, stage="done"
            )
    finally:
        await db.close()


def _track_fields(
    job_id: int, variant: int, item: dict[str, Any], payload: dict[str, Any], *, task: str,
    now: datetime,
) -> dict[str, Any]:  # fmt: skip
    """A track as `bot.engine.jobs.collect` records it."""
    return {
        "file_path": f"outputs/2026-12-05/job{job_id:05d}-spa-v{variant}.mp3",
        "file_size": 2_880_000 + variant,
        "audio_format": "mp3",
        "server": "http://gpu-1:8001",
        "task_id": task,
        "caption": item["prompt"] or payload["prompt"],
        "lyrics": item["lyrics"] or payload["lyrics"],
        "metas": dict(item["metas"]),
        "request_sent": payload,
        "seed": item["seed"].split(",")[variant - 1],
        "lm_model": item["lm_model"],
        "dit_model": item["dit_model"],
        "generation_info": item["generation_info"],
        "remote_file": item["file"],
        "duration_s": 180.0,
        "sample_rate": 48_000,
        "channels": 2,
        "submitted_at": now,
        "generated_at": now,
        "downloaded_at": now,
        "qc_verdict": "pass",
        "qc": {"verdict": "pass", "problems": [], "measurements": QC_MEASUREMENTS},
        "qc_problems": [],
    }


QC_MEASUREMENTS = {
    "decodable": True, "duration_s": 180.0, "expected_duration_s": 180, "frames": 8_640_000,
    "sample_rate": 48_000, "channels": 2, "integrated_lufs": -13.87, "peak_dbfs": -1.02,
    "silent_share": 0.0041, "longest_silence_s": 0.4, "longest_silence_at_s": 179.6,
    "clipped_share": 0.0, "has_nan": False, "nonfinite_samples": 0,
}  # fmt: skip


def _replicate(database: Path, tracks: int) -> int:
    """Copy the template jobs (with their tracks and stored results) until `tracks` exist."""
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA foreign_keys=OFF")
        tables = ("jobs", "task_results", "tracks")
        columns = {
            table: [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
            for table in tables
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        }
        # id columns that move with a copy: each table's own id and what points at jobs/results
        shifted = {
            "jobs": {"id": "jobs", "result_id": "task_results"},
            "task_results": {"id": "task_results", "job_id": "jobs"},
            "tracks": {"id": "tracks", "job_id": "jobs", "source_id": "task_results"},
        }
        counts = {table: _count(db, table) for table in columns}
        made = counts["tracks"]
        copy = 1
        while made < tracks:
            for table, names in columns.items():
                offset = {t: counts[t] * copy for t in columns}
                chosen = [
                    f"{name} + {offset[shifted[table][name]]}" if name in shifted[table] else name
                    for name in names
                ]
                db.execute(
                    f"INSERT INTO {table} ({', '.join(names)}) "
                    f"SELECT {', '.join(chosen)} FROM {table} WHERE id <= {counts[table]}"
                )
            made += counts["tracks"]
            copy += 1
        db.commit()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return _count(db, "tracks")


def _count(db: sqlite3.Connection, table: str) -> int:
    return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _size(database: Path) -> int:
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
    return int(pages * page_size)


def _environment(root: Path, database: Path) -> dict[str, str]:
    """No ACE-Step server configured (doctor reports the built-in stand-in), bytecode cached."""
    keep = {"PATH", "LANG", "LC_ALL", "TERM"}
    env = {key: value for key, value in os.environ.items() if key in keep}
    return env | {
        "HOME": str(root),
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "OUTPUT_DIR": str(root / "outputs"),
        "STANDIN_AUDIO_DIR": str(root / "standin"),
    }


def _time(
    acemusic: Path, argv: tuple[str, ...], env: dict[str, str], root: Path, runs: int
) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of `runs` fresh processes, after one warm-up run."""
    seconds = []
    for run in range(runs + 1):
        cpu_before = _children_cpu_s()
        started = time.perf_counter()
        result = subprocess.run(
            [str(acemusic), *argv], cwd=root, env=env, capture_output=True, text=True, check=False
        )
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(f"acemusic {' '.join(argv)} failed:\n{result.stdout}{result.stderr}")
        if run:
            seconds.append((elapsed, _children_cpu_s() - cpu_before))
    return seconds


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _report(
    args: argparse.Namespace,
    tracks: int,
    size: int,
    build_s: float,
    *,
    timings: dict[str, list[tuple[float, float]]],
    floor: list[tuple[float, float]],
) -> int:
    per_track = size / tracks
    print(f"database           {tracks} tracks, {size / 1e6:.1f} MB (built in {build_s:.1f} s)")
    print(f"bytes/track        {per_track:.0f}  (target <= {TARGET_BYTES_PER_TRACK})")
    load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
    print(f"machine            {os.cpu_count()} cores, load average {load} (wall time counts it)")
    print(
        f"{'command':<18} {'median':>8} {'max':>8} {'CPU':>7}  target (wall; {args.runs} runs "
        "after a warm-up)"
    )
    missed = per_track > TARGET_BYTES_PER_TRACK
    for command, measured in timings.items():
        target = TARGET_HELP_S if command == "--help" else TARGET_COMMAND_S
        walls = [wall for wall, _ in measured]
        median, cpu = statistics.median(walls), statistics.median(cpu for _, cpu in measured)
        missed |= median > target
        print(
            f"{'acemusic ' + command:<18} {median:>7.2f}s {max(walls):>7.2f}s {cpu:>6.2f}s"
            f"  <= {target} s"
        )
    walls, cpus = [wall for wall, _ in floor], [cpu for _, cpu in floor]
    print(
        f"{'(import floor)':<18} {statistics.median(walls):>7.2f}s {max(walls):>7.2f}s "
        f"{statistics.median(cpus):>6.2f}s  python -c 'import sqlalchemy.ext.asyncio, …' alone"
    )
    if args.smoke:
        print("smoke run: targets not judged")
        return 0
    print("targets:", "MISSED" if missed else "met")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
