"""Fixtures: stand-in servers driven in-process through `httpx.ASGITransport`, cleaned up after."""

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from standin import StandInConfig, StandInServer

from .helpers import StandIn

MakeStandIn = Callable[..., Awaitable[StandIn]]


@pytest.fixture
async def make_standin(tmp_path: Path) -> AsyncIterator[MakeStandIn]:
    """A factory: `await make_standin(**config_overrides)` -> a started stand-in and its client.

    `headers=` sets the headers the helpers send; the audio folder is per test.
    """
    created: list[StandIn] = []

    async def make(headers: dict[str, str] | None = None, **overrides: Any) -> StandIn:
        overrides.setdefault("seed", 7)
        config = StandInConfig(audio_dir=tmp_path / f"standin-{len(created)}", **overrides)
        server = StandInServer(config)
        await server.start()
        transport = httpx.ASGITransport(app=server.app)
        client = httpx.AsyncClient(transport=transport, base_url="http://builtin")
        standin = StandIn(server, client, headers or {})
        created.append(standin)
        return standin

    yield make
    for standin in created:
        await standin.client.aclose()
        await standin.server.stop()


@pytest.fixture
async def standin(make_standin: MakeStandIn) -> StandIn:
    """A default stand-in (HEAD flavour, auth off, LM available, no delay)."""
    return await make_standin()
