"""Block Kit checks for messages (chat.*) and views (views.*), answered the way Slack answers.

Messages: a non-array `blocks` is `invalid_blocks_format`; limit violations are `invalid_blocks`
with `response_metadata.messages`; `text` over 40,000 characters is `msg_too_long`; no text, blocks
or attachments is `no_text`. Views: violations are `invalid_arguments`, the first message being
`failed to match all allowed schemas [json-pointer:/view]` (as seen in real answers), pointers
under `/view/...`; more than 250 kB is `view_too_large`.
"""

import json
from collections.abc import Callable, Mapping
from typing import Any

from tests.fakeslack.elements import (
    ACCESSORY_ELEMENTS,
    ACTION_ELEMENTS,
    CONTEXT_ELEMENTS,
    INPUT_ELEMENTS,
    Problems,
    check_element,
    check_list,
    check_string,
    check_text,
)
from tests.fakeslack.errors import SlackError, error_message, invalid_arguments, invalid_blocks

JsonDict = dict[str, Any]

MESSAGE_MAX_BLOCKS = 50
SURFACE_MAX_BLOCKS = 100
MESSAGE_MAX_TEXT = 40_000
MARKDOWN_MAX_TOTAL = 12_000
VIEW_MAX_BYTES = 250_000
VIEW_TEXT_MAX = 24


def block_problems(blocks: Any, pointer: str, *, max_blocks: int) -> list[str]:
    """Every violation in a `blocks` array, in Slack's wording with JSON pointers."""
    p = Problems()
    items = check_list(p, blocks, pointer, most=max_blocks)
    for index, block in enumerate(items):
        _check_block(p, block, f"{pointer}/{index}")
    _check_unique_block_ids(p, items, pointer)
    _check_markdown_total(p, items, pointer)
    return p.messages


def _check_block(p: Problems, block: Any, ptr: str) -> None:
    if not isinstance(block, dict):
        p.add("must provide an object", ptr)
        return
    check = _BLOCK_CHECKS.get(block.get("type", ""))
    if check is None:
        p.add(f"unsupported type: {block.get('type')}", f"{ptr}/type")
        return
    check_string(p, block.get("block_id"), f"{ptr}/block_id", limit=255)
    check(p, block, ptr)


def _check_unique_block_ids(p: Problems, blocks: list[Any], ptr: str) -> None:
    seen: set[str] = set()
    for index, block in enumerate(blocks):
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if isinstance(block_id, str) and block_id in seen:  # wording unverified
            p.add(f"duplicate block_id: {block_id}", f"{ptr}/{index}/block_id")
        if isinstance(block_id, str):
            seen.add(block_id)


def _check_markdown_total(p: Problems, blocks: list[Any], ptr: str) -> None:
    total = 0
    for index, block in enumerate(blocks):
        if isinstance(block, dict) and block.get("type") == "markdown":
            total += len(str(block.get("text", "")))
            if total > MARKDOWN_MAX_TOTAL:  # documented limit; wording unverified
                p.add(
                    f"must be less than {MARKDOWN_MAX_TOTAL + 1} characters", f"{ptr}/{index}/text"
                )
                return


def _section(p: Problems, b: JsonDict, ptr: str) -> None:
    if "text" not in b and "fields" not in b:
        p.add("must define either `text` or `fields`", ptr)
    check_text(p, b.get("text"), f"{ptr}/text", limit=3000, required=False)
    if "fields" in b:
        for index, item in enumerate(check_list(p, b["fields"], f"{ptr}/fields", most=10)):
            check_text(p, item, f"{ptr}/fields/{index}", limit=2000)
    if "accessory" in b:
        check_element(p, b["accessory"], f"{ptr}/accessory", ACCESSORY_ELEMENTS)


def _header(p: Problems, b: JsonDict, ptr: str) -> None:
    check_text(p, b.get("text"), f"{ptr}/text", limit=150, plain_only=True)


def _elements(allowed: frozenset[str], most: int) -> Callable[[Problems, JsonDict, str], None]:
    def check(p: Problems, b: JsonDict, ptr: str) -> None:
        elements = check_list(p, b.get("elements"), f"{ptr}/elements", most=most, least=1)
        for index, element in enumerate(elements):
            check_element(p, element, f"{ptr}/elements/{index}", allowed)

    return check


def _image(p: Problems, b: JsonDict, ptr: str) -> None:
    if "slack_file" not in b:
        check_string(p, b.get("image_url"), f"{ptr}/image_url", limit=3000, required=True)
    check_string(p, b.get("alt_text"), f"{ptr}/alt_text", limit=2000, required=True)
    check_text(p, b.get("title"), f"{ptr}/title", limit=2000, plain_only=True, required=False)


def _input(p: Problems, b: JsonDict, ptr: str) -> None:
    check_text(p, b.get("label"), f"{ptr}/label", limit=2000, plain_only=True)
    check_text(p, b.get("hint"), f"{ptr}/hint", limit=2000, plain_only=True, required=False)
    if "element" not in b:
        p.add("missing required field: element", ptr)
    else:
        check_element(p, b["element"], f"{ptr}/element", INPUT_ELEMENTS)


def _rich_text(p: Problems, b: JsonDict, ptr: str) -> None:
    check_list(p, b.get("elements"), f"{ptr}/elements", most=1000)


def _file(p: Problems, b: JsonDict, ptr: str) -> None:
    check_string(p, b.get("external_id"), f"{ptr}/external_id", limit=255, required=True)
    check_string(p, b.get("source"), f"{ptr}/source", limit=255, required=True)


def _video(p: Problems, b: JsonDict, ptr: str) -> None:
    check_text(p, b.get("title"), f"{ptr}/title", limit=200, plain_only=True)
    for key in ("alt_text", "thumbnail_url", "video_url"):
        check_string(p, b.get(key), f"{ptr}/{key}", limit=3000, required=True)


def _markdown(p: Problems, b: JsonDict, ptr: str) -> None:
    check_string(p, b.get("text"), f"{ptr}/text", limit=MARKDOWN_MAX_TOTAL, required=True)


def _divider(p: Problems, b: JsonDict, ptr: str) -> None:
    """Dividers have nothing to check."""


_BLOCK_CHECKS: dict[str, Callable[[Problems, JsonDict, str], None]] = {
    "section": _section,
    "header": _header,
    "context": _elements(CONTEXT_ELEMENTS, 10),
    "actions": _elements(ACTION_ELEMENTS, 25),
    "divider": _divider,
    "image": _image,
    "input": _input,
    "rich_text": _rich_text,
    "file": _file,
    "video": _video,
    "markdown": _markdown,
}


def check_message_content(args: Mapping[str, Any]) -> None:
    """Raise what chat.postMessage / chat.update / chat.postEphemeral answer for bad content."""
    text, blocks, attachments = args.get("text"), args.get("blocks"), args.get("attachments")
    if blocks is not None and not isinstance(blocks, list):
        raise SlackError("invalid_blocks_format")
    if attachments is not None and not isinstance(attachments, list):
        raise SlackError("invalid_attachments")
    # Slack documents truncation above 40k for chat.postMessage but lists msg_too_long; we refuse.
    if isinstance(text, str) and len(text) > MESSAGE_MAX_TEXT:
        raise SlackError("msg_too_long")
    if not text and not blocks and not attachments:
        raise SlackError("no_text")
    if blocks:
        problems = block_problems(blocks, "/blocks", max_blocks=MESSAGE_MAX_BLOCKS)
        if problems:
            raise invalid_blocks(problems)


def check_view(view: Any, *, allowed_types: tuple[str, ...]) -> JsonDict:
    """Return the view if Slack would accept it; raise `invalid_arguments`/`view_too_large`."""
    if not isinstance(view, dict):
        raise invalid_arguments(error_message("must provide an object", "/view"))
    p = Problems()
    if view.get("type") not in allowed_types:
        p.add("must be a valid enum value", "/view/type")
    p.messages += block_problems(view.get("blocks"), "/view/blocks", max_blocks=SURFACE_MAX_BLOCKS)
    if view.get("type") == "modal":
        _check_modal(p, view)
    check_string(p, view.get("private_metadata"), "/view/private_metadata", limit=3000)
    check_string(p, view.get("callback_id"), "/view/callback_id", limit=255)
    check_string(p, view.get("external_id"), "/view/external_id", limit=255)
    if p:
        raise invalid_arguments(
            error_message("failed to match all allowed schemas", "/view"), *p.messages
        )
    if len(json.dumps(view).encode()) > VIEW_MAX_BYTES:
        raise SlackError("view_too_large")
    return view


def _check_modal(p: Problems, view: JsonDict) -> None:
    check_text(p, view.get("title"), "/view/title", limit=VIEW_TEXT_MAX, plain_only=True)
    for key in ("close", "submit"):
        check_text(
            p, view.get(key), f"/view/{key}", limit=VIEW_TEXT_MAX, plain_only=True, required=False
        )
    blocks = view.get("blocks")
    items: list[Any] = blocks if isinstance(blocks, list) else []
    has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in items)
    if has_input and "submit" not in view:  # documented rule; wording unverified
        p.add("missing required field: submit", "/view")
