"""Fixtures shared by every test folder: a real SQLite database in a temporary directory."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.database import Database


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database on a real file, closed after the test."""
    database = await Database.open(sqlite_url(tmp_path / "test.db"))
    yield database
    await database.close()
