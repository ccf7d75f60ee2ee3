"""Batch and schedule command tests run on SQLite and on a real PostgreSQL server."""

import pytest

from tests.postgres import BACKENDS


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Both databases: every test here that uses a database runs twice."""
    return str(request.param)
