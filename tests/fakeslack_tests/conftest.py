"""Fixtures for the fake's own tests: a running FakeSlack and a real AsyncWebClient on it."""

from collections.abc import AsyncIterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakeslack import FakeSlack


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    """A fake Slack on 127.0.0.1 (free port), stopped after the test."""
    async with FakeSlack() as running:
        yield running


@pytest.fixture
def client(fake: FakeSlack) -> AsyncWebClient:
    """slack_sdk's real async client, bot token, pointed at the fake."""
    return fake.web_client()
