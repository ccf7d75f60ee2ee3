"""The bot token goes only to Slack: a shared file is fetched with it only over https from
Slack's file host, or from the configured SLACK_API_URL's own origin (the local fake Slack)."""

import httpx
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.uploads import SlackFiles, UploadFailed

TOKEN = "xoxb-secret-token"
SLACK_FILE = "https://files.slack.com/files-pri/T1-F1/download/week.csv"


class Recorder:
    """A far side that serves a CSV everywhere (or a redirect) and records who sent a token."""

    def __init__(self, redirect_to: str | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.redirect_to = redirect_to

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.redirect_to and request.url.path.endswith("week.csv"):
            return httpx.Response(302, headers={"Location": self.redirect_to})
        return httpx.Response(200, content=b"preset,count\nspa,1\n")

    def hosts_given_the_token(self) -> list[str]:
        return [
            str(r.url.host) for r in self.requests if TOKEN in r.headers.get("Authorization", "")
        ]


def files_for(recorder: Recorder, api_url: str = "https://slack.com/api/") -> SlackFiles:
    client = AsyncWebClient(token=TOKEN, base_url=api_url)
    return SlackFiles(client, httpx.AsyncClient(transport=httpx.MockTransport(recorder.handler)))


async def test_slack_file_host_gets_the_token() -> None:
    recorder = Recorder()
    data = await files_for(recorder).download(SLACK_FILE, max_bytes=1000)
    assert data.startswith(b"preset")
    assert recorder.hosts_given_the_token() == ["files.slack.com"]


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/files-pri/T1-F1/week.csv",  # an external (remote) file's URL
        "http://files.slack.com/files-pri/T1-F1/week.csv",  # Slack's host, but not over https
        "https://files.slack.com.evil.example/week.csv",
        "https://files.slack.com@evil.example/week.csv",
        "https://evil.example/week.csv?files.slack.com",
        "https://evilslack.com/week.csv",
        "https://cdn.slack-edge.com/week.csv",  # a Slack CDN, but not where private files live
        "ftp://files.slack.com/week.csv",
        "not a url",
    ],
)
async def test_the_token_never_goes_anywhere_else(url: str) -> None:
    recorder = Recorder()
    with pytest.raises(UploadFailed, match="only downloads files stored in Slack"):
        await files_for(recorder).download(url, max_bytes=1000)
    assert recorder.requests == []


async def test_the_configured_slack_api_origin_is_trusted_and_only_it() -> None:
    recorder = Recorder()
    files = files_for(recorder, api_url="http://127.0.0.1:5555/api/")
    assert await files.download("http://127.0.0.1:5555/files-pri/T1-F1/a.csv", max_bytes=1000)
    with pytest.raises(UploadFailed):
        await files.download("http://127.0.0.1:6666/files-pri/T1-F1/a.csv", max_bytes=1000)
    with pytest.raises(UploadFailed):
        await files.download("http://localhost:5555/files-pri/T1-F1/a.csv", max_bytes=1000)
    assert recorder.hosts_given_the_token() == ["127.0.0.1"]
    assert len(recorder.requests) == 1


async def test_a_redirect_away_from_slack_is_not_followed() -> None:
    recorder = Recorder(redirect_to="https://evil.example/steal")
    with pytest.raises(UploadFailed, match="redirected"):
        await files_for(recorder).download(SLACK_FILE, max_bytes=1000)
    assert [str(r.url.host) for r in recorder.requests] == ["files.slack.com"]


async def test_a_redirect_within_slacks_file_host_is_followed() -> None:
    recorder = Recorder(redirect_to="https://files.slack.com/files-pri/T1-F1/moved.bin")
    data = await files_for(recorder).download(SLACK_FILE, max_bytes=1000)
    assert data.startswith(b"preset")
    assert recorder.hosts_given_the_token() == ["files.slack.com", "files.slack.com"]
