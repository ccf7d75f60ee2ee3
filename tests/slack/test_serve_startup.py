"""`acemusic serve` refuses to start, with a message that says what to fix, when it cannot work."""

from pathlib import Path

import pytest

from bot.adapters.slack.serve import running_bot, serve_mode
from bot.services import open_services
from bot.settings import SettingsError
from tests.cli.helpers import Workspace, free_port
from tests.conftest import make_settings
from tests.fakeslack import FakeSlack

BOT_TOKEN = "xoxb-1-2-benchmark"
APP_TOKEN = "xapp-1-A1-2-benchmark"
SECRET = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"slack_app_token": APP_TOKEN}, "socket"),
        ({"slack_signing_secret": SECRET}, "http"),
        ({"slack_app_token": APP_TOKEN, "slack_signing_secret": SECRET}, "socket"),
    ],
)
def test_mode_follows_the_tokens(tmp_path: Path, values: dict[str, str], expected: str) -> None:
    settings = make_settings(tmp_path, slack_bot_token=BOT_TOKEN, **values)
    assert serve_mode(settings) == expected


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"slack_app_token": APP_TOKEN}, "SLACK_BOT_TOKEN is not set"),
        (
            {"slack_bot_token": BOT_TOKEN},
            "Set SLACK_APP_TOKEN (xapp-…) for Socket Mode, or SLACK_SIGNING_SECRET for HTTP mode.",
        ),
        (
            {"slack_bot_token": BOT_TOKEN, "slack_app_token": APP_TOKEN, "acestep_api_url": []},
            "No ACE-Step server configured",
        ),
    ],
)
def test_missing_pieces_are_named(tmp_path: Path, values: dict[str, object], message: str) -> None:
    settings = make_settings(tmp_path, **values)
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        serve_mode(settings)


def test_serve_without_configuration_exits_with_the_message(tmp_path: Path) -> None:
    """No Slack tokens and no ACE-Step server: exit 2 and one line, no traceback."""
    workspace = Workspace.create(tmp_path)
    result = workspace.run("serve", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN)
    assert result.returncode == 2
    assert "No ACE-Step server configured" in result.stderr
    assert "builtin" in result.stderr  # the built-in stand-in only when asked for explicitly
    assert "Traceback" not in result.stderr


async def test_a_token_slack_refuses_is_reported(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        settings = make_settings(
            tmp_path,
            slack_api_url=fake.api_url,
            slack_bot_token="xoxb-1-2-not-this-workspace",
            slack_app_token=fake.identity.app_token,
        )
        async with open_services(settings) as services:
            with pytest.raises(
                SettingsError, match=r"Slack refused SLACK_BOT_TOKEN \(invalid_auth"
            ):
                async with running_bot(services, settings, "socket"):
                    pass  # pragma: no cover - never reached


async def test_unreachable_slack_is_reported(tmp_path: Path) -> None:
    nobody = f"http://127.0.0.1:{free_port()}/api/"
    settings = make_settings(
        tmp_path,
        slack_api_url=nobody,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SECRET,
    )
    async with open_services(settings) as services:
        with pytest.raises(SettingsError, match=f"Cannot reach Slack at {nobody}"):
            async with running_bot(services, settings, "http"):
                pass  # pragma: no cover - never reached
