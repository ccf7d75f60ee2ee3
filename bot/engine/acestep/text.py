"""Making server text safe to show: one line, short, no secrets, no server file paths."""

import re
from typing import Final

SNIPPET_CHARS: Final = 200
SUMMARY_CHARS: Final = 200
DETAIL_CHARS: Final = 8_000
REDACTED: Final = "[redacted]"
PATH_PLACEHOLDER: Final = "<server path>"

# Absolute POSIX paths with at least two segments ("/root/ace/x.py") and Windows paths ("C:\a\b").
_PATH_RE: Final = re.compile(
    r"(?<![\w:/])(?:/[\w.@+~-]+){2,}/?|\b[A-Za-z]:\\(?:[\w .@+~-]+\\?)+",
)


def one_line(text: str, limit: int = SNIPPET_CHARS) -> str:
    """Collapse all whitespace to single spaces and cut to `limit` characters (with an ellipsis)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def redact(text: str, secret: str | None) -> str:
    """Replace every occurrence of `secret` in `text`."""
    return text.replace(secret, REDACTED) if secret else text


def scrub_paths(text: str) -> str:
    """Replace absolute file paths (which reveal the server's layout) with a placeholder."""
    return _PATH_RE.sub(PATH_PLACEHOLDER, text)


def snippet(body: str | bytes, secret: str | None = None, limit: int = SNIPPET_CHARS) -> str:
    """A short one-line quote of a reply body for error messages."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return one_line(redact(text, secret), limit) or "<empty body>"


def last_line_summary(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The last non-empty line of a traceback (the exception itself), safe to show to people."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    return one_line(scrub_paths(last), limit)
