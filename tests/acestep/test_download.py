"""Downloads: streamed to a temporary file, renamed atomically, bounded, cleaned up on failure."""

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from bot.engine.acestep import AceStepClient, AceStepMalformedReply, AceStepUnavailable

from .shapes import API_KEY, FakeServer, Shapes

ClientMaker = Callable[..., AceStepClient]
URL = Shapes.audio_url("0f3c9a.mp3")


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def chunks(*parts: bytes, fail: Exception | None = None) -> AsyncIterator[bytes]:
    for part in parts:
        yield part
    if fail is not None:
        raise fail


async def test_download_saves_the_file(
    server: FakeServer, client: AceStepClient, tmp_path: Path
) -> None:
    audio = b"ID3" + bytes(range(256)) * 10_000  # ~2.5 MB: several batched writes
    server.on("GET", "/v1/audio", httpx.Response(200, content=audio, headers=_mp3()))
    dest = tmp_path / "take-1.mp3"
    saved = await client.download(URL, dest)
    assert (saved.path, saved.size, saved.content_type) == (dest, len(audio), "audio/mpeg")
    assert dest.read_bytes() == audio
    assert files_in(tmp_path) == ["take-1.mp3"]
    request = server.requests[0]
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.url.raw_path.decode() == URL  # query sent exactly as the server wrote it
    assert request.url.params["path"].endswith("/api_audio/0f3c9a.mp3")


async def test_download_creates_the_folder_and_replaces_an_old_file(
    server: FakeServer, client: AceStepClient, tmp_path: Path
) -> None:
    server.on("GET", "/v1/audio", httpx.Response(200, content=b"new", headers=_mp3()))
    dest = tmp_path / "job-7" / "a.mp3"
    await client.download(URL, dest)
    await client.download(URL, dest)
    assert dest.read_bytes() == b"new"
    assert files_in(dest.parent) == ["a.mp3"]


async def test_failure_mid_stream_leaves_the_old_file_and_no_partial(
    server: FakeServer, client: AceStepClient, tmp_path: Path
) -> None:
    dest = tmp_path / "a.mp3"
    dest.write_bytes(b"previous good copy")
    body = chunks(b"x" * 1000, fail=httpx.ReadError("connection reset by peer"))
    server.on("GET", "/v1/audio", httpx.Response(200, content=body))
    with pytest.raises(AceStepUnavailable, match="connection reset"):
        await client.download(URL, dest)
    assert files_in(tmp_path) == ["a.mp3"]
    assert dest.read_bytes() == b"previous good copy"


async def test_limit_enforced_from_content_length_before_reading(
    server: FakeServer, make_client: ClientMaker, tmp_path: Path
) -> None:
    server.on("GET", "/v1/audio", httpx.Response(200, content=b"x" * 5000))
    client = make_client(max_download_bytes=1000)
    with pytest.raises(AceStepMalformedReply, match="5000 bytes, over the 1000-byte"):
        await client.download(URL, tmp_path / "a.mp3")
    assert files_in(tmp_path) == []


async def test_limit_enforced_while_streaming_without_content_length(
    server: FakeServer, make_client: ClientMaker, tmp_path: Path
) -> None:
    response = httpx.Response(200, content=chunks(b"x" * 600, b"x" * 600, b"x" * 600))
    assert "Content-Length" not in response.headers
    server.on("GET", "/v1/audio", response)
    client = make_client(max_download_bytes=1000)
    with pytest.raises(AceStepMalformedReply, match="larger than the 1000-byte"):
        await client.download(URL, tmp_path / "a.mp3")
    assert files_in(tmp_path) == []


async def test_exactly_at_the_limit_is_fine(
    server: FakeServer, make_client: ClientMaker, tmp_path: Path
) -> None:
    server.on("GET", "/v1/audio", httpx.Response(200, content=chunks(b"x" * 500, b"y" * 500)))
    saved = await make_client(max_download_bytes=1000).download(URL, tmp_path / "a.mp3")
    assert saved.size == 1000


async def test_empty_file_is_malformed(
    server: FakeServer, client: AceStepClient, tmp_path: Path
) -> None:
    server.on("GET", "/v1/audio", httpx.Response(200, content=b"", headers=_mp3()))
    with pytest.raises(AceStepMalformedReply, match="empty"):
        await client.download(URL, tmp_path / "a.mp3")
    assert files_in(tmp_path) == []


async def test_short_body_is_malformed(
    server: FakeServer, client: AceStepClient, tmp_path: Path
) -> None:
    headers = {"Content-Length": "1000", "Content-Type": "audio/mpeg"}
    server.on("GET", "/v1/audio", httpx.Response(200, content=chunks(b"x" * 500), headers=headers))
    with pytest.raises(AceStepMalformedReply, match="stopped at 500 of 1000 bytes"):
        await client.download(URL, tmp_path / "a.mp3")
    assert files_in(tmp_path) == []


async def test_cancellation_removes_the_partial_file(
    server: FakeServer, client: AceStepClient, tmp_path: Path
) -> None:
    started = asyncio.Event()

    async def stalled() -> AsyncIterator[bytes]:
        yield b"x" * 100
        started.set()
        await asyncio.Event().wait()  # never comes
        yield b""

    server.on("GET", "/v1/audio", httpx.Response(200, content=stalled()))
    task = asyncio.create_task(client.download(URL, tmp_path / "a.mp3"))
    await started.wait()
    assert len(files_in(tmp_path)) == 1  # the hidden temporary file
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert files_in(tmp_path) == []


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("http://evil.test/v1/audio?path=%2Fx.mp3", "another host"),
        ("https://gpu-1.test:8001/v1/audio?path=%2Fx.mp3", "another host"),  # other scheme
        ("v1/audio?path=%2Fx.mp3", "server path"),
        ("//evil.test/v1/audio?path=%2Fx.mp3", "server path"),
        ("", "no file URL"),
    ],
)
async def test_refuses_urls_that_would_leak_the_key(
    server: FakeServer, client: AceStepClient, tmp_path: Path, url: str, complaint: str
) -> None:
    with pytest.raises(AceStepMalformedReply, match=complaint):
        await client.download(url, tmp_path / "a.mp3")
    assert server.requests == []


async def test_same_origin_absolute_url_is_fine(
    server: FakeServer, client: AceStepClient, tmp_path: Path
) -> None:
    server.on("GET", "/v1/audio", httpx.Response(200, content=b"abc"))
    saved = await client.download("http://gpu-1.test:8001" + URL, tmp_path / "a.mp3")
    assert saved.size == 3


async def test_base_url_prefix_is_kept(tmp_path: Path) -> None:
    seen: list[httpx.URL] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, content=b"abc")

    transport = httpx.MockTransport(handle)
    async with httpx.AsyncClient(transport=transport, base_url="http://proxy.test/ace/") as http:
        client = AceStepClient(http, name="behind-proxy")
        await client.download(URL, tmp_path / "a.mp3")
    assert seen[0].raw_path.decode() == "/ace" + URL


def _mp3() -> dict[str, str]:
    return {"Content-Type": "audio/mpeg", "ETag": '"abc"'}
