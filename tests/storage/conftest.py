"""Storage tests run on SQLite and on a real PostgreSQL server."""

import pytest

from tests.postgres import BACKENDS


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Both databases: every test here runs twice."""
    return str(request.param)
