"""conversations.history, conversations.replies."""

from tests.fakeslack.errors import SlackError
from tests.fakeslack.ids import ts_key
from tests.fakeslack.methods.common import (
    Handler,
    JsonDict,
    MethodRequest,
    page,
    require_channel,
)
from tests.fakeslack.model import Message
from tests.fakeslack.render import message_json


def history(req: MethodRequest) -> JsonDict:
    """Top-level messages, newest first, filtered by `oldest`/`latest` and paged."""
    channel = require_channel(req).id
    messages = list(reversed(req.workspace.channel_messages(channel)))
    messages = [m for m in messages if _in_window(req, m)]
    chunk, paging = page(messages, req)
    return {"messages": [_json(req, m) for m in chunk], **paging}


def _in_window(req: MethodRequest, message: Message) -> bool:
    inclusive = req.flag("inclusive")
    key = ts_key(message.ts)
    oldest, latest = req.text("oldest"), req.text("latest")
    if oldest and (key < ts_key(oldest) or (key == ts_key(oldest) and not inclusive)):
        return False
    return not (latest and (key > ts_key(latest) or (key == ts_key(latest) and not inclusive)))


def replies(req: MethodRequest) -> JsonDict:
    """The thread containing `ts` (parent first, then replies oldest first), paged."""
    channel = require_channel(req).id
    message = req.workspace.find_message(channel, req.required("ts"))
    if message is None:
        raise SlackError("thread_not_found")
    parent_ts = message.thread_ts if message.is_reply else message.ts
    parent = req.workspace.find_message(channel, parent_ts or message.ts) or message
    thread = [parent, *req.workspace.thread(channel, parent.ts)]
    chunk, paging = page(thread, req, default_limit=1000)
    return {"messages": [_json(req, m) for m in chunk], **paging}


def _json(req: MethodRequest, message: Message) -> JsonDict:
    return message_json(req.workspace, message, req.backend.base_url)


HANDLERS: dict[str, Handler] = {
    "conversations.history": history,
    "conversations.replies": replies,
}
