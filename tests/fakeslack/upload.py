"""The upload URL (step 2 of the three-step upload) and `url_private` downloads.

Upload: POST raw bytes or multipart, no Authorization needed; the byte count must equal the
`length` announced to files.getUploadURLExternal; answers `text/plain` "OK - <size>" like Slack.
Download: `url_private(_download)` needs the bot token as `Authorization: Bearer`; without it
Slack serves an HTML login page with status 200 (a classic bug source), and so does the fake.
"""

import time
from dataclasses import dataclass

from aiohttp import BodyPartReader, web

from tests.fakeslack.backend import Backend
from tests.fakeslack.render import file_kind

LOGIN_PAGE = "<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in</body></html>"


@dataclass(frozen=True)
class Upload:
    """One POST to an upload URL."""

    file_id: str
    size: int
    content_type: str
    status: int  # 0: the connection was dropped (`drop_upload`), no status was sent
    at: float


async def _read_bytes(request: web.Request) -> bytes:
    """The file's bytes: the whole body, or the first file part of a multipart body."""
    if not request.content_type.startswith("multipart/"):
        return await request.read()
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if isinstance(part, BodyPartReader) and (
            part.filename or part.name in ("file", "filename")
        ):
            return bytes(await part.read(decode=False))
    return b""


class UploadEndpoint:
    """Serves upload URLs and private file downloads."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.uploads: list[Upload] = []

    async def upload(self, request: web.Request) -> web.Response:
        """Receive a file's bytes (or fail once if `fail_upload` / `drop_upload` asked for it)."""
        file_id = self.backend.upload_tokens.get(request.match_info["token"])
        if file_id is None:
            return web.Response(status=404, text="unknown upload URL")
        data = await _read_bytes(request)
        if self.backend.failures.take_upload_drop():
            self.uploads.append(
                Upload(file_id, len(data), request.content_type, 0, time.monotonic())
            )
            if request.transport is not None:
                request.transport.close()  # no status line: the client sees a broken connection
            return web.Response(status=500, text="connection dropped (injected by fakeslack)")
        status, text = self._verdict(file_id, data)
        self.uploads.append(
            Upload(file_id, len(data), request.content_type, status, time.monotonic())
        )
        self.backend.changes.notify()
        return web.Response(status=status, text=text, content_type="text/plain")

    def _verdict(self, file_id: str, data: bytes) -> tuple[int, str]:
        injected = self.backend.failures.take_upload()
        if injected is not None:
            return injected, "upload failed (injected by fakeslack)"
        file = self.backend.workspace.files[file_id]
        if len(data) != file.length:  # Slack's answer to a length mismatch is unverified
            self.backend.note(f"upload {file_id}: {len(data)} bytes, announced {file.length}")
            return 400, f"length mismatch: got {len(data)}, announced {file.length}"
        file.data = data
        return 200, f"OK - {len(data)}"

    async def download(self, request: web.Request) -> web.Response:
        """Serve a file's bytes to a caller with the bot token."""
        _, _, file_id = request.match_info["team_file"].partition("-")
        file = self.backend.workspace.files.get(file_id)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token not in self.backend.identity.bot_tokens:
            return web.Response(text=LOGIN_PAGE, content_type="text/html")
        if file is None or file.data is None:
            return web.Response(status=404, text="file not found")
        return web.Response(body=file.data, content_type=file_kind(file.name)[0])
