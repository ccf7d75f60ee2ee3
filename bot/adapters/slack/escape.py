"""Slack mrkdwn escaping: text a person typed, shown as characters and never read as markup.

Slack reads `<…>` as a link, a mention or a broadcast (`<!channel>`), and `&` starts an entity;
escaping these three control characters is all it takes (Slack docs, "Escaping text").
Every user-controlled string that reaches a Slack text field goes through `escape_mrkdwn`.
"""

from typing import Final

_ESCAPES: Final = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape_mrkdwn(text: str) -> str:
    """`text` safe to put in a Slack text field: `&`, `<` and `>` escaped."""
    return text.translate(_ESCAPES)
