"""What every Web API method handler receives, and the argument helpers they share."""

import base64
import copy
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tests.fakeslack.backend import Backend
from tests.fakeslack.errors import SlackError, invalid_arguments, missing_argument
from tests.fakeslack.identity import Identity
from tests.fakeslack.model import Channel, Message
from tests.fakeslack.state import Workspace

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class MethodRequest:
    """One authenticated Web API call: decoded arguments plus the fake's shared core."""

    method: str
    args: Mapping[str, Any]
    token: str
    backend: Backend

    @property
    def workspace(self) -> Workspace:
        """The fake workspace's state."""
        return self.backend.workspace

    @property
    def identity(self) -> Identity:
        """Who the fake is."""
        return self.backend.identity

    def text(self, name: str, default: str = "") -> str:
        """A string argument (numbers and booleans arrive as strings from forms and queries)."""
        value = self.args.get(name)
        return default if value is None else str(value)

    def required(self, name: str) -> str:
        """A non-empty string argument, or `invalid_arguments` naming it."""
        value = self.text(name)
        if not value:
            raise missing_argument(name)
        return value

    def flag(self, name: str) -> bool:
        """A boolean argument (`true`, `1`, or JSON true)."""
        return self.args.get(name) in (True, 1, "1", "true", "True")

    def number(self, name: str, default: int) -> int:
        """An integer argument; `invalid_arguments` if it is not one."""
        value = self.args.get(name)
        if value in (None, ""):
            return default
        try:
            return int(str(value))
        except ValueError:
            raise invalid_arguments(f"[ERROR] must be an integer [json-pointer:/{name}]") from None


Handler = Callable[[MethodRequest], JsonDict | Awaitable[JsonDict]]


def require_channel(req: MethodRequest, name: str = "channel") -> Channel:
    """The channel named by an argument (a user id means the DM), or `channel_not_found`."""
    wanted = req.text(name)
    channel = req.workspace.find_channel(wanted) or req.workspace.dm_channel(wanted)
    if channel is None:
        raise SlackError("channel_not_found")
    return channel


def require_message(req: MethodRequest, channel: str, ts: str) -> Message:
    """The live message at `ts`, or `message_not_found`."""
    message = req.workspace.find_message(channel, ts)
    if message is None:
        raise SlackError("message_not_found")
    return message


def with_block_ids(blocks: Any) -> Any:
    """A copy of the blocks with a random `block_id` wherever the app gave none (as Slack does)."""
    if not isinstance(blocks, list):
        return blocks
    filled = copy.deepcopy(blocks)
    for block in filled:
        if isinstance(block, dict) and "block_id" not in block:
            block["block_id"] = secrets.token_urlsafe(3)
    return filled


def page(
    items: list[Any], req: MethodRequest, default_limit: int = 100
) -> tuple[list[Any], JsonDict]:
    """One page of `items` per `limit`/`cursor`, and the `has_more`/`response_metadata` fields."""
    limit = max(1, min(req.number("limit", default_limit), 1000))
    start = _decode_cursor(req.text("cursor"))
    chunk = items[start : start + limit]
    more = start + limit < len(items)
    cursor = base64.b64encode(f"next:{start + limit}".encode()).decode() if more else ""
    return chunk, {"has_more": more, "response_metadata": {"next_cursor": cursor}}


def _decode_cursor(cursor: str) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.b64decode(cursor).decode().removeprefix("next:"))
    except ValueError:
        raise SlackError("invalid_cursor") from None
