"""What Slack sends to an app: slash commands, Events API bodies, interaction payloads.

Pure functions returning plain dicts in Slack's shapes (SLACK.md §4–§5); they default to the ids in
`identity.py`, which `FakeSlack()` also uses. Use them with `FakeSlack.socket.send_*` (Socket
Mode), `SignedRequests` (HTTP mode), or `AsyncBoltRequest(body=..., mode="socket_mode")`.

`response_url` defaults to `UNSET_RESPONSE_URL` (a closed local port, so a stray `respond()` fails
fast and never reaches the internet); the socket helper and `SignedRequests(fake=...)` replace it
with a recording URL on the fake.
"""

import re
import time
import uuid
from typing import Any

from tests.fakeslack.identity import (
    APP_ID,
    BOT_ID,
    BOT_NAME,
    BOT_USER_ID,
    CHANNEL_ID,
    CHANNEL_NAME,
    TEAM_DOMAIN,
    TEAM_ID,
    USER_ID,
    USER_NAME,
    VERIFICATION_TOKEN,
    next_ts,
    slack_id,
)
from tests.fakeslack.identity import event_id as new_event_id
from tests.fakeslack.identity import trigger_id as new_trigger_id

JsonDict = dict[str, Any]
UNSET_RESPONSE_URL = "http://127.0.0.1:9/fakeslack-response-url-not-set"
DM_CHANNEL_ID = "D0FAKEDM01"
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")


def mention(user_id: str = BOT_USER_ID) -> str:
    """Slack's mention markup, `<@U…>`."""
    return f"<@{user_id}>"


# -- slash commands and url_verification ------------------------------------------------------


def slash_command(
    text: str = "",
    *,
    command: str = "/music",
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    channel_id: str = CHANNEL_ID,
    channel_name: str = CHANNEL_NAME,
    trigger_id: str | None = None,
    response_url: str = UNSET_RESPONSE_URL,
) -> dict[str, str]:
    """The form fields of a slash command (all strings, as Slack posts them)."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM_ID,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }


def url_verification(challenge: str = "fakeslack-challenge") -> JsonDict:
    """The body Slack posts when an Events API request URL is saved."""
    return {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}


# -- Events API ----------------------------------------------------------------------------------


def event_callback(
    event: JsonDict, *, event_id: str | None = None, event_time: int | None = None
) -> JsonDict:
    """The `event_callback` wrapper around an event (same `event_id` on retries: pass it)."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM_ID,
        "context_team_id": TEAM_ID,
        "context_enterprise_id": None,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": event_time or int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{slack_id('e', 20).lower()}",
    }


def rich_text(text: str) -> list[JsonDict]:
    """The `rich_text` block Slack attaches to a typed message (mentions become user elements)."""
    elements: list[JsonDict] = []
    for index, piece in enumerate(_MENTION.split(text)):
        if index % 2:
            elements.append({"type": "user", "user_id": piece})
        elif piece:
            elements.append({"type": "text", "text": piece})
    section = {"type": "rich_text_section", "elements": elements}
    return [{"type": "rich_text", "block_id": slack_id("", 4), "elements": [section]}]


def _typed_message(kind: str, text: str, user: str, channel: str, ts: str | None) -> JsonDict:
    ts = ts or next_ts()
    return {
        "type": kind,
        "client_msg_id": str(uuid.uuid4()),
        "text": text,
        "user": user,
        "ts": ts,
        "team": TEAM_ID,
        "blocks": rich_text(text),
        "channel": channel,
        "event_ts": ts,
    }


def app_mention(
    text: str,
    *,
    user: str = USER_ID,
    channel: str = CHANNEL_ID,
    ts: str | None = None,
    thread_ts: str | None = None,
) -> JsonDict:
    """An `app_mention` event; `text` follows the bot's mention (`<@BOT> text`)."""
    event = _typed_message("app_mention", f"{mention()} {text}".rstrip(), user, channel, ts)
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message(
    text: str,
    *,
    user: str = USER_ID,
    channel: str = CHANNEL_ID,
    channel_type: str = "channel",
    ts: str | None = None,
    thread_ts: str | None = None,
    parent_user_id: str = BOT_USER_ID,
    files: list[JsonDict] | None = None,
) -> JsonDict:
    """A person's `message` event; with `thread_ts` a thread reply (parent by default the bot's);
    with `files` a `file_share` message."""
    event = _typed_message("message", text, user, channel, ts)
    event["channel_type"] = channel_type
    if thread_ts:
        event |= {"thread_ts": thread_ts, "parent_user_id": parent_user_id}
    if files:
        event |= {"subtype": "file_share", "files": files, "upload": True}
    return event


def bot_message(
    text: str,
    *,
    channel: str = CHANNEL_ID,
    channel_type: str = "channel",
    ts: str | None = None,
    thread_ts: str | None = None,
    bot_id: str = BOT_ID,
    subtype: str | None = None,
) -> JsonDict:
    """A `message` event from a bot: a bot token post has `bot_id` and the bot user, no subtype;
    pass `subtype="bot_message"` for the legacy/webhook shape (`username`, no `user`)."""
    ts = ts or next_ts()
    event: JsonDict = {
        "type": "message",
        "text": text,
        "ts": ts,
        "bot_id": bot_id,
        "app_id": APP_ID,
        "channel": channel,
        "event_ts": ts,
        "channel_type": channel_type,
        "team": TEAM_ID,
        "bot_profile": {"id": bot_id, "app_id": APP_ID, "name": BOT_NAME, "team_id": TEAM_ID},
    }
    if subtype:
        event |= {"subtype": subtype, "username": BOT_NAME}
    else:
        event["user"] = BOT_USER_ID
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def _reaction(
    kind: str, reaction: str, *, user: str, channel: str, ts: str, item_user: str | None
) -> JsonDict:
    event: JsonDict = {
        "type": kind,
        "user": user,
        "reaction": reaction.strip(":"),
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": next_ts(),
    }
    if item_user:
        event["item_user"] = item_user
    return event


def reaction_added(
    reaction: str,
    *,
    ts: str,
    user: str = USER_ID,
    channel: str = CHANNEL_ID,
    item_user: str | None = BOT_USER_ID,
) -> JsonDict:
    """A `reaction_added` event on the message at `ts` (by default one the bot posted)."""
    return _reaction(
        "reaction_added", reaction, user=user, channel=channel, ts=ts, item_user=item_user
    )


def reaction_removed(
    reaction: str,
    *,
    ts: str,
    user: str = USER_ID,
    channel: str = CHANNEL_ID,
    item_user: str | None = BOT_USER_ID,
) -> JsonDict:
    """A `reaction_removed` event."""
    return _reaction(
        "reaction_removed", reaction, user=user, channel=channel, ts=ts, item_user=item_user
    )


def app_home_opened(
    *, user: str = USER_ID, tab: str = "home", view: JsonDict | None = None
) -> JsonDict:
    """An `app_home_opened` event (with the published `view` once there is one)."""
    event: JsonDict = {
        "type": "app_home_opened",
        "user": user,
        "channel": DM_CHANNEL_ID,
        "tab": tab,
        "event_ts": next_ts(),
    }
    if view is not None:
        event["view"] = view
    return event


# -- interactivity ---------------------------------------------------------------------------


def _user(user_id: str, user_name: str) -> JsonDict:
    return {"id": user_id, "username": user_name, "name": user_name, "team_id": TEAM_ID}


def _interaction(kind: str, user_id: str, user_name: str, trigger_id: str | None) -> JsonDict:
    return {
        "type": kind,
        "user": _user(user_id, user_name),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
    }


def find_element(blocks: list[JsonDict], action_id: str) -> tuple[str, JsonDict] | None:
    """(block_id, element) of the element with `action_id` in actions/section/input blocks."""
    for block in blocks:
        candidates = [*block.get("elements", []), block.get("accessory"), block.get("element")]
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return str(block.get("block_id", "")), element
    return None


def block_actions(
    action_id: str,
    *,
    message: JsonDict | None = None,
    view: JsonDict | None = None,
    value: str | None = None,
    block_id: str | None = None,
    channel: str = CHANNEL_ID,
    user: str = USER_ID,
    user_name: str = USER_NAME,
    trigger_id: str | None = None,
    response_url: str = UNSET_RESPONSE_URL,
) -> JsonDict:
    """A button click in a message (`message`: the message object, e.g. `fake.render_message()`)
    or in a modal (`view`). block_id/value/text default to the button's own in those blocks."""
    surface = view if view is not None else (message or {"ts": next_ts(), "blocks": []})
    found = find_element(surface.get("blocks") or [], action_id)
    element = found[1] if found else {}
    action: JsonDict = {
        "action_id": action_id,
        "block_id": block_id or (found[0] if found else slack_id("", 4)),
        "text": element.get("text", {"type": "plain_text", "text": action_id, "emoji": True}),
        "type": element.get("type", "button"),
        "action_ts": next_ts(),
    }
    if (chosen := value if value is not None else element.get("value")) is not None:
        action["value"] = chosen
    payload = _interaction("block_actions", user, user_name, trigger_id)
    if view is not None:
        container = {"type": "view", "view_id": view.get("id")}
        return payload | {"container": container, "view": view, "actions": [action]}
    container = {
        "type": "message",
        "message_ts": surface["ts"],
        "channel_id": channel,
        "is_ephemeral": False,
    }
    return payload | {
        "container": container,
        "channel": {
            "id": channel,
            "name": CHANNEL_NAME if channel == CHANNEL_ID else channel.lower(),
        },
        "message": surface,
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [action],
    }


def view_submission(
    view: JsonDict,
    *,
    values: JsonDict | None = None,
    user: str = USER_ID,
    user_name: str = USER_NAME,
    trigger_id: str | None = None,
) -> JsonDict:
    """A modal submission; `values` is `state.values` ({block_id: {action_id: value}}), see the
    `*_value` helpers. `view` is the view object (e.g. `fake.render_view(view_id)`)."""
    state = {"values": values if values is not None else view.get("state", {}).get("values", {})}
    payload = _interaction("view_submission", user, user_name, trigger_id)
    return payload | {"view": {**view, "state": state}, "response_urls": []}


def plain_text_value(value: str | None) -> JsonDict:
    """The state of a plain_text_input."""
    return {"type": "plain_text_input", "value": value}


def number_value(value: str | None) -> JsonDict:
    """The state of a number_input (Slack sends the number as a string)."""
    return {"type": "number_input", "value": value}


def _option(value: str, text: str | None) -> JsonDict:
    return {"text": {"type": "plain_text", "text": text or value, "emoji": True}, "value": value}
