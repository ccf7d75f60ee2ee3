"""Migration 0007 moves every track's provenance into one stored result per task, losing nothing.

Rows are written in the old shape (schema 0006: provenance repeated on every track, the raw result
on the job), the database is upgraded, and every track reads back exactly what it held before, as
`acemusic tracks --json` shows it (`track_json`). The downgrade gives the old rows back too.
"""

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from bot.adapters.console.text import track_json
from bot.engine.acestep.wire import ResultItem
from storage import jobs as jobs_repo
from storage import tracks as tracks_repo
from storage.database import MIGRATIONS_DIR, Database
from tests.acestep.shapes import Shapes
from tests.conftest import sqlite_url

PAYLOAD = {
    "task_type": "text2music",
    "prompt": "hotel lobby jazz",
    "lyrics": "[Instrumental]",
    "audio_duration": 30,
    "batch_size": 2,
    "audio_format": "mp3",
}
WHEN = "2026-11-30 21:04:05.123456"
OLD_TRACK_COLUMNS = (
    "id", "job_id", "variant", "file_path", "file_size", "audio_format", "created_at", "server",
    "task_id", "caption", "lyrics", "metas", "request_sent", "seed", "lm_model", "dit_model",
    "generation_info", "remote_file", "duration_s", "sample_rate", "channels", "submitted_at",
    "generated_at", "downloaded_at", "qc_verdict", "qc", "qc_problems", "rejected", "placeholder",
    "delivery_path",
)  # fmt: skip
JSON_COLUMNS = ("metas", "request_sent", "qc", "qc_problems")
TIME_COLUMNS = ("created_at", "submitted_at", "generated_at", "downloaded_at")


def migrate(path: Path, revision: str, *, down: bool = False) -> None:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS_DIR))
            config.attributes["connection"] = connection
            (command.downgrade if down else command.upgrade)(config, revision)
    finally:
        engine.dispose()


def engine_items(*names: str) -> list[dict[str, Any]]:
    """A finished task's result as the engine stores it on the job."""
    return [
        ResultItem.model_validate(raw).model_dump(mode="json")
        for raw in Shapes.succeeded_items(*names)
    ]


def provenance_as_collect_wrote_it(item: dict[str, Any]) -> dict[str, Any]:
    """What `bot.engine.jobs.collect._provenance` put on a track row (schema 0006)."""
    parsed = ResultItem.model_validate(item)
    return {
        "caption": parsed.prompt or PAYLOAD["prompt"],
        "lyrics": parsed.lyrics or PAYLOAD["lyrics"],
        "metas": dict(parsed.metas),
        "request_sent": PAYLOAD,
        "lm_model": parsed.lm_model,
        "dit_model": parsed.dit_model,
        "generation_info": parsed.generation_info,
        "remote_file": parsed.file,
    }


def insert_old_track(
    raw: sqlite3.Connection, track_id: int, job_id: int, variant: int, task_id: str, **prov: Any
) -> None:
    row = {
        "id": track_id,
        "job_id": job_id,
        "variant": variant,
        "file_path": f"outputs/job{job_id:05d}-v{variant}.mp3",
        "file_size": 480_000 + variant,
        "audio_format": "mp3",
        "created_at": WHEN,
        "server": "http://gpu-1:8001",
        "task_id": task_id,
        "seed": str(1000 + variant),
        "duration_s": 30.0,
        "sample_rate": 48_000,
        "channels": 2,
        "submitted_at": WHEN,
        "generated_at": WHEN,
        "downloaded_at": WHEN,
        "qc_verdict": "pass",
        "qc": {"verdict": "pass", "measurements": {"integrated_lufs": -14.2}},
        "qc_problems": [],
        "rejected": 0,
        "placeholder": 0,
        "delivery_path": None,
        **prov,
    }
    for name in JSON_COLUMNS:
        row[name] = json.dumps(row[name])
    names = ", ".join(row)
    raw.execute(
        f"INSERT INTO tracks ({names}) VALUES ({', '.join('?' * len(row))})", [*row.values()]
    )


def old_rows(raw: sqlite3.Connection) -> dict[int, dict[str, Any]]:
    """Every track as `acemusic tracks --json` showed it before the migration."""
    raw.row_factory = sqlite3.Row
    found = {}
    for row in raw.execute(f"SELECT {', '.join(OLD_TRACK_COLUMNS)} FROM tracks"):
        track = dict(row)
        for name in JSON_COLUMNS:
            track[name] = json.loads(track[name]) if track[name] is not None else None
        for name in TIME_COLUMNS:
            track[name] = datetime.fromisoformat(track[name]).replace(tzinfo=UTC)
        track["rejected"], track["placeholder"] = (
            bool(track["rejected"]),
            bool(track["placeholder"]),
        )
        found[track["id"]] = json.loads(json.dumps(track, default=str))
    raw.row_factory = None
    return found


def build_old_database(path: Path) -> tuple[dict[int, dict[str, Any]], list[dict[str, Any]]]:
    migrate(path, "0006")
    result = engine_items("a.mp3", "b.mp3")
    with sqlite3.connect(path) as raw:
        raw.execute(
            "INSERT INTO jobs (id, status, priority, request, origin, created_at, updated_at, "
            "task_id, server, payload_sent, result, unknown_polls, submissions, failures, "
            "lost_count, qc_regenerations, server_errors, duplicate_submissions, "
            "cancel_requested, notes) VALUES (1, 'done', 0, ?, 'cli', ?, ?, 't-new', "
            "'http://gpu-1:8001', ?, ?, 0, 2, 0, 0, 1, 0, 0, 0, '[]')",
            (json.dumps({"caption": "jazz", "variants": 2}), WHEN, WHEN, json.dumps(PAYLOAD),
             json.dumps(result)),
        )  # fmt: skip
        raw.execute(
            "INSERT INTO jobs (id, status, priority, request, origin, created_at, updated_at, "
            "unknown_polls, submissions, failures, lost_count, qc_regenerations, server_errors, "
            "duplicate_submissions, cancel_requested, notes) "
            "VALUES (2, 'failed', 0, '{}', 'slack', ?, ?, 0, 1, 1, 0, 0, 0, 0, 0, '[]')",
            (WHEN, WHEN),
        )
        # variants 1 and 2 of the current task, as the engine recorded them
        for variant, item in enumerate(result, start=1):
            insert_old_track(
                raw, variant, 1, variant, "t-new", **provenance_as_collect_wrote_it(item)
            )
        # a take of an earlier task of the same job (its result on the job was since replaced)
        earlier = provenance_as_collect_wrote_it(engine_items("old.mp3")[0])
        earlier["caption"], earlier["metas"] = "an earlier take", {"bpm": 77, "keyscale": "E minor"}
        insert_old_track(raw, 3, 1, 3, "t-old", rejected=1, **earlier)
        # a hand-made row of a job without a stored result, with odd values
        odd = {
            "caption": "",
            "lyrics": "la la\n" * 300,
            "metas": {},
            "request_sent": {},
            "lm_model": None,
            "dit_model": "acestep-v15-base",
            "generation_info": None,
            "remote_file": None,
        }
        insert_old_track(raw, 4, 2, 1, "t-x", **odd)
        return old_rows(raw), result


async def test_every_tracks_provenance_reads_back_the_same_after_0007(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    before, result = build_old_database(path)
    db = await Database.open(sqlite_url(path))  # migrates 0006 -> 0007
    try:
        after = await tracks_repo.list_tracks(db, include_rejected=True, limit=None)
        job = await jobs_repo.get_job(db, 1)
    finally:
        await db.close()
    shown = {track.id: json.loads(json.dumps(track_json(track), default=str)) for track in after}
    # later migrations add fields of their own (0008: approval, 0014: analysis), empty on moved
    # rows
    added = {"approval", "approval_by", "approval_at", "analysis", "adherence"}
    assert all(shown[t][field] is None for t in shown for field in added)
    kept = {t: {k: v for k, v in row.items() if k not in added} for t, row in shown.items()}
    assert kept == before
    assert job is not None
    assert job.result == result  # the job's raw result is kept (once, in task_results)
    assert (job.request, job.payload_sent) == ({"caption": "jazz", "variants": 2}, PAYLOAD)
    with sqlite3.connect(path) as raw:
        columns = {row[1] for row in raw.execute("PRAGMA table_info(tracks)")}
        stored = raw.execute("SELECT job_id, task_id FROM task_results ORDER BY id").fetchall()
    assert not columns & {"caption", "lyrics", "metas", "request_sent", "generation_info"}
    assert sorted(stored) == [(1, "t-new"), (1, "t-old"), (2, "t-x")]  # one per task


async def test_the_downgrade_gives_the_old_rows_back(tmp_path: Path) -> None:
    path = tmp_path / "round.db"
    before, _ = build_old_database(path)
    await (await Database.open(sqlite_url(path))).close()
    migrate(path, "0006", down=True)
    with sqlite3.connect(path) as raw:
        assert old_rows(raw) == before
        result, request, payload = raw.execute(
            "SELECT result, request, payload_sent FROM jobs WHERE id = 1"
        ).fetchone()
    assert json.loads(result) == engine_items("a.mp3", "b.mp3")
    assert json.loads(request) == {"caption": "jazz", "variants": 2}
    assert json.loads(payload) == PAYLOAD
