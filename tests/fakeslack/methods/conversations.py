"""conversations.history, conversations.replies, reactions.add, reactions.remove."""

import re

from tests.fakeslack.errors import SlackError
from tests.fakeslack.ids import ts_key
from tests.fakeslack.methods.common import (
    Handler,
    JsonDict,
    MethodRequest,
    page,
    require_channel,
    require_message,
)
from tests.fakeslack.model import Message
from tests.fakeslack.render import message_json

_EMOJI_NAME = re.compile(r"^[a-z0-9_+\-']+(::skin-tone-[2-6])?$")


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


def _reaction_target(req: MethodRequest) -> tuple[Message, str]:
    channel = require_channel(req).id
    message = require_message(req, channel, req.required("timestamp"))
    name = req.required("name")
    if not _EMOJI_NAME.match(name):
        raise SlackError("invalid_name")
    return message, name


def reactions_add(req: MethodRequest) -> JsonDict:
    """Add the bot's reaction; a second identical one is `already_reacted`."""
    message, name = _reaction_target(req)
    users = message.reactions.setdefault(name, [])
    if req.identity.bot_user_id in users:
        raise SlackError("already_reacted")
    users.append(req.identity.bot_user_id)
    req.workspace.changed()
    return {}


def reactions_remove(req: MethodRequest) -> JsonDict:
    """Remove the bot's reaction; `no_reaction` if it has none."""
    message, name = _reaction_target(req)
    users = message.reactions.get(name, [])
    if req.identity.bot_user_id not in users:
        raise SlackError("no_reaction")
    users.remove(req.identity.bot_user_id)
    if not users:
        del message.reactions[name]
    req.workspace.changed()
    return {}


HANDLERS: dict[str, Handler] = {
    "conversations.history": history,
    "conversations.replies": replies,
    "reactions.add": reactions_add,
    "reactions.remove": reactions_remove,
}
