"""`response_url` endpoints: the fake hands them out in payloads, records every POST to them and
applies the effect (ephemeral reply, in-channel message, replace or delete the original).

Slack allows 5 uses within 30 minutes; the fake enforces the count, not the clock. What Slack
answers on success ("ok"?) and beyond the limit is unverified: the fake says "ok" / 404 "used_url".
"""

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakeslack.backend import Backend
from tests.fakeslack.blocks import MESSAGE_MAX_BLOCKS, block_problems
from tests.fakeslack.identity import next_ts
from tests.fakeslack.methods.common import with_block_ids
from tests.fakeslack.model import Ephemeral, Message

JsonDict = dict[str, Any]


@dataclass
class ResponseTarget:
    """Where a response_url's replies go: the channel, the user, and the original message."""

    channel: str
    user: str
    message_ts: str | None = None
    uses: int = 0


@dataclass(frozen=True)
class ResponsePost:
    """One POST to a response_url, with the status the fake answered."""

    url: str
    body: JsonDict
    status: int
    at: float
    target: ResponseTarget = field(compare=False)


class ResponseUrls:
    """Issues response URLs and serves `/response-url/<id>`."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.targets: dict[str, ResponseTarget] = {}
        self.posts: list[ResponsePost] = []

    def new(self, channel: str, user: str, message_ts: str | None = None) -> str:
        """A fresh response_url bound to a channel, user and (for buttons) the message."""
        url_id = secrets.token_urlsafe(12)
        self.targets[url_id] = ResponseTarget(channel, user, message_ts)
        return f"{self.backend.base_url}response-url/{url_id}"

    async def handle(self, request: web.Request) -> web.Response:
        """Record a response_url POST and apply it."""
        target = self.targets.get(request.match_info["url_id"])
        if target is None:
            return web.Response(status=404, text="no_such_url")
        try:
            body = await request.json()
        except ValueError:
            body = None
        status, text = self._apply(target, body)
        record = body if isinstance(body, dict) else {"invalid": True}
        self.posts.append(ResponsePost(str(request.url), record, status, time.monotonic(), target))
        self.backend.changes.notify()
        return web.Response(status=status, text=text, content_type="text/plain")

    def _apply(self, target: ResponseTarget, body: Any) -> tuple[int, str]:
        if not isinstance(body, dict):
            return 400, "invalid_payload"
        target.uses += 1
        if target.uses > self.backend.options.response_url_uses:
            return 404, "used_url"
        if body.get("blocks") is not None and block_problems(
            body["blocks"], "/blocks", max_blocks=MESSAGE_MAX_BLOCKS
        ):
            return 400, "invalid_blocks"
        self._effect(target, body)
        return 200, "ok"

    def _effect(self, target: ResponseTarget, body: JsonDict) -> None:
        ws = self.backend.workspace
        if body.get("response_type") == "in_channel":
            ws.store(self._message(target, body))
        else:
            ws.ephemerals.append(self._ephemeral(target, body))
            ws.changed()

    def _message(self, target: ResponseTarget, body: JsonDict) -> Message:
        me = self.backend.identity
        return Message(
            channel=target.channel,
            ts=next_ts(),
            text=str(body.get("text", "")),
            user=me.bot_user_id,
            bot_id=me.bot_id,
            blocks=with_block_ids(body.get("blocks")),
            thread_ts=body.get("thread_ts"),
        )

    def _ephemeral(self, target: ResponseTarget, body: JsonDict) -> Ephemeral:
        return Ephemeral(
            channel=target.channel,
            user=target.user,
            ts=next_ts(),
            text=str(body.get("text", "")),
            blocks=with_block_ids(body.get("blocks")),
            thread_ts=body.get("thread_ts"),
            source="response_url",
        )
