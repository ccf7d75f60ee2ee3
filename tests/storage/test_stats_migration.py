"""Migration 0011 fills the preset and model names of tracks recorded before it, from the job's
request and the task's stored result, and the downgrade removes the columns again."""

import sqlite3
from pathlib import Path

from storage._provenance import pack_json, task_document
from tests.storage.test_slim_tracks_migration import migrate

WHEN = "2026-11-30 21:04:05.123456"


def old_rows(path: Path) -> None:
    """Two jobs at schema 0008: one with a preset and a two-file task, one without either."""
    items = [
        {"file": "/a/1.mp3", "prompt": "jazz", "dit_model": "turbo", "lm_model": "lm-1.7B"},
        {"file": "/a/2.mp3", "prompt": "jazz", "dit_model": "turbo", "lm_model": None},
    ]
    with sqlite3.connect(path) as db:
        for job_id, request in ((1, {"preset_id": "hotel-lobby"}), (2, {})):
            db.execute(
                "INSERT INTO jobs (id, status, priority, request, origin, created_at, updated_at,"
                " unknown_polls, submissions, failures, lost_count, qc_regenerations,"
                " server_errors, duplicate_submissions, cancel_requested, notes)"
                " VALUES (?, 'done', 0, ?, 'cli', ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, '[]')",
                (job_id, pack_json(request), WHEN, WHEN),
            )
        db.execute(
            "INSERT INTO task_results (id, job_id, task_id, created_at, document)"
            " VALUES (1, 1, 't1', ?, ?), (2, 2, 't2', ?, ?)",
            (WHEN, pack_json(task_document({"prompt": "jazz"}, items)), WHEN,
             pack_json(task_document({}, []))),
        )  # fmt: skip
        rows = [(1, 1, 1, 1, 0), (2, 1, 2, 1, 1), (3, 2, 1, 2, 0)]
        for track_id, job_id, variant, source_id, index in rows:
            db.execute(
                "INSERT INTO tracks (id, job_id, variant, file_path, file_size, audio_format,"
                " created_at, server, task_id, source_id, result_index, qc_problems, rejected,"
                " placeholder) VALUES (?, ?, ?, '/o/x.mp3', 1, 'mp3', ?, 's', 't', ?, ?, '[]',"
                " 0, 0)",
                (track_id, job_id, variant, WHEN, source_id, index),
            )


def test_upgrade_fills_names_and_downgrade_drops_them(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    migrate(path, "0008")
    old_rows(path)
    migrate(path, "0011")
    with sqlite3.connect(path) as db:
        found = db.execute(
            "SELECT id, preset_id, dit_model_name, lm_model_name FROM tracks ORDER BY id"
        ).fetchall()
        indexes = {row[1] for row in db.execute("PRAGMA index_list(tracks)")}
    assert found == [
        (1, "hotel-lobby", "turbo", "lm-1.7B"),
        (2, "hotel-lobby", "turbo", None),
        (3, None, None, None),  # no preset asked, index 0 of an empty result: nothing to fill
    ]
    assert "ix_tracks_stats" in indexes
    migrate(path, "0008", down=True)
    with sqlite3.connect(path) as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(tracks)")}
    assert not columns & {"preset_id", "dit_model_name", "lm_model_name"}
