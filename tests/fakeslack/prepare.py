"""Bind a payload to the fake before delivery: register its trigger id (single use, expiring) and
swap the placeholder response_url for one that records replies on the fake."""

from typing import Any

from tests.fakeslack.backend import Backend
from tests.fakeslack.payloads import UNSET_RESPONSE_URL
from tests.fakeslack.response_url import ResponseUrls

JsonDict = dict[str, Any]


def prepare_payload(backend: Backend, response_urls: ResponseUrls, payload: JsonDict) -> JsonDict:
    """A copy of `payload`, ready to deliver (slash command fields or an interaction payload)."""
    body = dict(payload)
    user = _user_id(body)
    trigger_id = body.get("trigger_id")
    if isinstance(trigger_id, str):
        view_id = (body.get("view") or {}).get("id")
        backend.triggers.issue(trigger_id, user=user, view_id=view_id)
    if body.get("response_url") == UNSET_RESPONSE_URL:
        channel, message_ts = _origin(body)
        body["response_url"] = response_urls.new(channel, user or "", message_ts)
    return body


def _user_id(body: JsonDict) -> str | None:
    if "user_id" in body:
        return str(body["user_id"])
    user = body.get("user")
    return str(user.get("id")) if isinstance(user, dict) else None


def _origin(body: JsonDict) -> tuple[str, str | None]:
    if "channel_id" in body:
        return str(body["channel_id"]), None
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id", "")
    return str(channel), container.get("message_ts")
