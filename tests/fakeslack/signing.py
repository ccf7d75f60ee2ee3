"""HTTP mode: signed requests from "Slack" to the app's endpoint (SLACK.md §4).

    async with SignedRequests(SIGNING_SECRET, bot_url, fake=fake) as slack:
        answer = await slack.slash_command("hotel lobby jazz")
        assert answer.status == 200 and answer.latency < 3

Each request is signed `v0=HMAC-SHA256(secret, "v0:{timestamp}:{raw body}")`; `stale=True` sends a
timestamp 10 minutes old, `bad_signature=True` a wrong signature (Bolt answers 401 to both).
With `fake=`, trigger ids are registered and response_urls point at the fake.
"""

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import aiohttp

from tests.fakeslack import payloads

if TYPE_CHECKING:
    from tests.fakeslack.server import FakeSlack

JsonDict = dict[str, Any]
STALE_SECONDS = 600


def sign(signing_secret: str, timestamp: int | str, body: bytes) -> str:
    """The `X-Slack-Signature` value for a raw body."""
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SignedResponse:
    """The app's answer: status, body text, headers and time to answer (seconds)."""

    status: int
    text: str
    headers: dict[str, str]
    latency: float

    def json(self) -> Any:
        """The body parsed as JSON (empty body: None)."""
        return json.loads(self.text) if self.text else None


class SignedRequests:
    """Posts correctly (or deliberately badly) signed Slack requests to an app's URL."""

    def __init__(
        self,
        signing_secret: str,
        bot_url: str,
        *,
        fake: "FakeSlack | None" = None,
        timeout: float = 10.0,
    ) -> None:
        self.signing_secret = signing_secret
        self.bot_url = bot_url
        self.fake = fake
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "SignedRequests":
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(
        self,
        body: bytes,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        stale: bool = False,
        bad_signature: bool = False,
    ) -> SignedResponse:
        """Post a raw body with Slack's signing headers."""
        timestamp = int(time.time()) - (STALE_SECONDS if stale else 0)
        signature = sign(self.signing_secret + ("x" if bad_signature else ""), timestamp, body)
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature,
            **(headers or {}),
        }
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        started = time.monotonic()
        async with self._session.post(self.bot_url, data=body, headers=sent) as response:
            text = await response.text()
        latency = time.monotonic() - started
        return SignedResponse(response.status, text, dict(response.headers), latency)

    async def slash_command(
        self,
        text: str = "",
        *,
        payload: dict[str, str] | None = None,
        stale: bool = False,
        bad_signature: bool = False,
        **fields: Any,
    ) -> SignedResponse:
        """A slash command, form-encoded (built by `payloads.slash_command` unless given)."""
        form = dict(payload) if payload is not None else payloads.slash_command(text, **fields)
        if self.fake is not None:
            form = self.fake.prepare_payload(form)
        body = urlencode(form).encode()
        form_type = "application/x-www-form-urlencoded"
        return await self.post(body, form_type, stale=stale, bad_signature=bad_signature)

    async def event(
        self,
        event: JsonDict,
        *,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        stale: bool = False,
        bad_signature: bool = False,
    ) -> SignedResponse:
        """An Events API delivery (wrapped in `event_callback` unless it is one); a retry when
        `retry_num` is given (send the same body: the same event_id)."""
        body = event if event.get("type") == "event_callback" else payloads.event_callback(event)
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        raw = json.dumps(body).encode()
        return await self.post(
            raw, "application/json", headers=headers, stale=stale, bad_signature=bad_signature
        )

    async def interaction(
        self, payload: JsonDict, *, stale: bool = False, bad_signature: bool = False
    ) -> SignedResponse:
        """An interaction, as the form field `payload=<json>`."""
        if self.fake is not None:
            payload = self.fake.prepare_payload(payload)
        body = urlencode({"payload": json.dumps(payload)}).encode()
        form_type = "application/x-www-form-urlencoded"
        return await self.post(body, form_type, stale=stale, bad_signature=bad_signature)

    async def url_verification(self, challenge: str = "fakeslack-challenge") -> SignedResponse:
        """The url_verification handshake (Bolt answers `{"challenge": ...}`)."""
        raw = json.dumps(payloads.url_verification(challenge)).encode()
        return await self.post(raw, "application/json")
