"""Every failure the real server (or the network) produces maps to one documented error class."""

from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from bot.engine.acestep import (
    AceStepAuthError,
    AceStepClient,
    AceStepError,
    AceStepFileMissing,
    AceStepLMUnavailable,
    AceStepMalformedReply,
    AceStepQueueFull,
    AceStepRejected,
    AceStepServerError,
    AceStepTimeout,
    AceStepUnavailable,
    build_release_payload,
)
from bot.engine.acestep.replies import retry_after_seconds
from domain.request import GenerationRequest

from .shapes import API_KEY, FakeServer, Responder, Shapes

Call = Callable[[AceStepClient, Path], Awaitable[object]]
PAYLOAD = build_release_payload(GenerationRequest(caption="c", duration_s=30), model=None)

CALLS: dict[str, tuple[str, str, Call]] = {
    "health": ("GET", "/health", lambda c, _: c.health()),
    "models": ("GET", "/v1/models", lambda c, _: c.models()),
    "stats": ("GET", "/v1/stats", lambda c, _: c.stats()),
    "release": ("POST", "/release_task", lambda c, _: c.release_task(PAYLOAD)),
    "query": ("POST", "/query_result", lambda c, _: c.query_results(["t1"])),
    "format": ("POST", "/format_input", lambda c, _: c.format_input(caption="c", lyrics="")),
    "audio": (
        "GET",
        "/v1/audio",
        lambda c, folder: c.download(Shapes.audio_url("a.mp3"), folder / "a.mp3"),
    ),
}

HTML_502 = (
    "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>"
    "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)


def detail(status: int, text: object, **kwargs: object) -> httpx.Response:
    return httpx.Response(status, json={"detail": text}, **kwargs)  # type: ignore[arg-type]


def text(status: int, body: str, content_type: str = "text/plain; charset=utf-8") -> httpx.Response:
    return httpx.Response(status, content=body.encode(), headers={"Content-Type": content_type})


CASES: list[tuple[str, Responder, type[AceStepError], str]] = [
    ("release", detail(401, "Invalid API key"), AceStepAuthError, "ACESTEP_API_KEY"),
    ("stats", detail(401, "Missing Authorization header"), AceStepAuthError, "Missing Auth"),
    ("audio", detail(401, "Invalid API key"), AceStepAuthError, "Invalid API key"),
    ("release", detail(429, "Server busy: queue is full"), AceStepQueueFull, "queue is full"),
    ("query", text(500, "Internal Server Error"), AceStepServerError, "500: Internal Server"),
    ("release", text(502, HTML_502, "text/html"), AceStepServerError, "HTML page '502 Bad"),
    ("format", httpx.Response(200, json=Shapes.wrap(None, 500, "format_sample failed: empty")),
     AceStepLMUnavailable, "format_sample failed"),
    ("format", detail(503, "LLM not initialized. Set ACESTEP_INIT_LLM=true in .env to enable."),
     AceStepLMUnavailable, "language model"),
    ("format", detail(500, "LLM init failed: CUDA error"), AceStepLMUnavailable, "LLM init"),
    ("format", text(500, "Internal Server Error"), AceStepServerError, "server error (500"),
    ("query", httpx.Response(200, json=Shapes.wrap(None, 500, "boom")), AceStepServerError, "boom"),
    ("audio", detail(422, [{"type": "missing", "loc": ["query", "path"], "msg": "Field required",
                            "input": None}]), AceStepRejected, "query.path: Field required"),
    ("audio", detail(404, "Audio file not found"), AceStepFileMissing, "no longer on the server"),
    ("audio", detail(403, "Access denied: path outside allowed directory"), AceStepRejected,
     "HTTP 403: Access denied"),
    ("audio", detail(405, "Method Not Allowed"), AceStepRejected, "HTTP 405"),
    ("release", detail(400, "JSON payload must be an object"), AceStepRejected, "must be an obj"),
    ("release", detail(415, "Unsupported Content-Type: text/plain"), AceStepRejected, "text/plain"),
    ("release", detail(404, "Not Found"), AceStepRejected, "is ACESTEP_API_URL the ACE-Step API"),
    ("release", text(413, "Request Entity Too Large"), AceStepRejected, "HTTP 413"),
    ("query", text(408, "Request Timeout"), AceStepTimeout, "HTTP 408"),
    ("health", text(200, "{not json", "application/json"), AceStepMalformedReply, "not JSON"),
    ("stats", text(200, HTML_502.replace("502 Bad Gateway", "Login"), "text/html"),
     AceStepMalformedReply, "an HTML page 'Login'; is ACESTEP_API_URL"),
    ("release", detail(200, "weird"), AceStepMalformedReply, "{data, code} wrapper"),
    ("release", httpx.Response(200, json=Shapes.wrap({"status": "queued"})),
     AceStepMalformedReply, "task_id"),
    ("stats", httpx.Response(200, json=Shapes.wrap({"jobs": {}, "queue_size": 1})),
     AceStepMalformedReply, "jobs"),
    ("models", httpx.Response(200, json={"foo": 1}), AceStepMalformedReply, "model list"),
    ("health", httpx.Response(200, json=Shapes.wrap(["ok"])), AceStepMalformedReply, "object"),
    ("query", httpx.Response(200, json=Shapes.wrap({"t1": 0})), AceStepMalformedReply, "list"),
    ("health", httpx.Response(301, headers={"Location": "https://x/"}), AceStepMalformedReply,
     "unexpected HTTP 301"),
    ("health", httpx.ConnectError("[Errno 111] Connection refused"), AceStepUnavailable,
     "cannot reach the server (ConnectError: [Errno 111] Connection refused)"),
    ("query", httpx.ReadTimeout("timed out"), AceStepTimeout, "no answer in time"),
    ("release", httpx.ConnectTimeout("timed out"), AceStepTimeout, "ConnectTimeout"),
    ("audio", httpx.RemoteProtocolError("peer closed"), AceStepUnavailable, "peer closed"),
    ("format", httpx.ReadError("connection reset"), AceStepUnavailable, "connection reset"),
    ("stats", httpx.DecodingError("bad gzip"), AceStepMalformedReply, "bad gzip"),
]  # fmt: skip


def leftovers(folder: Path) -> list[Path]:
    return list(folder.iterdir())


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[2].__name__}" for c in CASES])
async def test_error_mapping(
    server: FakeServer,
    client: AceStepClient,
    tmp_path: Path,
    case: tuple[str, Responder, type[AceStepError], str],
) -> None:
    call, reply, error, fragment = case
    method, path, invoke = CALLS[call]
    server.on(method, path, reply)
    with pytest.raises(error) as caught:
        await invoke(client, tmp_path)
    assert type(caught.value) is error
    message = str(caught.value)
    assert fragment in message
    assert message.startswith("ACE-Step gpu-1: ")
    assert message.endswith(f"({method} {path})")
    assert "\n" not in message
    assert API_KEY not in message
    assert caught.value.server == "gpu-1"
    assert caught.value.endpoint == f"{method} {path}"
    assert leftovers(tmp_path) == []  # a failed download leaves nothing behind


@pytest.mark.parametrize(
    ("reply", "status_code"),
    [(detail(422, []), 422), (text(500, "x"), 500), (text(503, "x"), 503)],
)
async def test_status_code_is_kept(
    server: FakeServer, client: AceStepClient, reply: httpx.Response, status_code: int
) -> None:
    server.on("GET", "/v1/stats", reply)
    with pytest.raises((AceStepRejected, AceStepServerError)) as caught:
        await client.stats()
    assert isinstance(caught.value, AceStepRejected | AceStepServerError)
    assert caught.value.status_code == status_code


async def test_queue_full_carries_retry_after(server: FakeServer, client: AceStepClient) -> None:
    reply = detail(429, "Server busy: queue is full", headers={"Retry-After": "12"})
    server.on("POST", "/release_task", reply)
    with pytest.raises(AceStepQueueFull) as caught:
        await client.release_task(PAYLOAD)
    assert caught.value.retry_after == 12.0


async def test_queue_full_without_retry_after(server: FakeServer, client: AceStepClient) -> None:
    server.on("POST", "/release_task", detail(429, "Server busy: queue is full"))
    with pytest.raises(AceStepQueueFull) as caught:
        await client.release_task(PAYLOAD)
    assert caught.value.retry_after is None


@pytest.mark.parametrize(
    ("header", "seconds"),
    [(None, None), ("", None), ("5", 5.0), ("2.5", 2.5), ("-3", 0.0), ("nan", None),
     ("soon", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)  # fmt: skip
def test_retry_after_parsing(header: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(header) == seconds


async def test_server_paths_never_reach_the_message(
    server: FakeServer, client: AceStepClient, tmp_path: Path
) -> None:
    # The PyPI build's 404 names the file; people must not see the server's layout.
    path = "/root/ACE-Step-1.5/.cache/acestep/tmp/api_audio/a.mp3"
    server.on("GET", "/v1/audio", detail(404, f"Audio file not found: {path}"))
    with pytest.raises(AceStepFileMissing) as caught:
        await client.download(Shapes.audio_url("a.mp3"), tmp_path / "a.mp3")
    assert "/root" not in str(caught.value)
    assert caught.value.detail is not None
    assert path in caught.value.detail  # kept for logs


async def test_echoed_key_is_redacted(server: FakeServer, client: AceStepClient) -> None:
    # A misbehaving proxy might echo the header; the key must still not leak.
    server.on("GET", "/v1/stats", detail(401, f"Invalid API key: Bearer {API_KEY}"))
    with pytest.raises(AceStepAuthError) as caught:
        await client.stats()
    assert API_KEY not in str(caught.value)
    assert API_KEY not in (caught.value.detail or "")
    assert "[redacted]" in str(caught.value)


async def test_malformed_reply_quotes_a_short_snippet(
    server: FakeServer, client: AceStepClient
) -> None:
    server.on("GET", "/health", text(200, "garbage " * 500, "application/json"))
    with pytest.raises(AceStepMalformedReply) as caught:
        await client.health()
    message = str(caught.value)
    assert "reply starts: garbage garbage" in message
    assert len(message) < 450


@pytest.mark.parametrize(
    ("failure", "arrived"),
    [
        (httpx.ConnectError("refused"), False),
        (httpx.ConnectTimeout("timed out"), False),
        (httpx.PoolTimeout("timed out"), False),
        (httpx.ReadTimeout("timed out"), True),
        (httpx.WriteTimeout("timed out"), True),
        (httpx.RemoteProtocolError("peer closed"), True),
        (httpx.ReadError("connection reset"), True),
        (text(408, "Request Timeout"), False),
    ],
)
async def test_unavailable_says_whether_the_request_may_have_arrived(
    server: FakeServer, client: AceStepClient, failure: Responder, arrived: bool
) -> None:
    server.on("POST", "/release_task", failure)
    with pytest.raises(AceStepUnavailable) as caught:
        await client.release_task(PAYLOAD)
    assert caught.value.may_have_arrived is arrived
