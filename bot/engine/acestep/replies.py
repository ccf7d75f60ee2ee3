"""Reading ACE-Step replies: the one place where HTTP outcomes become client errors.

Successful replies are wrapped (`{"data", "code", "error", "timestamp", "extra"}`); errors are
FastAPI's unwrapped `{"detail": ...}` or plain text (ACESTEP_API.md §2). `unwrap` returns the
`data` of a good reply and raises the matching `AceStepError` for everything else;
`error_for_response` and `error_for_transport` are the whole error mapping.
"""

import email.utils
import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from bot.engine.acestep.errors import (
    AceStepAuthError,
    AceStepError,
    AceStepFileMissing,
    AceStepLMUnavailable,
    AceStepMalformedReply,
    AceStepQueueFull,
    AceStepRejected,
    AceStepServerError,
    AceStepTimeout,
    AceStepUnavailable,
)
from bot.engine.acestep.text import DETAIL_CHARS, one_line, redact, scrub_paths, snippet

M = TypeVar("M", bound=BaseModel)

AUDIO_PATH: Final = "/v1/audio"
FORMAT_INPUT_PATH: Final = "/format_input"
_WRAPPER_OK: Final = 200
# Transport failures that happen before any byte of the request reaches the server.
_NEVER_SENT: Final = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
)
_HTML_TITLE_RE: Final = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class CallContext:
    """Which server and endpoint a reply came from, and the secret that must never be shown."""

    server: str
    method: str
    path: str
    secret: str | None = None

    @property
    def endpoint(self) -> str:
        """`"POST /release_task"`."""
        return f"{self.method} {self.path}"

    def clean(self, text: str) -> str:
        """One short line of server text with the secret and file paths removed."""
        return one_line(scrub_paths(redact(text, self.secret)))

    def malformed(self, what: str, body: object = None) -> AceStepMalformedReply:
        """An `AceStepMalformedReply` saying what was wrong, quoting the start of the body."""
        quoted = f"; reply starts: {self.quote(body)}" if body is not None else ""
        return AceStepMalformedReply(
            f"unreadable reply: {what}{quoted}", server=self.server, endpoint=self.endpoint
        )

    def quote(self, body: object) -> str:
        """A short, redacted quote of a body (text, bytes or decoded JSON)."""
        if isinstance(body, str | bytes):
            return snippet(body, self.secret)
        return snippet(json.dumps(body, ensure_ascii=False, default=str), self.secret)

    def fields(self, raw: str) -> dict[str, str]:
        """Keyword arguments for an error: server, endpoint, and the server's text for logs."""
        return {"server": self.server, "endpoint": self.endpoint, "detail": self.log_detail(raw)}

    def log_detail(self, text: str) -> str:
        """Longer server text for logs: redacted and bounded, paths kept."""
        return redact(text, self.secret)[:DETAIL_CHARS]


def unwrap(response: httpx.Response, ctx: CallContext) -> object:
    """The `data` of a wrapped success reply; raises the matching `AceStepError` otherwise."""
    return unwrap_envelope(read_json(response, ctx), ctx)


def read_json(response: httpx.Response, ctx: CallContext) -> object:
    """The decoded body of a 200 reply (wrapped or not); raises the matching error otherwise."""
    if response.status_code != httpx.codes.OK:
        raise error_for_response(response, ctx)
    return parse_json(response, ctx)


def parse_json(response: httpx.Response, ctx: CallContext) -> object:
    """The decoded JSON body of a reply, or `AceStepMalformedReply` quoting what came instead."""
    try:
        return json.loads(response.content)
    except ValueError as exc:
        page = html_summary(response.text)
        if page is not None:
            raise ctx.malformed(f"not JSON but {page}") from exc
        raise ctx.malformed("not JSON", response.text) from exc


def unwrap_envelope(body: object, ctx: CallContext) -> object:
    """Check the `{"data", "code", ...}` wrapper and return `data`."""
    if not isinstance(body, dict) or "data" not in body or "code" not in body:
        raise ctx.malformed("expected the {data, code} wrapper", body)
    code = body["code"]
    if isinstance(code, bool) or not isinstance(code, int | str) or not str(code).isdigit():
        raise ctx.malformed(f"wrapper code is {code!r}, not an integer", body)
    if int(code) != _WRAPPER_OK:
        error = str(body.get("error") or "no reason given")
        raise _server_error(int(code), error, ctx, wrapped=True)
    return body["data"]


def validate(model: type[M], data: object, ctx: CallContext, what: str) -> M:
    """Validate `data` against a pydantic model; any mismatch is `AceStepMalformedReply`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "reply"
        raise ctx.malformed(f"{what}: {field}: {first['msg']}", data) from exc


def error_for_response(response: httpx.Response, ctx: CallContext) -> AceStepError:
    """Map a non-200 reply (its body already read) to the error the caller can act on.

    4xx: see `_client_error`; 5xx server error (LM unavailable on /format_input); anything else
    (3xx, 1xx, a 2xx other than 200) malformed.
    """
    status = response.status_code
    raw = server_detail(response)
    if httpx.codes.is_client_error(status):
        return _client_error(status, raw, response.headers.get("Retry-After"), ctx)
    if httpx.codes.is_server_error(status):
        return _server_error(status, raw, ctx)
    return AceStepMalformedReply(f"unexpected HTTP {status} ({ctx.clean(raw)})", **ctx.fields(raw))


def _client_error(status: int, raw: str, retry_after: str | None, ctx: CallContext) -> AceStepError:
    """401 auth, 429 queue full, 404 on /v1/audio file missing, 408 timeout, others rejected.

    The server itself sends 400/403/404/405/415/422; a proxy may add others (e.g. 413).
    """
    shown, common = ctx.clean(raw), ctx.fields(raw)
    if status == httpx.codes.UNAUTHORIZED:
        message = f"the server refused our credentials (HTTP 401: {shown}); check ACESTEP_API_KEY"
        return AceStepAuthError(message, **common)
    if status == httpx.codes.TOO_MANY_REQUESTS:
        message = f"the server is busy, its queue is full (HTTP 429: {shown}); try again later"
        return AceStepQueueFull(message, retry_after=retry_after_seconds(retry_after), **common)
    if status == httpx.codes.NOT_FOUND and ctx.path == AUDIO_PATH:
        message = "the audio file is no longer on the server (HTTP 404)"
        return AceStepFileMissing(message, status_code=status, **common)
    if status == httpx.codes.REQUEST_TIMEOUT:
        message = "the server gave up waiting for our request (HTTP 408)"
        return AceStepTimeout(message, may_have_arrived=False, **common)
    hint = "; is ACESTEP_API_URL the ACE-Step API server?" if status == 404 else ""
    message = f"the server rejected the request (HTTP {status}: {shown}){hint}"
    return AceStepRejected(message, status_code=status, **common)


def error_for_transport(exc: httpx.RequestError, ctx: CallContext) -> AceStepError:
    """Map an httpx exception (no reply, or an unreadable one) to a client error."""
    reason = ctx.clean(f"{type(exc).__name__}: {exc}")
    common = {"server": ctx.server, "endpoint": ctx.endpoint}
    arrived = not isinstance(exc, _NEVER_SENT)
    if isinstance(exc, httpx.TimeoutException):
        return AceStepTimeout(f"no answer in time ({reason})", may_have_arrived=arrived, **common)
    if isinstance(exc, httpx.TransportError):
        message = f"cannot reach the server ({reason})"
        return AceStepUnavailable(message, may_have_arrived=arrived, **common)
    return AceStepMalformedReply(f"unreadable reply ({reason})", **common)


def _server_error(
    status: int, raw: str, ctx: CallContext, *, wrapped: bool = False
) -> AceStepServerError:
    """5xx, or `code` != 200 in a 200 wrapper; /format_input LM failures get their own class."""
    shown, common = ctx.clean(raw), ctx.fields(raw)
    lm_failed = wrapped or status == 503 or raw.startswith("LLM")
    if ctx.path == FORMAT_INPUT_PATH and lm_failed:
        message = f"the server's language model is unavailable ({status}: {shown})"
        return AceStepLMUnavailable(message, status_code=status, **common)
    return AceStepServerError(f"server error ({status}: {shown})", status_code=status, **common)


def server_detail(response: httpx.Response) -> str:
    """The server's own words for an error: `detail`, the wrapper's `error`, or the raw text."""
    text = response.text
    try:
        body = json.loads(text)
    except ValueError:
        return describe_text(text)
    if isinstance(body, dict) and "detail" in body:
        return _detail_text(body["detail"])
    if isinstance(body, dict) and body.get("error"):
        return str(body["error"])
    return text


def _detail_text(detail: object) -> str:
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):  # FastAPI validation errors: [{"loc": [...], "msg": "..."}]
        return "; ".join(_validation_text(item) for item in detail) or "invalid request"
    return json.dumps(detail, default=str)


def _validation_text(item: object) -> str:
    if not isinstance(item, dict):
        return str(item)
    loc = item.get("loc")
    where = ".".join(str(part) for part in loc) if isinstance(loc, list) else ""
    msg = str(item.get("msg", "invalid"))
    return f"{where}: {msg}" if where else msg


def describe_text(text: str) -> str:
    """Plain text as it is; an HTML page as a short description."""
    if not text.strip():
        return "an empty body"
    return html_summary(text) or text


def html_summary(text: str) -> str | None:
    """A short description of an HTML page (a proxy or login page, not the API), else None."""
    start = text.lstrip()[:200].lower()
    if not start.startswith(("<!doctype html", "<html", "<head", "<body")):
        return None
    match = _HTML_TITLE_RE.search(text)
    title = f" '{one_line(match.group(1), 80)}'" if match else ""
    return f"an HTML page{title}; is ACESTEP_API_URL the ACE-Step API server?"


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or HTTP date); None if absent or bad."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return _seconds_until_http_date(value)
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _seconds_until_http_date(value: str) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
