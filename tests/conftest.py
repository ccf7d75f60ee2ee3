"""Fixtures shared by every test folder: a real SQLite database, and the whole composition root."""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from bot.services import Services, open_services
from bot.settings import Settings
from storage.database import Database

# CI explores the property tests along a fixed path, so a red CI can always be reproduced;
# developers' runs keep drawing new examples (and keep what they find in .hypothesis/).
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database on a real file, closed after the test."""
    database = await Database.open(sqlite_url(tmp_path / "test.db"))
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
    }
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[call-arg]


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    """The real composition root over the in-process stand-in and a temporary database."""
    async with open_services(make_settings(tmp_path)) as built:
        yield built
