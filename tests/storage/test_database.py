"""The database opens migrated, in WAL mode, and several handles on one file can write at once;
the migrated schema is the models' on SQLite and PostgreSQL."""

import asyncio
import sqlite3
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import create_async_engine

from domain.records import JobStatus
from storage import jobs
from storage.database import MIGRATIONS_DIR, Database, head_revision
from storage.schema import Base
from tests.conftest import sqlite_url


def migration_head() -> str:
    """The newest revision among the shipped migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


async def test_open_applies_migrations_once_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "bot.db"
    first = await Database.open(sqlite_url(path))
    await first.close()
    second = await Database.open(sqlite_url(path))  # already at head: a no-op
    await second.close()
    with sqlite3.connect(path) as raw:
        rows = raw.execute("select name from sqlite_master where type='table'")
        tables = {row[0] for row in rows}
        version = raw.execute("select version_num from alembic_version").fetchall()
        mode = raw.execute("pragma journal_mode").fetchone()[0]
    assert {"jobs", "tracks", "ratings", "batches", "leases", "slack_cards", "seen_keys"} <= tables
    assert version == [(migration_head(),)]
    assert mode == "wal"


def test_head_revision_from_file_names_is_alembics_head() -> None:
    """The cheap check on open (no Alembic import) agrees with Alembic's own idea of the head."""
    assert head_revision() == migration_head()


async def test_a_database_behind_is_migrated_on_open(tmp_path: Path) -> None:
    path = tmp_path / "behind.db"
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS_DIR))
            config.attributes["connection"] = connection
            command.upgrade(config, "0005")
    finally:
        engine.dispose()
    behind = Database(sqlite_url(path))
    try:
        assert await behind.revision() == "0005"
    finally:
        await behind.close()
    db = await Database.open(sqlite_url(path))
    try:
        assert await db.revision() == head_revision()
    finally:
        await db.close()
    with sqlite3.connect(path) as raw:
        tables = {row[0] for row in raw.execute("select name from sqlite_master")}
    assert "eval_sessions" in tables  # made by a migration after 0005


async def test_two_handles_on_one_file_write_concurrently(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "shared.db")
    one, two = await Database.open(url), await Database.open(url)
    try:

        async def writer(db: Database, origin: str) -> None:
            for _ in range(25):
                job = await jobs.create_job(db, request={"variants": 1}, origin=origin)
                await jobs.update_job(db, job.id, expect={JobStatus.QUEUED}, stage="touched")

        await asyncio.gather(writer(one, "one"), writer(two, "two"))
        listed = await jobs.list_jobs(one, limit=None)
    finally:
        await one.close()
        await two.close()
    assert len(listed) == 50
    assert {job.stage for job in listed} == {"touched"}


async def test_migrated_schema_matches_the_models(database_url: str) -> None:
    """Alembic's own comparison finds nothing between the migrations and `storage.schema`, on
    SQLite and on PostgreSQL (whose database was migrated from empty: tests/postgres.py)."""
    db = await Database.open(database_url)
    await db.close()
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
    finally:
        await engine.dispose()
    assert diff == []


async def test_a_compare_and_set_from_many_handles_at_once_moves_a_job_once(
    database_url: str,
) -> None:
    """Read, check, write: on SQLite one transaction at a time (BEGIN IMMEDIATE), on PostgreSQL
    the same by a transaction-level lock, so only one of the racing handles sees the job queued."""
    handles = [await Database.open(database_url) for _ in range(8)]
    try:
        job = await jobs.create_job(handles[0], request={"variants": 1}, origin="test")
        moved = await asyncio.gather(
            *(
                jobs.update_job(db, job.id, expect={JobStatus.QUEUED}, status=JobStatus.SUBMITTED)
                for db in handles
            )
        )
    finally:
        for db in handles:
            await db.close()
    assert sum(record is not None for record in moved) == 1
