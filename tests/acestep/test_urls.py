"""Server URLs are shown without credentials; credentials in the URL still authenticate."""

import logging
from pathlib import Path

import httpx
import pytest

from bot.engine.acestep import AceStepClient, AceStepUnavailable, public_url
from bot.engine.acestep.urls import public_url as public_url_from_module
from bot.logs import RedactingFilter
from bot.services import open_services
from tests.conftest import make_settings


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://user:pass@gpu.example:8001", "http://gpu.example:8001"),
        ("https://user:p%40ss@gpu.example/api?x=1", "https://gpu.example/api?x=1"),
        ("http://token@gpu.example:8001/", "http://gpu.example:8001/"),
        ("http://a:b@c@gpu.example:8001", "http://gpu.example:8001"),
        ("http://[::1]:8001", "http://[::1]:8001"),
        ("http://u:p@[::1:8001/x", "http://[::1:8001/x"),
        ("http://gpu.example:8001", "http://gpu.example:8001"),
        ("builtin", "builtin"),
        ("server0", "server0"),
    ],
)
def test_public_url_drops_userinfo(url: str, shown: str) -> None:
    assert public_url(url) == shown
    assert public_url_from_module is public_url


async def test_client_name_and_repr_never_show_credentials(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        raise httpx.ConnectError("connection refused", request=request)

    url = "http://alice:s3cret@gpu.example:8001"
    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse), base_url=url) as http:
        client = AceStepClient(http, name=url)
        assert client.name == "http://gpu.example:8001"
        assert "s3cret" not in repr(client)
        caplog.set_level(logging.DEBUG)
        with pytest.raises(AceStepUnavailable) as caught:
            await client.health()
    assert "s3cret" not in str(caught.value)
    assert "s3cret" not in caplog.text
    # Behaviour kept: httpx still sends the URL's userinfo as Basic auth (e.g. to a proxy).
    assert seen[0].headers["Authorization"].startswith("Basic ")


async def test_servers_built_from_settings_are_named_without_credentials(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, acestep_api_url=["http://bob:hunter2@127.0.0.1:9"])
    async with open_services(settings) as services:
        assert [server.name for server in services.servers] == ["http://127.0.0.1:9"]


def test_logs_never_carry_url_credentials() -> None:
    redactor = RedactingFilter([])
    text = "GET http://alice:s3cret@gpu.example:8001/health and https://tok@h/x failed"
    assert redactor.redact(text) == (
        "GET http://[redacted]@gpu.example:8001/health and https://[redacted]@h/x failed"
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://token@gpu.example/ace/", "https://gpu.example/ace/"),
        ("http://us%40er:p@ss@gpu:8001/x?y=1", "http://gpu:8001/x?y=1"),
        ("http://gpu-1:8001", "http://gpu-1:8001"),
    ],
)
def test_public_url_keeps_path_and_query_and_drops_escaped_userinfo(url: str, shown: str) -> None:
    assert public_url(url) == shown
