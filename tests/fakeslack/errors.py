"""Web API failures: raised by method handlers, answered as Slack's `{"ok": false, ...}`.

Hierarchy: `SlackError` is the only exception; `invalid_arguments()` and `invalid_blocks()` build
the two kinds whose details Slack lists in `response_metadata.messages`.
"""

from collections.abc import Mapping
from typing import Any


class SlackError(Exception):
    """A Web API error: HTTP `status` (200 except for rate limits) and the JSON body's fields."""

    def __init__(
        self,
        error: str,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.headers = dict(headers or {})
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON body Slack would answer."""
        return {"ok": False, "error": self.error, **self.extra}


def error_message(text: str, pointer: str | None = None) -> str:
    """One `response_metadata.messages` entry: `[ERROR] text [json-pointer:/x]`."""
    return f"[ERROR] {text} [json-pointer:{pointer}]" if pointer else f"[ERROR] {text}"


def invalid_arguments(*messages: str) -> SlackError:
    """`invalid_arguments` with its explanation (used for bad or missing arguments and views)."""
    return SlackError("invalid_arguments", response_metadata={"messages": list(messages)})


def invalid_blocks(messages: list[str]) -> SlackError:
    """`invalid_blocks` with one message per violation, as chat.* methods answer."""
    return SlackError("invalid_blocks", response_metadata={"messages": messages})


def missing_argument(name: str) -> SlackError:
    """The answer to a missing required argument."""
    return invalid_arguments(error_message(f"missing required field: {name}"))
