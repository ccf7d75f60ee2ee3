"""Slack mrkdwn escaping: text a person typed, shown as characters and never read as markup.

Slack reads `<…>` as a link, a mention or a broadcast (`<!channel>`), and `&` starts an entity;
escaping these three control characters is all it takes (Slack docs, "Escaping text").
Every user-controlled string that reaches a Slack text field goes through `escape_mrkdwn`.
"""

import re
from collections.abc import Collection
from typing import Final

_ESCAPES: Final = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape_mrkdwn(text: str) -> str:
    """`text` safe to put in a Slack text field: `&`, `<` and `>` escaped."""
    return text.translate(_ESCAPES)


_ESCAPED_MENTION: Final = re.compile(r"&lt;@([UW][A-Z0-9]+)&gt;")


def escape_keeping_mentions(text: str, people: Collection[str]) -> str:
    """`escape_mrkdwn`, but a mention (`<@U123>`) of someone in `people`, the user ids a command
    names on purpose (`Reply.mentions`), stays a mention; every other `<…>` is still escaped."""
    if not people:
        return escape_mrkdwn(text)

    def keep(match: re.Match[str]) -> str:
        return f"<@{match.group(1)}>" if match.group(1) in people else match.group(0)

    return _ESCAPED_MENTION.sub(keep, escape_mrkdwn(text))
