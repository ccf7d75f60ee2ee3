"""Block Kit composition objects and interactive elements, checked against Slack's limits.

Violations are collected in `Problems` in Slack's wording (`[ERROR] must be less than 76 characters
[json-pointer:/blocks/2/elements/0/text/text]`). Wordings seen in real Slack answers: "must be less
than N characters", "must be more than 0 characters", "no more than N items allowed", "must provide
a string/an object", "unsupported type: X", "must be a valid enum value". Others are marked below.
"""

from collections.abc import Callable
from typing import Any

from tests.fakeslack.errors import error_message

JsonDict = dict[str, Any]

SELECTS = frozenset(
    {"static_select", "external_select", "users_select", "conversations_select", "channels_select"}
)
MULTI_SELECTS = frozenset(f"multi_{kind}" for kind in SELECTS)
PICKERS = frozenset({"datepicker", "timepicker", "datetimepicker"})
TEXT_INPUTS = frozenset(
    {
        "plain_text_input",
        "email_text_input",
        "url_text_input",
        "number_input",
        "rich_text_input",
        "file_input",
    }
)
ACTION_ELEMENTS = frozenset(
    {"button", "checkboxes", "overflow", "radio_buttons", "workflow_button", "rich_text_input"}
    | SELECTS
    | MULTI_SELECTS
    | PICKERS
)
ACCESSORY_ELEMENTS = (ACTION_ELEMENTS - {"rich_text_input"}) | {"image"}
INPUT_ELEMENTS = frozenset({"checkboxes", "radio_buttons"} | SELECTS | MULTI_SELECTS | PICKERS)
INPUT_ELEMENTS |= TEXT_INPUTS
CONTEXT_ELEMENTS = frozenset({"image", "plain_text", "mrkdwn"})


class Problems:
    """Violations found so far, as `response_metadata.messages` entries."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, text: str, pointer: str) -> None:
        """Record one violation at a JSON pointer."""
        self.messages.append(error_message(text, pointer))

    def __bool__(self) -> bool:
        return bool(self.messages)


def _parent(pointer: str) -> str:
    return pointer.rsplit("/", 1)[0] or "/"


def _name(pointer: str) -> str:
    return pointer.rsplit("/", 1)[-1]


def check_string(
    p: Problems, value: Any, pointer: str, *, limit: int, required: bool = False
) -> None:
    """A string field: present when required, a string, at most `limit` characters."""
    if value is None:
        if required:  # wording as Slack uses for arguments; pointer placement unverified
            p.add(f"missing required field: {_name(pointer)}", _parent(pointer))
        return
    if not isinstance(value, str):
        p.add("must provide a string", pointer)
    elif len(value) > limit:
        p.add(f"must be less than {limit + 1} characters", pointer)


def check_text(
    p: Problems,
    obj: Any,
    pointer: str,
    *,
    limit: int,
    plain_only: bool = False,
    required: bool = True,
) -> None:
    """A text object (`plain_text`, or `mrkdwn` when allowed) with a non-empty, bounded `text`."""
    if obj is None:
        if required:
            p.add(f"missing required field: {_name(pointer)}", _parent(pointer))
        return
    if not isinstance(obj, dict):
        p.add("must provide an object", pointer)
        return
    kinds = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if obj.get("type") not in kinds:
        p.add("must be a valid enum value", f"{pointer}/type")
    text = obj.get("text")
    if text == "":
        p.add("must be more than 0 characters", f"{pointer}/text")
    else:
        check_string(p, text, f"{pointer}/text", limit=limit, required=True)


def check_list(p: Problems, value: Any, pointer: str, *, most: int, least: int = 0) -> list[Any]:
    """An array of at most `most` (and at least `least`) items; returns the items to check."""
    if not isinstance(value, list):
        p.add("must provide an array", pointer)
        return []
    if len(value) > most:
        p.add(f"no more than {most} items allowed", pointer)
    elif len(value) < least:  # wording unverified
        p.add(f"must provide at least {least} items", pointer)
    return value


def check_element(p: Problems, element: Any, pointer: str, allowed: frozenset[str]) -> None:
    """One element of an actions/context/input block or a section accessory."""
    if not isinstance(element, dict):
        p.add("must provide an object", pointer)
        return
    kind = element.get("type")
    if kind not in allowed:
        p.add(f"unsupported type: {kind}", f"{pointer}/type")
        return
    if kind in ("plain_text", "mrkdwn"):
        check_text(p, element, pointer, limit=3000)
        return
    check_string(p, element.get("action_id"), f"{pointer}/action_id", limit=255)
    _ELEMENT_CHECKS.get(kind, _placeholder)(p, element, pointer)


def _button(p: Problems, e: JsonDict, ptr: str) -> None:
    check_text(p, e.get("text"), f"{ptr}/text", limit=75, plain_only=True)
    check_string(p, e.get("value"), f"{ptr}/value", limit=2000)
    check_string(p, e.get("url"), f"{ptr}/url", limit=3000)
    check_string(p, e.get("accessibility_label"), f"{ptr}/accessibility_label", limit=75)
    _enum(p, e, "style", ("primary", "danger"), ptr)


def _enum(p: Problems, e: JsonDict, key: str, allowed: tuple[str, ...], ptr: str) -> None:
    if key not in e:
        return
    if not isinstance(e[key], str):
        p.add("must provide a string", f"{ptr}/{key}")
    elif e[key] not in allowed:
        p.add("must be a valid enum value", f"{ptr}/{key}")


def _placeholder(p: Problems, e: JsonDict, ptr: str) -> None:
    check_text(
        p, e.get("placeholder"), f"{ptr}/placeholder", limit=150, plain_only=True, required=False
    )


def _option(p: Problems, option: Any, ptr: str, *, mrkdwn: bool) -> None:
    if not isinstance(option, dict):
        p.add("must provide an object", ptr)
        return
    check_text(p, option.get("text"), f"{ptr}/text", limit=75, plain_only=not mrkdwn)
    check_string(p, option.get("value"), f"{ptr}/value", limit=150, required=True)
    description = option.get("description")
    check_text(
        p, description, f"{ptr}/description", limit=75, plain_only=not mrkdwn, required=False
    )


def _options(p: Problems, options: Any, ptr: str, *, most: int, mrkdwn: bool = False) -> None:
    for index, option in enumerate(check_list(p, options, ptr, most=most, least=1)):
        _option(p, option, f"{ptr}/{index}", mrkdwn=mrkdwn)


def _static_select(p: Problems, e: JsonDict, ptr: str) -> None:
    _placeholder(p, e, ptr)
    if "option_groups" in e:
        for index, group in enumerate(
            check_list(p, e["option_groups"], f"{ptr}/option_groups", most=100)
        ):
            group_ptr = f"{ptr}/option_groups/{index}"
            label = group.get("label") if isinstance(group, dict) else None
            check_text(p, label, f"{group_ptr}/label", limit=75, plain_only=True)
            options = group.get("options") if isinstance(group, dict) else None
            _options(p, options, f"{group_ptr}/options", most=100)
    else:
        _options(p, e.get("options"), f"{ptr}/options", most=100)


def _overflow(p: Problems, e: JsonDict, ptr: str) -> None:
    _options(p, e.get("options"), f"{ptr}/options", most=5)


def _choices(p: Problems, e: JsonDict, ptr: str) -> None:
    _options(p, e.get("options"), f"{ptr}/options", most=10, mrkdwn=True)


def _plain_text_input(p: Problems, e: JsonDict, ptr: str) -> None:
    _placeholder(p, e, ptr)
    check_string(p, e.get("initial_value"), f"{ptr}/initial_value", limit=3000)
    for key in ("min_length", "max_length"):
        value = e.get(key)
        if value is not None and (not isinstance(value, int) or not 0 <= value <= 3000):
            p.add("must be less than 3001", f"{ptr}/{key}")  # wording unverified


def _image(p: Problems, e: JsonDict, ptr: str) -> None:
    if "slack_file" not in e:
        check_string(p, e.get("image_url"), f"{ptr}/image_url", limit=3000, required=True)
    check_string(p, e.get("alt_text"), f"{ptr}/alt_text", limit=2000, required=True)


_ELEMENT_CHECKS: dict[str, Callable[[Problems, JsonDict, str], None]] = {
    "button": _button,
    "static_select": _static_select,
    "multi_static_select": _static_select,
    "overflow": _overflow,
    "checkboxes": _choices,
    "radio_buttons": _choices,
    "plain_text_input": _plain_text_input,
    "image": _image,
}
