"""The JSON Slack returns for stored objects: messages, files (with shares), users and views."""

import mimetypes
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from tests.fakeslack.model import FileRecord, Message, View
from tests.fakeslack.state import Workspace

JsonDict = dict[str, Any]


def message_json(ws: Workspace, message: Message, base_url: str) -> JsonDict:
    """A message as chat.* responses, conversations.history and conversations.replies show it."""
    out: JsonDict = {"type": "message", "ts": message.ts, "text": message.text}
    if message.user:
        out["user"] = message.user
    if message.bot_id:
        out |= _bot_fields(ws)
    out["team"] = ws.identity.team_id
    optional = {
        "subtype": message.subtype,
        "blocks": message.blocks,
        "attachments": message.attachments,
        "metadata": message.metadata,
    }
    out |= {key: value for key, value in optional.items() if value is not None}
    if message.files:
        files = [ws.files[file_id] for file_id in message.files if file_id in ws.files]
        out |= {"files": [file_json(ws, f, base_url) for f in files], "upload": True}
    out |= _thread_fields(ws, message)
    if message.edited:
        out["edited"] = {"user": message.edited[0], "ts": message.edited[1]}
    if message.reactions:
        out["reactions"] = [
            {"name": name, "users": users, "count": len(users)}
            for name, users in message.reactions.items()
        ]
    return out


def _bot_fields(ws: Workspace) -> JsonDict:
    me = ws.identity
    profile = {
        "id": me.bot_id,
        "app_id": me.app_id,
        "name": me.bot_name,
        "deleted": False,
        "team_id": me.team_id,
    }
    return {"bot_id": me.bot_id, "app_id": me.app_id, "bot_profile": profile}


def _thread_fields(ws: Workspace, message: Message) -> JsonDict:
    if message.is_reply:
        parent = ws.find_message(message.channel, message.thread_ts or "")
        fields: JsonDict = {"thread_ts": message.thread_ts}
        if parent is not None and parent.user:
            fields["parent_user_id"] = parent.user
        return fields
    replies = ws.thread(message.channel, message.ts)
    if not replies:
        return {}
    users = list(dict.fromkeys(r.user for r in replies if r.user))
    return {
        "thread_ts": message.ts,
        "reply_count": len(replies),
        "reply_users": users,
        "reply_users_count": len(users),
        "latest_reply": replies[-1].ts,
    }


def file_kind(name: str) -> tuple[str, str, str]:
    """(mimetype, filetype, pretty_type) guessed from the file name, Slack-style."""
    suffix = PurePosixPath(name).suffix.lower().lstrip(".")
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if not suffix:
        return mimetype, "binary", "Binary"
    return mimetype, suffix, suffix.upper()


def file_json(ws: Workspace, file: FileRecord, base_url: str) -> JsonDict:
    """A file object; `shares` stays empty until the asynchronous share is done."""
    team = ws.identity.team_id
    mimetype, filetype, pretty = file_kind(file.name)
    private_url = f"{base_url}files-pri/{team}-{file.id}/{quote(file.name)}"
    shares = shares_json(ws, file)
    out: JsonDict = {
        "id": file.id,
        "created": file.created,
        "timestamp": file.created,
        "name": file.name,
        "title": file.title or file.name,
        "mimetype": mimetype,
        "filetype": filetype,
        "pretty_type": pretty,
        "user": file.user,
        "user_team": team,
        "editable": False,
        "size": file.length,
        "mode": "hosted",
        "is_external": False,
        "external_type": "",
        "is_public": "public" in shares,
        "public_url_shared": False,
        "display_as_bot": False,
        "username": "",
        "url_private": private_url,
        "url_private_download": f"{base_url}files-pri/{team}-{file.id}/download/{quote(file.name)}",
        "permalink": f"{ws.identity.workspace_url}files/{file.user}/{file.id}/{quote(file.name)}",
        "comments_count": 0,
        "has_rich_preview": False,
        "file_access": "visible",
        "shares": shares,
    }
    out |= _file_channels(ws, file)
    if file.alt_txt:
        out["alt_txt"] = file.alt_txt
    return out


def _file_channels(ws: Workspace, file: FileRecord) -> JsonDict:
    public = [s.channel for s in file.shares if _kind(ws, s.channel) == "public"]
    private = [s.channel for s in file.shares if _kind(ws, s.channel) == "private"]
    ims = [c for c in private if c.startswith("D")]
    groups = [c for c in private if not c.startswith("D")]
    return {"channels": list(dict.fromkeys(public)), "groups": groups, "ims": ims}


def _kind(ws: Workspace, channel_id: str) -> str:
    channel = ws.channels.get(channel_id)
    return channel.share_kind if channel else "public"


def shares_json(ws: Workspace, file: FileRecord) -> JsonDict:
    """`{"public"|"private": {channel: [share, ...]}}`, newest share first in each list."""
    out: dict[str, dict[str, list[JsonDict]]] = {}
    for share in reversed(file.shares):
        channel = ws.channels.get(share.channel)
        entry: JsonDict = {
            "reply_users": [],
            "reply_users_count": 0,
            "reply_count": 0,
            "ts": share.ts,
            "channel_name": channel.name if channel else share.channel.lower(),
            "team_id": ws.identity.team_id,
            "share_user_id": file.user,
            "source": "UNKNOWN",
        }
        if share.thread_ts:
            entry["thread_ts"] = share.thread_ts
        out.setdefault(_kind(ws, share.channel), {}).setdefault(share.channel, []).append(entry)
    return out


def view_json(ws: Workspace, view: View) -> JsonDict:
    """A view object as views.* return it and interaction payloads carry it."""
    definition = view.definition
    me = ws.identity
    out: JsonDict = {
        "id": view.id,
        "team_id": me.team_id,
        "type": view.type,
        "blocks": definition.get("blocks", []),
        "private_metadata": definition.get("private_metadata", ""),
        "callback_id": definition.get("callback_id", ""),
        "state": {"values": view.state_values},
        "hash": view.hash,
        "clear_on_close": bool(definition.get("clear_on_close", False)),
        "notify_on_close": bool(definition.get("notify_on_close", False)),
        "root_view_id": view.root_view_id,
        "previous_view_id": view.previous_view_id,
        "app_id": me.app_id,
        "external_id": view.external_id,
        "app_installed_team_id": me.team_id,
        "bot_id": me.bot_id,
    }
    out |= {key: definition[key] for key in ("title", "close", "submit") if key in definition}
    return out
