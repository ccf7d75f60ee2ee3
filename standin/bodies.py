"""Reading request bodies as the real server does (ACESTEP_API.md §4.1, §5.1, §8).

`/release_task` dispatches on Content-Type and sniffs bodies that have none; the other POST
endpoints parse JSON only when the Content-Type *contains* "json" and otherwise read a form
(so a JSON body without Content-Type reads as an empty form). Form fields are parsed with the
standard library; uploaded files are ignored (the stand-in does not use reference audio).
"""

import json
import urllib.parse
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from typing import Final, Literal

from starlette.exceptions import HTTPException
from starlette.requests import Request

from standin.errors import ServerFault

BodyKind = Literal["json", "form"]
FORM_URLENCODED: Final = "application/x-www-form-urlencoded"
MULTIPART: Final = "multipart/form-data"


@dataclass(frozen=True)
class ReleaseBody:
    """A `/release_task` body: its fields and whether they came from JSON or a form."""

    fields: dict[str, object]
    kind: BodyKind


async def read_release_body(request: Request) -> ReleaseBody:
    """The fields of a `/release_task` body; 400/415 `HTTPException`s and `ServerFault` (500)."""
    header = request.headers.get("content-type") or ""
    content_type = header.lower()
    raw = await request.body()
    if content_type.startswith("application/json") or content_type.endswith("+json"):
        return ReleaseBody(_json_object(_strict_json(raw)), "json")
    if content_type.startswith(MULTIPART):
        return ReleaseBody(dict(parse_multipart(header, raw)), "form")
    if content_type.startswith(FORM_URLENCODED):
        return ReleaseBody(dict(parse_urlencoded(raw)), "form")
    return _sniff(raw, content_type)


async def read_json_or_form(request: Request) -> object:
    """A body for `/query_result`, `/format_input` and `/create_random_sample`.

    JSON only when the Content-Type contains "json" (malformed JSON is a `ServerFault`); otherwise
    a form, which is empty unless the Content-Type is a form type.
    """
    header = request.headers.get("content-type") or ""
    raw = await request.body()
    if "json" in header.lower():
        return _strict_json(raw)
    if header.lower().startswith(MULTIPART):
        return parse_multipart(header, raw)
    if header.lower().startswith(FORM_URLENCODED):
        return parse_urlencoded(raw)
    return {}


def parse_urlencoded(raw: bytes) -> dict[str, str]:
    """`a=1&b=2` fields; a repeated name keeps its last value, as Starlette's form does."""
    return dict(urllib.parse.parse_qsl(raw.decode("latin-1"), keep_blank_values=True))


def parse_multipart(content_type: str, raw: bytes) -> dict[str, str]:
    """The text fields of a multipart/form-data body (file parts are skipped)."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=HTTP).parsebytes(head + raw)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        return {}
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or part.get_filename() is not None:
            continue
        payload = part.get_payload(decode=True)
        fields[name] = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return fields


def _strict_json(raw: bytes) -> object:
    try:
        return json.loads(raw)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
        raise ServerFault(f"malformed JSON body: {exc}") from exc


def _json_object(body: object) -> dict[str, object]:
    if not isinstance(body, dict):
        raise HTTPException(status_code=400, detail="JSON payload must be an object")
    return body


def _sniff(raw: bytes, content_type: str) -> ReleaseBody:
    """No (or an unknown) Content-Type: JSON-looking, then `k=v`-looking, else 415."""
    stripped = raw.lstrip()
    if stripped.startswith((b"{", b"[")):
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError as exc:
            raise HTTPException(
                status_code=400,
                detail="Invalid JSON body (hint: set 'Content-Type: application/json')",
            ) from exc
        return ReleaseBody(_json_object(body), "json")
    if stripped and b"=" in raw:
        try:
            parsed = urllib.parse.parse_qs(raw.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError as exc:
            raise ServerFault("body is not UTF-8") from exc
        return ReleaseBody({key: values[0] for key, values in parsed.items()}, "form")
    raise HTTPException(
        status_code=415,
        detail=(
            f"Unsupported Content-Type: {content_type or '(missing)'}; "
            "use application/json, application/x-www-form-urlencoded, or multipart/form-data"
        ),
    )
