"""The database handle: one async engine and session factory, migrated to the newest schema on open.

Opening reads `alembic_version` with one cheap query and compares it with the newest revision,
the leading number of the newest file in `migrations/versions` (`0012_batch_sample.py` is
revision "0012"). Alembic itself (about a second to import) is loaded only when a migration must
run.

SQLite (the default) runs in WAL mode with `BEGIN IMMEDIATE` transactions and a busy timeout, so the
bot, `acemusic run` and `acemusic work` can share one file safely: a writer waits for the lock
instead of failing half-way.

PostgreSQL (`postgresql+asyncpg://user:password@host:5432/name`) keeps the same guarantee for every
repository written as a read-check-write in Python: such a transaction first takes one
transaction-level advisory lock of the database *exclusively*, so it runs alone as on SQLite and
its reads stay true until it commits under PostgreSQL's default READ COMMITTED isolation.
Transactions that lock the rows they change themselves (`session(row_locks=True)`: the job
engine's claims, reservations and job updates, `SELECT … FOR UPDATE [SKIP LOCKED]` or a single
`UPDATE … WHERE`) take the same lock *shared*: they run side by side with each other (several
workers), and never beside an exclusive one. So nothing that was safe before changes, and the
engine's hot path no longer queues behind one global lock. The lock goes with the commit or
rollback, and with the connection if a process dies. Other SQLAlchemy async URLs get no tuning.
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

MIGRATIONS_DIR: Final = Path(__file__).parent / "migrations"
VERSIONS_DIR: Final = MIGRATIONS_DIR / "versions"
SQLITE_BUSY_TIMEOUT_S: Final = 30.0
# The advisory lock every PostgreSQL transaction takes, exclusive or shared (any 64-bit number no
# other program uses)
POSTGRES_TRANSACTION_LOCK: Final = 0x414345_4D55_5349
_EXCLUSIVE: Final = text(f"SELECT pg_advisory_xact_lock({POSTGRES_TRANSACTION_LOCK})")
_SHARED: Final = text(f"SELECT pg_advisory_xact_lock_shared({POSTGRES_TRANSACTION_LOCK})")

log = logging.getLogger(__name__)


class Database:
    """Owns the engine; `session()` gives one transaction, committed on success."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = _create_engine(url)
        self.row_locking = self._engine.dialect.name == "postgresql"
        self._sessions = async_sessionmaker(self._engine, expire_on_commit=False)

    @classmethod
    async def open(cls, url: str) -> "Database":
        """Connect and apply every pending migration."""
        database = cls(url)
        await database.migrate()
        return database

    async def migrate(self) -> None:
        """Bring the schema to the newest migration (a no-op when it is already there)."""
        if await self.revision() == head_revision():
            return
        async with self._engine.connect() as connection:
            await connection.run_sync(_upgrade)

    async def revision(self) -> str | None:
        """The schema revision stored in `alembic_version`; None for a database never migrated."""
        async with self._engine.connect() as connection:
            return await connection.run_sync(_stored_revision)

    @asynccontextmanager
    async def session(self, *, row_locks: bool = False) -> AsyncIterator[AsyncSession]:
        """One transaction: committed when the block ends, rolled back if it raises.

        `row_locks=True` promises that the block locks every row it reads in order to change it
        (or changes rows with one conditional statement): on PostgreSQL it then runs beside other
        such transactions instead of alone (see the module docstring).
        """
        async with self._sessions() as session, session.begin():
            if self.row_locking:
                await session.execute(_SHARED if row_locks else _EXCLUSIVE)
            yield session

    async def close(self) -> None:
        """Release every pooled connection."""
        await self._engine.dispose()


def _create_engine(url: str) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return create_async_engine(url, pool_pre_ping=True)
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


def head_revision() -> str:
    """The newest shipped revision: migration files are named `<revision>_<what>.py`."""
    return max(path.name.split("_", 1)[0] for path in VERSIONS_DIR.glob("[0-9]*_*.py"))


def _stored_revision(connection: Connection) -> str | None:
    if not connection.dialect.has_table(connection, "alembic_version"):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return rows[0] if len(rows) == 1 else None


def _upgrade(connection: Connection) -> None:
    """Run the pending migrations in one transaction.

    On SQLite a migration may rebuild a table that other rows point at (batch mode: copy, drop,
    rename). Foreign keys are therefore switched off outside the transaction, as SQLite's manual
    prescribes for schema changes, and every reference is checked before it commits.
    """
    # Imported here: only a database that is behind pays for loading Alembic.
    from alembic import command  # noqa: PLC0415
    from alembic.config import Config  # noqa: PLC0415

    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _pragma(connection, "PRAGMA foreign_keys=OFF")
    try:
        with connection.begin():
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS_DIR))
            config.attributes["connection"] = connection
            logging.getLogger("alembic").setLevel(logging.WARNING)
            command.upgrade(config, "head")
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left broken references: {broken[:5]}")
    finally:
        if sqlite:
            _pragma(connection, "PRAGMA foreign_keys=ON")


def _pragma(connection: Connection, statement: str) -> None:
    # Straight on the driver's connection: SQLAlchemy would first begin a transaction, inside which
    # SQLite ignores `foreign_keys`.
    cursor = connection.connection.cursor()
    try:
        cursor.execute(statement)
    finally:
        cursor.close()
