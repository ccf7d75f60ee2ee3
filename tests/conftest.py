"""Fixtures shared by every test folder: a real database, and the whole composition root.

The database is SQLite unless a folder's conftest (or a module) overrides `backend` with
`tests.postgres.BACKENDS`: its tests then run on SQLite and again on a real PostgreSQL server
(marked `postgres`, so `-m postgres` selects those runs and `-m "not postgres"` leaves them out).
"""

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from bot.services import Services, open_services
from bot.settings import Settings
from storage.database import Database
from tests.postgres import PostgresServer, running_server

# CI explores the property tests along a fixed path, so a red CI can always be reproduced;
# developers' runs keep drawing new examples (and keep what they find in .hypothesis/).
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole session (started only when a test asks)."""
    with running_server() as server:
        yield server


@pytest.fixture
def backend() -> str:
    """Which database the test's `database_url` is on; folders that run on both override it."""
    return "sqlite"


@pytest.fixture
async def database_url(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    """A fresh database of the test's backend: a new SQLite file (migrated when opened), or a
    PostgreSQL database copied from the migrated template (dropped afterwards)."""
    if backend == "sqlite":
        yield sqlite_url(tmp_path / "test.db")
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    async with server.database() as url:
        yield url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A migrated database (a real SQLite file, or a PostgreSQL database), closed after the test."""
    database = await Database.open(database_url)
    yield database
    await database.close()


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings for a test: built-in stand-in, files under tmp_path, fast polls, no `.env`."""
    values: dict[str, object] = {
        "acestep_api_url": ["builtin"],
        "database_url": sqlite_url(tmp_path / "bot.db"),
        "output_dir": tmp_path / "outputs",
        "standin_audio_dir": tmp_path / "standin",
        "acestep_poll_min_seconds": 0.01,
        "acestep_poll_max_seconds": 0.05,
        "health_port": 0,  # any free port: tests run side by side
        # checks in a thread: a worker process per test would only add its start-up; the pool
        # itself is tested where it is asked for (tests/audio/test_workers.py and others)
        "audio_check_workers": 0,
        # the stand-in's placeholders are nearly always measured in the asked key, not always: a
        # miss would turn a take's "pass" into "warn" at random; adherence tests set their mode
        "qc_adherence": "off",
    }
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[call-arg]


@pytest.fixture
async def services(tmp_path: Path, database_url: str) -> AsyncIterator[Services]:
    """The real composition root over the in-process stand-in and a temporary database."""
    async with open_services(make_settings(tmp_path, database_url=database_url)) as built:
        yield built
