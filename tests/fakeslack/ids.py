"""Slack-shaped identifiers: message timestamps, object ids, trigger ids, event ids, view hashes."""

import secrets
import string
import time
import uuid

_ALPHABET = string.ascii_uppercase + string.digits


class TsClock:
    """Issues message timestamps ("1700000000.000100"): wall-clock based, unique, increasing."""

    def __init__(self) -> None:
        self._last_us = 0

    def next(self) -> str:
        """The next timestamp; never equal to or lower than the previous one."""
        now_us = int(time.time() * 1_000_000)
        self._last_us = max(now_us, self._last_us + 1)
        seconds, micros = divmod(self._last_us, 1_000_000)
        return f"{seconds}.{micros:06d}"


CLOCK = TsClock()


def next_ts() -> str:
    """A fresh message/event timestamp from the clock shared by the fake and the builders."""
    return CLOCK.next()


def slack_id(prefix: str, length: int = 10) -> str:
    """A random id like Slack's (`F0ABC123XYZ`): a type letter, then upper-case letters/digits."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def trigger_id() -> str:
    """A trigger id in Slack's three-part shape (`12345.98765.abcd2358fdea`)."""
    return f"{secrets.randbelow(10**13)}.{secrets.randbelow(10**10)}.{secrets.token_hex(16)}"


def event_id() -> str:
    """An Events API event id (`Ev0ABC123XYZ`)."""
    return slack_id("Ev")


def envelope_id() -> str:
    """A Socket Mode envelope id (Slack uses UUIDs)."""
    return str(uuid.uuid4())


def view_hash() -> str:
    """A view hash (`156772938.1827394`-like); changes on every update."""
    return f"{int(time.time())}.{secrets.token_urlsafe(6)}"


def ts_key(ts: str) -> tuple[int, int]:
    """Sort key for message timestamps (exact: no float rounding of the microseconds)."""
    seconds, _, micros = ts.partition(".")
    return int(seconds), int(micros.ljust(6, "0")[:6] or 0)
