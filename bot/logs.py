"""Logging set-up with secret redaction: configured secrets, anything shaped like a Slack token and
credentials inside URLs are replaced before a record is written, whichever library logged it."""

import logging
import re
import sys
from collections.abc import Iterable
from typing import Final

from pydantic import SecretStr

REDACTED: Final = "[redacted]"
_TOKEN_SHAPES: Final = re.compile(r"\b(?:xox[abposr]|xapp)-[A-Za-z0-9-]+")
_BEARER: Final = re.compile(r"(Bearer\s+)[^\s'\"]+", re.IGNORECASE)
_URL_USERINFO: Final = re.compile(r"\b([a-z][a-z0-9+.-]*://)[^\s/@'\"]+@", re.IGNORECASE)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with secrets masked (args are folded in first)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """`text` with every known secret, token-shaped string and bearer value masked."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        text = _TOKEN_SHAPES.sub(REDACTED, text)
        text = _URL_USERINFO.sub(rf"\1{REDACTED}@", text)  # http://user:pass@host
        return _BEARER.sub(rf"\1{REDACTED}", text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def configure_logging(level: str, secrets: Iterable[SecretStr | None]) -> None:
    """Log to stderr at `level`, redacting the given secrets everywhere."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(s.get_secret_value() for s in secrets if s is not None))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "aiosqlite", "alembic"):
        logging.getLogger(noisy).setLevel(max(root.level, logging.WARNING))
