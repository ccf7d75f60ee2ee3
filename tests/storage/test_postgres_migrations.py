"""The migrations on a real PostgreSQL server, with rows in them.

Every PostgreSQL test database is a copy of one the migrations built from empty (tests/postgres.py),
so the whole chain runs there in every session. Here the one migration that moves data, 0007
(JSON columns become packed bytes: PostgreSQL converts nothing by itself, SQLite needs no
conversion), runs up and down over rows in the old shape. The same on SQLite, in more detail:
test_slim_tracks_migration.py.
"""

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine

from storage import jobs as jobs_repo
from storage import tracks as tracks_repo
from storage.database import MIGRATIONS_DIR, Database, head_revision
from tests.postgres import PostgresServer

pytestmark = pytest.mark.postgres

REQUEST = {"caption": "jazz", "variants": 1}
PAYLOAD = {"task_type": "text2music", "prompt": "hotel lobby jazz", "audio_duration": 30}
ITEM = {
    "file": "/v1/audio?path=a.mp3",
    "status": 1,
    "prompt": "hotel lobby jazz",
    "lyrics": "[Instrumental]",
    "metas": {"bpm": 90, "keyscale": "C major"},
    "lm_model": "acestep-5Hz-lm-1.7B",
    "dit_model": "acestep-v15-turbo",
}
PROVENANCE = {
    "caption": "hotel lobby jazz",
    "lyrics": "[Instrumental]",
    "metas": json.dumps({"bpm": 90, "keyscale": "C major"}),
    "request_sent": json.dumps(PAYLOAD),
    "lm_model": "acestep-5Hz-lm-1.7B",
    "dit_model": "acestep-v15-turbo",
    "generation_info": "8 steps",
    "remote_file": "/v1/audio?path=a.mp3",
}


@pytest.fixture
async def empty_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    async with postgres_server.database(migrated=False) as url:
        yield url


async def migrate(url: str, revision: str, *, down: bool = False) -> None:
    def run(connection: Connection) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)

    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run)
    finally:
        await engine.dispose()


async def execute(url: str, statement: str, **values: Any) -> list[Any]:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(statement), values)
            return list(result.all()) if result.returns_rows else []
    finally:
        await engine.dispose()


async def build_0006_rows(url: str) -> None:
    await migrate(url, "0006")
    await execute(
        url,
        "INSERT INTO jobs (id, status, priority, request, origin, created_at, updated_at, "
        "task_id, server, payload_sent, result, unknown_polls, submissions, failures, lost_count, "
        "qc_regenerations, server_errors, duplicate_submissions, cancel_requested, notes) "
        "VALUES (1, 'done', 0, :request, 'cli', now(), now(), 't-1', 'http://gpu-1:8000', "
        ":payload, :result, 0, 1, 0, 0, 0, 0, 0, false, '[]')",
        request=json.dumps(REQUEST),
        payload=json.dumps(PAYLOAD),
        result=json.dumps([ITEM]),
    )
    columns = ", ".join(PROVENANCE)
    await execute(
        url,
        "INSERT INTO tracks (id, job_id, variant, file_path, file_size, audio_format, created_at, "
        f"server, task_id, qc_problems, rejected, placeholder, {columns}) VALUES (1, 1, 1, "
        "'outputs/a.mp3', 1000, 'mp3', now(), 'http://gpu-1:8000', 't-1', '[]', false, false, "
        + ", ".join(f":{name}" for name in PROVENANCE)
        + ")",
        **PROVENANCE,
    )


async def test_0007_moves_rows_on_postgres_and_the_downgrade_gives_them_back(
    empty_url: str,
) -> None:
    await build_0006_rows(empty_url)
    db = await Database.open(empty_url)  # 0006 -> head, rows and all
    try:
        assert await db.revision() == head_revision()
        job = await jobs_repo.get_job(db, 1)
        [track] = await tracks_repo.list_tracks(db, limit=None)
    finally:
        await db.close()
    assert job is not None
    assert (job.request, job.payload_sent, job.result) == (REQUEST, PAYLOAD, [ITEM])
    assert (track.caption, track.metas, track.request_sent) == (
        "hotel lobby jazz",
        {"bpm": 90, "keyscale": "C major"},
        PAYLOAD,
    )
    assert (track.lm_model, track.generation_info) == ("acestep-5Hz-lm-1.7B", "8 steps")

    await migrate(empty_url, "0006", down=True)
    [(request, payload, result)] = await execute(
        empty_url, "SELECT request::text, payload_sent::text, result::text FROM jobs"
    )
    assert [json.loads(value) for value in (request, payload, result)] == [
        REQUEST,
        PAYLOAD,
        [ITEM],
    ]
    [(caption, metas)] = await execute(empty_url, "SELECT caption, metas::text FROM tracks")
    assert (caption, json.loads(metas)) == ("hotel lobby jazz", {"bpm": 90, "keyscale": "C major"})


async def test_a_postgres_database_behind_is_migrated_on_open(empty_url: str) -> None:
    await migrate(empty_url, "0005")
    behind = Database(empty_url)
    try:
        assert await behind.revision() == "0005"
    finally:
        await behind.close()
    db = await Database.open(empty_url)
    try:
        assert await db.revision() == head_revision()
    finally:
        await db.close()
    tables = await execute(
        empty_url, "SELECT tablename FROM pg_tables WHERE tablename = 'eval_sessions'"
    )
    assert tables == [("eval_sessions",)]  # made by a migration after 0005
