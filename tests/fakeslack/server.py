"""`FakeSlack`: the aiohttp server on 127.0.0.1 (port 0) tying the Web API, upload URLs,
response URLs and Socket Mode together, plus the test-facing records, waits and injections.

`serve_locally(app)` serves any aiohttp application the same way (never a fixed port, never
0.0.0.0), e.g. the bot's Bolt app in HTTP-mode tests::

    async with serve_locally(app.web_app(path="/slack/events")) as base:
        bot_url = f"{base}/slack/events"
"""

import socket
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakeslack.backend import Backend, Options
from tests.fakeslack.failures import Failure
from tests.fakeslack.identity import Identity
from tests.fakeslack.prepare import prepare_payload
from tests.fakeslack.records import Call
from tests.fakeslack.render import message_json, view_json
from tests.fakeslack.response_url import ResponsePost, ResponseUrls
from tests.fakeslack.socket_mode import SocketMode
from tests.fakeslack.state import Workspace
from tests.fakeslack.upload import Upload, UploadEndpoint
from tests.fakeslack.webapi import WebApi

T = TypeVar("T")
JsonDict = dict[str, Any]


class FakeSlack:
    """A local Slack: Web API at `api_url`, Socket Mode via apps.connections.open, upload and
    response URLs. Use as `async with FakeSlack() as fake:` (see the package docstring)."""

    def __init__(
        self,
        identity: Identity | None = None,
        *,
        share_delay: float = Options.share_delay,
        trigger_ttl: float = Options.trigger_ttl,
        strict_triggers: bool = Options.strict_triggers,
        auto_create: bool = Options.auto_create,
        response_url_uses: int = Options.response_url_uses,
    ) -> None:
        options = Options(share_delay, trigger_ttl, strict_triggers, auto_create, response_url_uses)
        self.identity = identity or Identity()
        self.backend = Backend(self.identity, options)
        self.response_urls = ResponseUrls(self.backend)
        self.socket = SocketMode(self.backend, self.response_urls)
        self.web = WebApi(self.backend)
        self.files = UploadEndpoint(self.backend)
        self.backend.issue_socket_url = self.socket.issue_url
        self.port = 0
        self._runner: web.AppRunner | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self.web.handle)
        app.router.add_post("/upload/v1/{token}", self.files.upload)
        app.router.add_get("/files-pri/{team_file}/{tail:.*}", self.files.download)
        app.router.add_post("/response-url/{url_id}", self.response_urls.handle)
        app.router.add_get("/link/", self.socket.handle)
        return app

    async def start(self) -> "FakeSlack":
        """Listen on 127.0.0.1 on a free port."""
        self._runner, self.port = await start_locally(self._app())
        self.backend.base_url = f"http://127.0.0.1:{self.port}/"
        return self

    async def stop(self) -> None:
        """Close sockets, cancel pending shares, stop listening (stop the app's handler first)."""
        await self.socket.close_all()
        await self.backend.drain()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "FakeSlack":
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- addresses and clients -----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:P/`."""
        return self.backend.base_url

    @property
    def api_url(self) -> str:
        """The Web API base URL for `AsyncWebClient(base_url=...)`: `http://127.0.0.1:P/api/`."""
        return f"{self.base_url}api/"

    def web_client(self, **kwargs: Any) -> AsyncWebClient:
        """An AsyncWebClient with the bot token pointed at this fake."""
        kwargs.setdefault("token", self.identity.bot_token)
        return AsyncWebClient(base_url=self.api_url, **kwargs)

    def env(self) -> dict[str, str]:
        """Environment for running the bot against this fake (e.g. as a subprocess)."""
        return {
            "SLACK_API_URL": self.api_url,
            "SLACK_BOT_TOKEN": self.identity.bot_token,
            "SLACK_APP_TOKEN": self.identity.app_token,
            "SLACK_SIGNING_SECRET": self.identity.signing_secret,
        }

    # -- records and waits -----------------------------------------------------------------------

    @property
    def workspace(self) -> Workspace:
        """Users, channels, messages, files, views and ephemerals."""
        return self.backend.workspace

    @property
    def calls(self) -> list[Call]:
        """Every Web API call, in arrival order."""
        return self.backend.calls

    def calls_to(self, method: str) -> list[Call]:
        """The calls to one method."""
        return [call for call in self.backend.calls if call.method == method]

    @property
    def problems(self) -> list[str]:
        """Things Slack may accept but that look like app bugs (assert this stays empty)."""
        return self.backend.problems

    @property
    def uploads(self) -> list[Upload]:
        """POSTs to upload URLs."""
        return self.files.uploads

    @property
    def response_posts(self) -> list[ResponsePost]:
        """POSTs to response URLs."""
        return self.response_urls.posts

    async def wait_until(
        self,
        check: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109 -- a test helper's deadline
        what: str = "a condition",
    ) -> T:
        """Return `check()` once it is not None; re-evaluated on every change (no polling)."""
        return await self.backend.changes.wait_until(check, timeout, what)

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 -- a test helper's deadline
        *,
        count: int = 1,
    ) -> Call:
        """The `count`-th call to `method` matching `predicate` (already made or still to come)."""

        def check() -> Call | None:
            found = [c for c in self.calls_to(method) if predicate is None or predicate(c)]
            return found[count - 1] if len(found) >= count else None

        return await self.wait_until(check, timeout, f"call #{count} to {method}")

    # -- failure injection -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error: str = "ratelimited",
        *,
        status: int | None = None,
        retry_after: int = 1,
        times: int = 1,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """Make the next `times` calls to `method` fail: `ratelimited` answers HTTP 429 with
        `Retry-After: retry_after` (whole seconds: slack_sdk parses it with int()), anything
        else HTTP 200 (or `status`) with `{"ok": false, "error": error}`."""
        if isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0:
            # slack_sdk parses Retry-After with int(): "0.5" would crash its retry handler.
            raise ValueError("retry_after must be whole seconds (0 for fast tests)")
        limited = error == "ratelimited"
        failure = Failure(
            error=error,
            status=status if status is not None else (429 if limited else 200),
            retry_after=retry_after if limited else None,
            extra=dict(extra or {}),
            remaining=times,
        )
        self.backend.failures.add(method, failure)

    def fail_upload(self, status: int = 500, times: int = 1) -> None:
        """Make the next `times` POSTs to upload URLs answer `status`."""
        self.backend.failures.upload_statuses.extend([status] * times)

    def drop_upload(self, times: int = 1) -> None:
        """Make the next `times` POSTs to upload URLs end with the connection closed and no
        answer (a network failure: the uploader's HTTP client raises, there is no status)."""
        self.backend.failures.upload_drops += times

    def slow_down(self, seconds: float, method: str | None = None) -> None:
        """Delay answers of `method` (or of every method) by `seconds`."""
        self.backend.failures.latency[method] = seconds

    # -- payload helpers -----------------------------------------------------------------------

    def prepare_payload(self, payload: JsonDict) -> JsonDict:
        """Register the payload's trigger id and give it a recording response_url."""
        return prepare_payload(self.backend, self.response_urls, payload)

    def render_message(self, channel: str, ts: str) -> JsonDict:
        """A stored message as Slack's JSON (for `payloads.block_actions(message=...)`)."""
        return message_json(self.workspace, self.workspace.message(channel, ts), self.base_url)

    def render_view(self, view_id: str) -> JsonDict:
        """A stored view as Slack's JSON (for `payloads.view_submission(view=...)`)."""
        return view_json(self.workspace, self.workspace.views[view_id])


async def start_locally(app: web.Application) -> tuple[web.AppRunner, int]:
    """Start serving `app` on 127.0.0.1; returns the runner (clean it up) and the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    try:
        sock.bind(("127.0.0.1", 0))
        await runner.setup()
        await web.SockSite(runner, sock).start()
    except BaseException:
        sock.close()
        await runner.cleanup()
        raise
    port: int = sock.getsockname()[1]
    return runner, port


@asynccontextmanager
async def serve_locally(app: web.Application) -> AsyncIterator[str]:
    """Serve `app` for the duration of the block; yields `http://127.0.0.1:<port>`."""
    runner, port = await start_locally(app)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
