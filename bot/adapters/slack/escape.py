"""Slack mrkdwn escaping: text a person typed, shown as characters and never read as markup.

Slack reads `<…>` as a link, a mention or a broadcast (`<!channel>`), and `&` starts an entity;
escaping these three control characters is all it takes (Slack docs, "Escaping text").
Every user-controlled string that reaches a Slack text field goes through `escape_mrkdwn`.
"""

import re
from typing import Final

_ESCAPES: Final = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape_mrkdwn(text: str) -> str:
    """`text` safe to put in a Slack text field: `&`, `<` and `>` escaped."""
    return text.translate(_ESCAPES)


_ESCAPED_MENTION: Final = re.compile(r"&lt;@([UW][A-Z0-9]+)&gt;")


def escape_keeping_mentions(text: str) -> str:
    """`escape_mrkdwn`, but a bare user mention (`<@U123>`, as commands name people) stays a
    mention; anything else in angle brackets (links, `<!channel>`) is still escaped. Used for
    command replies, which are private to the person asking."""
    return _ESCAPED_MENTION.sub(r"<@\1>", escape_mrkdwn(text))
