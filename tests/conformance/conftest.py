"""Fixtures: the real ACE-Step server code (see realserver.py) and our client on it."""

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.engine.acestep import AceStepClient

from .realserver import RealServer, real_server

API_KEY = "sk-conformance-test-key"
MakeReal = Callable[..., Awaitable[RealServer]]


@pytest.fixture
async def make_real(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AsyncIterator[MakeReal]:
    """`await make_real(api_key=..., queue_maxsize=...)`: a started real server, stopped after."""
    async with contextlib.AsyncExitStack() as stack:

        async def make(**options: Any) -> RealServer:
            root = tmp_path / f"acestep-{len(started)}"
            server = await stack.enter_async_context(real_server(monkeypatch, root, **options))
            started.append(server)
            return server

        started: list[RealServer] = []
        yield make


@pytest.fixture
async def real(make_real: MakeReal) -> RealServer:
    """The real server with auth on (`API_KEY`)."""
    return await make_real(api_key=API_KEY)


@pytest.fixture
def client(real: RealServer) -> AceStepClient:
    """Our client on the real server, with the key."""
    return AceStepClient(real.http, name="real-acestep", api_key=API_KEY)
