"""Who the fake workspace is: ids, names and tokens shared by the server and the payload builders.

The payload builders default to these values and `FakeSlack()` uses the same defaults, so an event
built with `payloads.app_mention(...)` names the same team, app, bot and channel the fake serves.
"""

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
