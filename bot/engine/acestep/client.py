"""Async client for one ACE-Step 1.5 API server (ACESTEP_API.md).

The composition root builds one `httpx.AsyncClient` per server (with `base_url` and an explicit
`httpx.Timeout`) and closes it; this class only borrows it. Every call sends the API key as a
Bearer header when one is configured (never in bodies or URLs), never retries (the job engine owns
retry policy) and turns every failure into an `AceStepError` via `bot.engine.acestep.replies`.
"""

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

import httpx

from bot.engine.acestep.download import save_stream
from bot.engine.acestep.records import (
    DownloadedFile,
    FormattedPrompt,
    Submission,
    parse_formatted,
    parse_models,
    parse_stats,
    parse_submission,
)
from bot.engine.acestep.replies import (
    AUDIO_PATH,
    FORMAT_INPUT_PATH,
    CallContext,
    error_for_response,
    error_for_transport,
    read_json,
    unwrap,
)
from bot.engine.acestep.urls import public_url
from bot.engine.acestep.wire import (
    TaskState,
    check_release_payload,
    parse_query_results,
    unknown_task,
)
from domain.servers import ModelList, ServerStats

__all__ = [
    "AceStepClient",
    "DownloadedFile",
    "FormattedPrompt",
    "ModelList",
    "ServerStats",
    "Submission",
]

log = logging.getLogger(__name__)

DEFAULT_MAX_DOWNLOAD_BYTES: Final = 200 * 1024 * 1024
_JSON: Final = "application/json"


class AceStepClient:
    """One ACE-Step server: submit, poll in bulk, download, plus health, models, stats, format."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        name: str,
        api_key: str | None = None,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
    ) -> None:
        if max_download_bytes < 1:
            raise ValueError("max_download_bytes must be positive")
        self._http = http
        self._name = public_url(name)  # credentials in a URL are never shown
        self._api_key = api_key or None
        self._max_download_bytes = max_download_bytes
        self.calls: Counter[str] = Counter()  # HTTP requests sent, per endpoint path

    def __repr__(self) -> str:
        base_url = public_url(str(self._http.base_url))
        return f"AceStepClient(name={self._name!r}, base_url={base_url!r})"

    @property
    def name(self) -> str:
        """The name used in logs, errors and on jobs: the URL without any `user:pass@`."""
        return self._name

    async def health(self) -> dict[str, object]:
        """`GET /health` data, e.g. `{"status": "ok", ...}` (says nothing about the LM or queue)."""
        ctx = self._ctx("GET", "/health")
        data = unwrap(await self._send(ctx), ctx)
        if not isinstance(data, dict):
            raise ctx.malformed("health data is not an object", data)
        return data

    async def models(self) -> ModelList:
        """`GET /v1/models`, either shape, as bare names usable in `/release_task`."""
        ctx = self._ctx("GET", "/v1/models")
        return parse_models(read_json(await self._send(ctx), ctx), ctx)

    async def stats(self) -> ServerStats:
        """`GET /v1/stats`: queue and job counters and the mean job time."""
        ctx = self._ctx("GET", "/v1/stats")
        return parse_stats(unwrap(await self._send(ctx), ctx), ctx)

    async def release_task(self, payload: Mapping[str, object]) -> Submission:
        """`POST /release_task`. Build `payload` with `wire.build_release_payload`.

        Raises ValueError (before sending) for a payload the server would misread.
        """
        check_release_payload(payload)
        ctx = self._ctx("POST", "/release_task")
        return parse_submission(unwrap(await self._send(ctx, json=dict(payload)), ctx), ctx)

    async def query_results(self, task_ids: Sequence[str]) -> list[TaskState]:
        """One `POST /query_result` for all ids; one state per distinct id, in the order given.

        Replies are matched by `task_id`; an id missing from the reply is `TaskPhase.UNKNOWN`.
        """
        wanted = list(dict.fromkeys(task_ids))
        if not wanted:
            return []
        ctx = self._ctx("POST", "/query_result")
        body = read_json(await self._send(ctx, json={"task_id_list": wanted}), ctx)
        by_id = {state.task_id: state for state in parse_query_results(body, server=self._name)}
        extra = by_id.keys() - set(wanted)
        if extra:
            log.debug("ACE-Step %s reported tasks we did not ask for: %s", self._name, extra)
        return [by_id.get(task_id) or unknown_task(task_id) for task_id in wanted]

    async def format_input(
        self,
        *,
        caption: str,
        lyrics: str,
        duration_s: float | None = None,
        bpm: int | None = None,
        key_scale: str | None = None,
        time_signature: str | None = None,
        language: str | None = None,
    ) -> FormattedPrompt:
        """`POST /format_input`: the server LM rewrites caption/lyrics and fills in metadata.

        Blocks the whole server while the LM runs. Raises `AceStepLMUnavailable` when the LM
        cannot be used; the caller then keeps the user's own prompt.
        """
        if bpm is not None and (isinstance(bpm, bool) or not isinstance(bpm, int)):
            raise ValueError(f"bpm must be an integer, not {bpm!r}")
        hints = {
            "duration": duration_s,
            "bpm": bpm,
            "key_scale": key_scale,
            "time_signature": time_signature,
            "language": language,
        }
        param_obj = {name: value for name, value in hints.items() if value is not None}
        body = {"prompt": caption, "lyrics": lyrics, "param_obj": param_obj}
        ctx = self._ctx("POST", FORMAT_INPUT_PATH)
        data = unwrap(await self._send(ctx, json=body), ctx)
        return parse_formatted(data, ctx, caption=caption, lyrics=lyrics)

    async def download(self, file_url: str, dest: Path) -> DownloadedFile:
        """Stream a result's relative file URL (`/v1/audio?path=...`) to `dest` atomically.

        The URL's query is sent as given. The file is written to a temporary file beside `dest`
        and renamed over it when complete; nothing is left behind on failure.
        """
        ctx = self._audio_ctx(file_url)
        self.calls[AUDIO_PATH] += 1
        try:
            async with self._http.stream(
                "GET", file_url, headers=self._headers(accept="*/*")
            ) as response:
                self._log(ctx, response)
                if response.status_code != httpx.codes.OK:
                    await response.aread()
                    raise error_for_response(response, ctx)
                size = await save_stream(response, dest, limit=self._max_download_bytes, ctx=ctx)
                content_type = response.headers.get("Content-Type")
        except httpx.RequestError as exc:
            raise error_for_transport(exc, ctx) from exc
        return DownloadedFile(path=dest, size=size, content_type=content_type)

    def _audio_ctx(self, file_url: str) -> CallContext:
        """Context for a download; refuses URLs that would carry the key to another host."""
        ctx = self._ctx("GET", AUDIO_PATH)
        try:
            url = httpx.URL(file_url)
        except httpx.InvalidURL as exc:
            raise ctx.malformed("the result's file URL is not a URL") from exc
        problem = _file_url_problem(file_url, url, self._http.base_url)
        if problem:
            raise ctx.malformed(problem)
        return self._ctx("GET", url.path)

    async def _send(self, ctx: CallContext, *, json: object = None) -> httpx.Response:
        """One request; transport failures become `AceStepUnavailable`/`AceStepTimeout`."""
        headers = self._headers(with_body=json is not None)
        self.calls[ctx.path] += 1
        try:
            response = await self._http.request(ctx.method, ctx.path, json=json, headers=headers)
        except httpx.RequestError as exc:
            raise error_for_transport(exc, ctx) from exc
        self._log(ctx, response)
        return response

    def _headers(self, *, with_body: bool = False, accept: str = _JSON) -> dict[str, str]:
        headers = {"Accept": accept}
        if with_body:
            headers["Content-Type"] = _JSON  # /query_result reads a form without it (§5.1)
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers

    def _ctx(self, method: str, path: str) -> CallContext:
        return CallContext(server=self._name, method=method, path=path, secret=self._api_key)

    def _log(self, ctx: CallContext, response: httpx.Response) -> None:
        log.debug("ACE-Step %s %s -> HTTP %d", self._name, ctx.endpoint, response.status_code)


def _file_url_problem(text: str, url: httpx.URL, base: httpx.URL) -> str | None:
    """Why a result's file URL must not be fetched with our key, or None when it is fine."""
    if not text.strip():
        return "the result has no file URL"
    if url.is_absolute_url:
        same_origin = (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)
        return None if same_origin else "the file URL points at another host; key not sent there"
    if not text.startswith("/") or text.startswith("//"):
        return "the file URL is not a server path like /v1/audio?path=..."
    return None
