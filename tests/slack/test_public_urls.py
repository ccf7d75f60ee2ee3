"""Credentials inside ACESTEP_API_URL never reach /music status, the Home tab or `doctor`."""

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.cli.doctor import run_doctor
from bot.adapters.console.progress import describe_progress
from bot.adapters.slack.access import AccessPolicy
from bot.adapters.slack.context import SlackBot
from bot.adapters.slack.listeners.home import home_view
from bot.engine.batches.estimate import estimate_batch
from bot.services import Services, open_services
from bot.settings import Settings
from commands.context import Caller
from commands.status import status
from domain.records import JobRecord, JobStatus
from tests.conftest import make_settings

SECRET_URL = "http://deploy:hunter2@127.0.0.1:9"  # port 9: nothing listens, the probe fails fast


@pytest.fixture
def secret_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, acestep_api_url=[SECRET_URL], acestep_timeout_seconds=2)


@pytest.fixture
async def secret_services(secret_settings: Settings) -> AsyncIterator[Services]:
    async with open_services(secret_settings) as services:
        yield services


def assert_no_credentials(text: str) -> None:
    assert "hunter2" not in text
    assert "deploy:" not in text
    assert "127.0.0.1:9" in text  # the server is still named, without its userinfo


async def test_status_shows_the_server_without_credentials(secret_services: Services) -> None:
    reply = await status("status", secret_services, Caller("slack", "U1", "C1"))
    assert_no_credentials(reply.plain())


async def test_home_tab_shows_the_server_without_credentials(secret_services: Services) -> None:
    policy = AccessPolicy.from_settings(secret_services.settings)
    bot = SlackBot(secret_services, AsyncWebClient(base_url="http://127.0.0.1:9/"), policy, {})
    view = await home_view(bot, "U1")
    assert_no_credentials(str(view))


async def test_doctor_shows_the_server_without_credentials(secret_settings: Settings) -> None:
    lines: list[str] = []
    problems = await run_doctor(secret_settings, lines.append)
    assert problems >= 1  # the server does not answer
    assert_no_credentials("\n".join(lines))


def test_console_progress_names_the_server_without_credentials() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    job = JobRecord(
        id=1,
        status=JobStatus.RUNNING,
        priority=0,
        request={},
        origin="console",
        created_at=now,
        updated_at=now,
        server=SECRET_URL,
        progress=0.5,
    )
    assert_no_credentials(describe_progress(job))


async def test_batch_estimate_log_names_the_server_without_credentials(
    secret_services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.engine.batches.estimate")
    await estimate_batch(secret_services.servers, tracks=2, jobs=2, cost_per_hour=None)
    assert_no_credentials(caplog.text)
