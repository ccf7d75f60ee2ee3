"""The database handle: one async engine and session factory, migrated to the newest schema on open.

SQLite (the default) runs in WAL mode with `BEGIN IMMEDIATE` transactions and a busy timeout, so the
bot, `acemusic run` and `acemusic work` can share one file safely: a writer waits for the lock
instead of failing half-way. Any other SQLAlchemy async URL works too (no SQLite tuning applied).
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

MIGRATIONS_DIR: Final = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_S: Final = 30.0

log = logging.getLogger(__name__)


class Database:
    """Owns the engine; `session()` gives one transaction, committed on success."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = _create_engine(url)
        self._sessions = async_sessionmaker(self._engine, expire_on_commit=False)

    @classmethod
    async def open(cls, url: str) -> "Database":
        """Connect and apply every pending migration."""
        database = cls(url)
        await database.migrate()
        return database

    async def migrate(self) -> None:
        """Bring the schema to the newest migration (a no-op when it is already there)."""
        async with self._engine.begin() as connection:
            await connection.run_sync(_upgrade)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        async with self._sessions() as session, session.begin():
            yield session

    async def close(self) -> None:
        """Release every pooled connection."""
        await self._engine.dispose()


def _create_engine(url: str) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
    event.listen(engine.sync_engine, "connect", _configure_sqlite)
    event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: object) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see _begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    # Take the write lock up front: a deferred transaction that later writes can fail at once with
    # SQLITE_BUSY when another process wrote in between; an immediate one waits for the lock.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    logging.getLogger("alembic").setLevel(logging.WARNING)
    command.upgrade(config, "head")
