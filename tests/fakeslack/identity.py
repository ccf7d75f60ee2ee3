"""Who the fake workspace is (ids, names and tokens shared by the server and the payload
builders), and Slack-shaped identifiers made fresh: message timestamps, object ids, trigger ids,
event ids, view hashes.

The payload builders default to these values and `FakeSlack()` uses the same defaults, so an event
built with `payloads.app_mention(...)` names the same team, app, bot and channel the fake serves.
"""

import secrets
import string
import time
import uuid
from dataclasses import dataclass, field

TEAM_ID = "T0FAKETEAM"
TEAM_DOMAIN = "acemusic-fake"
TEAM_NAME = "ACE Music (fake)"
APP_ID = "A0FAKEAPP1"
BOT_ID = "B0FAKEBOT1"
BOT_USER_ID = "U0FAKEBOT1"
BOT_NAME = "acemusic"
USER_ID = "U0FAKEUSR1"
USER_NAME = "alice"
OTHER_USER_ID = "U0FAKEUSR2"
OTHER_USER_NAME = "bob"
CHANNEL_ID = "C0FAKEMUSC"
CHANNEL_NAME = "music"
OTHER_CHANNEL_ID = "C0FAKEGENL"
OTHER_CHANNEL_NAME = "general"
BOT_TOKEN = "xoxb-0000000001-0000000001-fakeslackbottoken000000"
APP_TOKEN = "xapp-1-A0FAKEAPP1-0000000001-fakeslackapptoken0000000000"
SIGNING_SECRET = "fakeslack-signing-secret-0123456789abcdef"
VERIFICATION_TOKEN = "fakeslackverificationtoken"


@dataclass(frozen=True)
class Identity:
    """The workspace, app and bot the fake pretends to be, with the tokens it accepts."""

    team_id: str = TEAM_ID
    team_domain: str = TEAM_DOMAIN
    team_name: str = TEAM_NAME
    app_id: str = APP_ID
    bot_id: str = BOT_ID
    bot_user_id: str = BOT_USER_ID
    bot_name: str = BOT_NAME
    bot_token: str = BOT_TOKEN
    app_token: str = APP_TOKEN
    signing_secret: str = SIGNING_SECRET
    other_bot_tokens: tuple[str, ...] = field(default=())

    @property
    def bot_tokens(self) -> frozenset[str]:
        """Every bot token (xoxb-) the Web API accepts."""
        return frozenset((self.bot_token, *self.other_bot_tokens))

    @property
    def workspace_url(self) -> str:
        """The workspace URL auth.test reports (Slack's shape; never contacted)."""
        return f"https://{self.team_domain}.slack.com/"


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
