"""Fixtures: a recording fake ACE-Step far side (`server`) and clients pointed at it."""

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from bot.engine.acestep import AceStepClient

from .shapes import API_KEY, BASE_URL, FakeServer


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


@pytest.fixture
async def make_client(server: FakeServer) -> AsyncIterator[Callable[..., AceStepClient]]:
    """Build clients on the fake server (`api_key=API_KEY` unless given); closes them after."""
    opened: list[httpx.AsyncClient] = []

    def build(*, api_key: str | None = API_KEY, **kwargs: Any) -> AceStepClient:
        transport = httpx.MockTransport(server.handle)
        http = httpx.AsyncClient(transport=transport, base_url=BASE_URL, timeout=5.0)
        opened.append(http)
        return AceStepClient(http, name="gpu-1", api_key=api_key, **kwargs)

    yield build
    for http in opened:
        await http.aclose()


@pytest.fixture
def client(make_client: Callable[..., AceStepClient]) -> AceStepClient:
    return make_client()
