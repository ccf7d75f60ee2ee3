"""chat.postMessage, chat.update, chat.postEphemeral, conversations.history and .replies."""

from typing import Any

from tests.fakeslack.blocks import check_message_content
from tests.fakeslack.errors import SlackError
from tests.fakeslack.identity import next_ts, ts_key
from tests.fakeslack.methods.common import (
    Handler,
    JsonDict,
    MethodRequest,
    page,
    require_channel,
    require_message,
    with_block_ids,
)
from tests.fakeslack.model import Ephemeral, Message
from tests.fakeslack.render import message_json


def post_message(req: MethodRequest) -> JsonDict:
    """Store a bot message (top level or in a thread) and return it."""
    channel = require_channel(req).id
    check_message_content(req.args)
    me = req.identity
    message = Message(
        channel=channel,
        ts=next_ts(),
        text=req.text("text"),
        user=me.bot_user_id,
        bot_id=me.bot_id,
        blocks=with_block_ids(req.args.get("blocks")),
        attachments=req.args.get("attachments"),
        thread_ts=_thread_ts(req, channel),
        metadata=_metadata(req),
        reply_broadcast=req.flag("reply_broadcast"),
    )
    req.workspace.store(message)
    return {"channel": channel, "ts": message.ts, "message": _json(req, message)}


def _json(req: MethodRequest, message: Message) -> JsonDict:
    return message_json(req.workspace, message, req.backend.base_url)


def _thread_ts(req: MethodRequest, channel: str) -> str | None:
    thread_ts = req.text("thread_ts") or None
    if thread_ts is None:
        return None
    parent = req.workspace.find_message(channel, thread_ts)
    # What Slack does with an unknown or non-parent thread_ts is not verified; we store the
    # reply as asked and note the likely bug.
    if parent is None:
        req.backend.note(f"{req.method}: thread_ts {thread_ts} is not a message in {channel}")
    elif parent.is_reply:
        req.backend.note(f"{req.method}: thread_ts {thread_ts} is a reply, not a thread parent")
    return thread_ts


def _metadata(req: MethodRequest) -> JsonDict | None:
    metadata: Any = req.args.get("metadata")
    if metadata is None:
        return None
    valid = (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and isinstance(metadata.get("event_payload"), dict)
    )
    if not valid:
        raise SlackError("invalid_metadata_format")
    return dict(metadata)


def update(req: MethodRequest) -> JsonDict:
    """Edit a bot message; blocks/attachments not sent are kept, as Slack documents."""
    channel = require_channel(req).id
    message = require_message(req, channel, req.required("ts"))
    if message.bot_id != req.identity.bot_id:
        raise SlackError("cant_update_message")
    check_message_content(req.args)
    changes: dict[str, Any] = {"text": req.text("text")} if "text" in req.args else {}
    for name in ("blocks", "attachments"):
        if name in req.args:
            changes[name] = with_block_ids(req.args[name])
    if "metadata" in req.args:
        changes["metadata"] = _metadata(req)
    req.workspace.edit(message, by=req.identity.bot_user_id, **changes)
    return {
        "channel": channel,
        "ts": message.ts,
        "text": message.text,
        "message": _json(req, message),
    }


def post_ephemeral(req: MethodRequest) -> JsonDict:
    """Record an ephemeral message for one user; it never enters channel history."""
    channel = require_channel(req).id
    user = req.required("user")
    if req.workspace.find_user(user) is None:
        raise SlackError("user_not_in_channel")
    check_message_content(req.args)
    ephemeral = Ephemeral(
        channel=channel,
        user=user,
        ts=next_ts(),
        text=req.text("text"),
        blocks=with_block_ids(req.args.get("blocks")),
        thread_ts=req.text("thread_ts") or None,
        source="chat.postEphemeral",
    )
    req.workspace.ephemerals.append(ephemeral)
    req.workspace.changed()
    return {"message_ts": ephemeral.ts}


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


HANDLERS: dict[str, Handler] = {
    "chat.postMessage": post_message,
    "chat.update": update,
    "chat.postEphemeral": post_ephemeral,
    "conversations.history": history,
    "conversations.replies": replies,
}
