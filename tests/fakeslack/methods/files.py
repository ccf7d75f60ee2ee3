"""files.getUploadURLExternal, files.completeUploadExternal, files.info.

The share is asynchronous as on Slack: completion answers at once (file objects with empty
`shares`, no message ts); `share_delay` seconds later the share message appears in the channel or
thread and `files.info` lists it under `shares.public|private[channel][0].ts`.
"""

import secrets
import time
from dataclasses import dataclass
from typing import Any

from tests.fakeslack.blocks import MESSAGE_MAX_BLOCKS, block_problems
from tests.fakeslack.errors import SlackError, error_message, invalid_arguments, invalid_blocks
from tests.fakeslack.identity import next_ts, slack_id
from tests.fakeslack.methods.common import (
    Handler,
    JsonDict,
    MethodRequest,
    with_block_ids,
)
from tests.fakeslack.model import FileRecord, Message, Share
from tests.fakeslack.render import file_json

ALT_TXT_MAX = 1000


def get_upload_url(req: MethodRequest) -> JsonDict:
    """Announce a file (name + byte length); answer where to POST its bytes."""
    filename = req.required("filename")
    length = _length(req)
    alt_txt = req.text("alt_txt") or None
    if alt_txt and len(alt_txt) > ALT_TXT_MAX:
        raise SlackError("alt_txt_too_large")
    file = FileRecord(
        id=slack_id("F"),
        name=filename,
        length=length,
        user=req.identity.bot_user_id,
        created=int(time.time()),
        alt_txt=alt_txt,
        snippet_type=req.text("snippet_type") or None,
    )
    req.workspace.files[file.id] = file
    token = secrets.token_urlsafe(12)
    req.backend.upload_tokens[token] = file.id
    return {"upload_url": f"{req.backend.base_url}upload/v1/{token}", "file_id": file.id}


def _length(req: MethodRequest) -> int:
    req.required("length")
    length = req.number("length", 0)
    if length < 0:
        raise invalid_arguments(error_message("must be a positive integer", "/length"))
    return length


@dataclass(frozen=True)
class _Destination:
    channels: list[str]
    thread_ts: str | None
    comment: str
    blocks: Any


def complete_upload(req: MethodRequest) -> JsonDict:
    """Finish uploads; share them (later) into the channel/thread if one was given."""
    files = [_uploaded_file(req, item) for item in _file_items(req)]
    destination = _destination(req)
    for file in files:
        file.completed = True
    req.workspace.changed()
    if destination.channels:
        delay = req.backend.options.share_delay
        req.backend.later(delay, lambda: _share(req, files, destination))
    return {"files": [file_json(req.workspace, f, req.backend.base_url) for f in files]}


def _file_items(req: MethodRequest) -> list[JsonDict]:
    items = req.args.get("files")
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise invalid_arguments(error_message("must provide an array of objects", "/files"))
    return [dict(item) for item in items]


def _uploaded_file(req: MethodRequest, item: JsonDict) -> FileRecord:
    file = req.workspace.files.get(str(item.get("id", "")))
    # A file whose bytes never reached the upload URL cannot be completed (Slack's exact error
    # for that case is unverified; file_not_found is in its documented list).
    if file is None or not file.uploaded:
        raise SlackError("file_not_found")
    file.title = str(item.get("title") or file.name)
    return file


def _destination(req: MethodRequest) -> _Destination:
    names = [req.text("channel_id")] if req.text("channel_id") else []
    names += [c for c in req.text("channels").split(",") if c]
    thread_ts = req.text("thread_ts") or None
    if thread_ts and len(names) > 1:
        raise invalid_arguments(error_message("thread_ts requires a single channel"))
    channels = []
    for name in names:
        channel = req.workspace.find_channel(name)
        if channel is None:
            raise SlackError("channel_not_found")
        channels.append(channel.id)
    blocks = req.args.get("blocks")
    _check_blocks(blocks)
    return _Destination(channels, thread_ts, req.text("initial_comment"), blocks)


def _check_blocks(blocks: Any) -> None:
    if blocks is None:
        return
    if not isinstance(blocks, list):
        raise SlackError("invalid_blocks_format")
    problems = block_problems(blocks, "/blocks", max_blocks=MESSAGE_MAX_BLOCKS)
    if problems:
        raise invalid_blocks(problems)


def _share(req: MethodRequest, files: list[FileRecord], destination: _Destination) -> None:
    ws, me = req.workspace, req.identity
    for channel in destination.channels:
        if destination.thread_ts and ws.find_message(channel, destination.thread_ts) is None:
            req.backend.note(f"files share: thread_ts {destination.thread_ts} not in {channel}")
        message = Message(
            channel=channel,
            ts=next_ts(),
            text=destination.comment,
            user=me.bot_user_id,
            bot_id=me.bot_id,
            blocks=with_block_ids(destination.blocks),
            thread_ts=destination.thread_ts,
            files=[f.id for f in files],
        )
        for file in files:
            file.shares.append(Share(channel, message.ts, destination.thread_ts))
        ws.store(message)


def files_info(req: MethodRequest) -> JsonDict:
    """A file object, with `shares` once the share is done."""
    file = req.workspace.files.get(req.required("file"))
    if file is None:
        raise SlackError("file_not_found")
    return {
        "file": file_json(req.workspace, file, req.backend.base_url),
        "comments": [],
        "response_metadata": {"next_cursor": ""},
    }


HANDLERS: dict[str, Handler] = {
    "files.getUploadURLExternal": get_upload_url,
    "files.completeUploadExternal": complete_upload,
    "files.info": files_info,
}
