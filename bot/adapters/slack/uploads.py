"""Slack's three-step file upload, one step at a time, and finding the message a file became.

`files_upload_v2` does all three steps in one call, so a process killed half-way could not tell
whether a file was already shared. Here each step is separate: the publisher records the file id
after step 1, and after a restart asks `files.info` whether that file reached the channel before
uploading anything again. Sharing is asynchronous in Slack: the message's ts appears in the file's
`shares` a moment later (shared/SLACK.md §2, §8).
"""

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx
from slack_sdk.web.async_client import AsyncWebClient

from audiofile.codec import transcode
from bot.engine.audio.workers import AudioWorkers

UPLOAD_TIMEOUT_S: Final = 120.0
# Where Slack serves the files people upload (`url_private`): commercial Slack and GovSlack. The
# token is sent nowhere else, except the configured SLACK_API_URL's own origin.
SLACK_FILE_HOSTS: Final = frozenset({"files.slack.com", "files.slack-gov.com"})
MAX_REDIRECTS: Final = 3
NOT_SLACK_FILE: Final = (
    "it is not stored in Slack, and the bot only downloads files stored in Slack "
    "(upload the file itself rather than a link to it)"
)


class UploadFailed(Exception):
    """Slack's upload URL did not take the bytes (step 2)."""


@dataclass(frozen=True)
class UploadTicket:
    """What step 1 returns: where to send the bytes, and the file's id."""

    file_id: str
    upload_url: str


class SlackFiles:
    """The upload steps and the share look-up, over the bot's Web API client."""

    def __init__(self, client: AsyncWebClient, http: httpx.AsyncClient) -> None:
        self._client = client
        self._http = http

    async def begin(self, *, filename: str, length: int) -> UploadTicket:
        """Step 1: ask for an upload URL (the file is private until step 3 shares it)."""
        response = await self._client.files_getUploadURLExternal(filename=filename, length=length)
        return UploadTicket(str(response["file_id"]), str(response["upload_url"]))

    async def send(self, ticket: UploadTicket, data: bytes) -> None:
        """Step 2: the raw bytes to the upload URL (no token: the URL itself authorises)."""
        response = await self._http.post(
            ticket.upload_url,
            content=data,
            headers={"Content-Type": "application/octet-stream"},
            timeout=UPLOAD_TIMEOUT_S,
        )
        if response.status_code != httpx.codes.OK:
            raise UploadFailed(f"Slack's upload URL answered HTTP {response.status_code}")

    async def share(
        self, *, file_id: str, title: str, channel_id: str, thread_ts: str | None, comment: str
    ) -> None:
        """Step 3: share the uploaded file into a channel (and thread) with a comment."""
        await self._client.files_completeUploadExternal(
            files=[{"id": file_id, "title": title}],
            channel_id=channel_id,
            thread_ts=thread_ts,
            initial_comment=comment,
        )

    async def upload(
        self,
        *,
        filename: str,
        data: bytes,
        title: str,
        channel_id: str,
        thread_ts: str | None,
        comment: str,
    ) -> str:
        """All three steps, for a file whose id need not be stored between them; its file id."""
        ticket = await self.begin(filename=filename, length=len(data))
        await self.send(ticket, data)
        await self.share(
            file_id=ticket.file_id,
            title=title,
            channel_id=channel_id,
            thread_ts=thread_ts,
            comment=comment,
        )
        return ticket.file_id

    async def shares(self, *, file_id: str, channel_id: str) -> list[dict[str, Any]]:
        """The messages a file is shared as in one channel (empty until sharing has happened)."""
        response = await self._client.files_info(file=file_id)
        file_info = response.get("file") or {}
        shares = file_info.get("shares") or {}
        found: list[dict[str, Any]] = []
        for visibility in ("public", "private"):
            found += (shares.get(visibility) or {}).get(channel_id) or []
        return found

    async def download(self, url: str, *, max_bytes: int) -> bytes:
        """A file a person shared (`url_private`), with the bot token; UploadFailed when the URL
        is not Slack's (the token goes nowhere else), Slack refuses, answers with a web page (no
        access), redirects away from its file host, or the file is larger than `max_bytes`."""
        api_origin = origin_of(str(self._client.base_url))
        for _hop in range(MAX_REDIRECTS + 1):
            if not token_may_go_to(url, api_origin):
                raise UploadFailed(NOT_SLACK_FILE)
            location = await self._fetch(url, max_bytes)
            if isinstance(location, bytes):
                return location
            if not token_may_go_to(location, api_origin):
                raise UploadFailed("Slack redirected the download away from its file host")
            url = location
        raise UploadFailed("Slack redirected the download too many times")

    async def _fetch(self, url: str, max_bytes: int) -> bytes | str:
        """The file's bytes, or where a redirect points (not followed here)."""
        headers = {"Authorization": f"Bearer {self._client.token}"}
        async with self._http.stream(
            "GET", url, headers=headers, timeout=UPLOAD_TIMEOUT_S, follow_redirects=False
        ) as got:
            if got.is_redirect:
                return str(got.url.join(got.headers.get("location", "")))
            if got.status_code != httpx.codes.OK:
                raise UploadFailed(f"Slack answered HTTP {got.status_code} for the file")
            if got.headers.get("content-type", "").startswith("text/html"):
                raise UploadFailed("Slack sent a web page instead of the file (no access to it)")
            data = bytearray()
            async for chunk in got.aiter_bytes():
                data += chunk
                if len(data) > max_bytes:
                    raise UploadFailed(f"the file is larger than {max_bytes // 1_000_000} MB")
        return bytes(data)


def origin_of(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) of a URL, or None when it is not an http(s) URL with a host."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        return None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return None
    return parsed.scheme, parsed.host.lower(), parsed.port


def token_may_go_to(url: str, api_origin: tuple[str, str, int | None] | None) -> bool:
    """Whether the bot token may be sent to `url`: https on Slack's file host, or exactly the
    configured Web API's origin (scheme, host and port; the local fake Slack speaks http)."""
    origin = origin_of(url)
    if origin is None:
        return False
    scheme, host, port = origin
    on_file_host = scheme == "https" and host in SLACK_FILE_HOSTS and port in (None, 443)
    return on_file_host or origin == api_origin


def message_ts(shares: list[dict[str, Any]], thread_ts: str | None) -> str | None:
    """The ts of the share that sits in the expected thread (or the only share)."""
    for share in shares:
        if thread_ts is None or share.get("thread_ts") == thread_ts:
            return str(share["ts"]) if share.get("ts") else None
    return None


async def preview_for(path: Path, audio: AudioWorkers) -> Path:
    """An MP3 to play in Slack: the file itself when it is one, else an MP3 made next to it
    (encoded by the audio workers, block by block: neither the CPU nor the decoded signal is
    the bot process's)."""
    if path.suffix.lower() == ".mp3":
        return path
    preview = path.with_name(f"{path.stem}.preview.mp3")
    if not await asyncio.to_thread(preview.exists):
        await audio.run(transcode, path, preview, "mp3")
    return preview


def describe_error(exc: Exception) -> str:
    """A short reason for logs and the card: Slack's error code when there is one."""
    response = getattr(exc, "response", None)
    if response is not None:
        data = getattr(response, "data", None)
        if isinstance(data, dict) and data.get("error"):
            return str(data["error"])
        return json.dumps(data)[:200] if data else str(exc)[:200]
    return str(exc)[:200] or type(exc).__name__
