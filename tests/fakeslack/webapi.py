"""The Web API endpoint `/api/<method>`: parse args as slack_sdk sends them, check the token,
apply injected failures, dispatch to a handler, record the call, answer like Slack."""

import asyncio
import contextlib
import inspect
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakeslack.backend import Backend
from tests.fakeslack.errors import SlackError
from tests.fakeslack.identity import Identity
from tests.fakeslack.methods import HANDLERS, Handler, MethodRequest
from tests.fakeslack.records import Call

JSON_FIELDS = ("blocks", "attachments", "metadata", "view", "files", "unfurls")
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})


@dataclass
class Incoming:
    """A request's arguments and credentials, before any Slack semantics."""

    transport: str = "query"
    raw_args: dict[str, Any] = field(default_factory=dict)
    token: str | None = None
    error: SlackError | None = None


async def read_incoming(request: web.Request, backend: Backend) -> Incoming:
    """Merge query string and body (JSON or form) the way Slack reads them."""
    incoming = Incoming(raw_args=dict(request.query))
    query_token = incoming.raw_args.pop("token", None)
    if query_token:  # Slack refuses query-string tokens for apps created after 2021-02-24
        backend.note(f"{request.match_info['method']}: token sent in the query string")
    if request.body_exists:
        await _read_body(request, incoming, backend)
    incoming.token = _bearer(request) or incoming.token
    return incoming


async def _read_body(request: web.Request, incoming: Incoming, backend: Backend) -> None:
    if request.content_type == "application/json":
        incoming.transport = "json"
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            incoming.error = SlackError("invalid_json")
            return
        if body.pop("token", None):  # Slack does not read a token inside a JSON body
            backend.note(f"{request.match_info['method']}: token inside a JSON body is ignored")
        incoming.raw_args |= body
        return
    incoming.transport = "form"
    form = await request.post()
    incoming.raw_args |= {key: value for key, value in form.items() if isinstance(value, str)}
    incoming.token = incoming.raw_args.pop("token", None)


def _bearer(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def decode_json_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Decode JSON-encoded string arguments (`blocks`, `view`, `files`, ...) where possible."""
    args = dict(raw)
    for key in JSON_FIELDS:
        value = args.get(key)
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args


def authenticate(identity: Identity, method: str, token: str | None) -> None:
    """Slack's token rules: xapp- only for apps.connections.open, bot tokens for the rest."""
    if not token:
        raise SlackError("not_authed")
    wants_app_token = method in APP_TOKEN_METHODS
    if token == identity.app_token:
        if not wants_app_token:
            raise SlackError("not_allowed_token_type")
        return
    if token in identity.bot_tokens:
        if wants_app_token:
            raise SlackError("not_allowed_token_type")
        return
    raise SlackError("invalid_auth")


class WebApi:
    """Serves `/api/{method}`; handlers may be replaced per fake (`FakeSlack.set_handler`)."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.handlers: dict[str, Handler] = dict(HANDLERS)

    async def handle(self, request: web.Request) -> web.Response:
        """Answer one Web API request and record it."""
        arrived = time.monotonic()
        method = request.match_info["method"]
        incoming = await read_incoming(request, self.backend)
        args = decode_json_fields(incoming.raw_args)
        status, body, headers = await self._answer(method, args, incoming)
        call = Call(
            method=method,
            args=args,
            token=incoming.token,
            headers=dict(request.headers),
            at=arrived,
            transport=incoming.transport,
            http_method=request.method,
            raw_args=incoming.raw_args,
            status=status,
            response=body,
        )
        self.backend.record(call)
        return web.json_response(body, status=status, headers=headers)

    async def _answer(
        self, method: str, args: dict[str, Any], incoming: Incoming
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        try:
            if incoming.error is not None:
                raise incoming.error
            authenticate(self.backend.identity, method, incoming.token)
            result = await self._dispatch(method, args, incoming.token or "")
        except SlackError as error:
            return error.status, error.body(), error.headers
        return 200, {"ok": True, **result}, {}

    async def _dispatch(self, method: str, args: dict[str, Any], token: str) -> dict[str, Any]:
        delay = self.backend.failures.delay_for(method)
        if delay > 0:
            await asyncio.sleep(delay)
        failure = self.backend.failures.take(method)
        if failure is not None:
            raise failure
        handler = self.handlers.get(method)
        if handler is None:  # Slack's HTTP status for unknown methods is unverified; 200 here
            raise SlackError("unknown_method", req_method=method)
        result = handler(MethodRequest(method, args, token, self.backend))
        return await result if inspect.isawaitable(result) else result
