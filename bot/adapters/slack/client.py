"""The Slack Web API client the whole bot shares: base URL from settings, retries built in.

Rate-limited calls (HTTP 429) wait for Slack's `Retry-After` and try again; connection errors and
Slack-side 5xx are retried a few times too. Everything else surfaces as `SlackApiError`, and is
reported (method, error) to the client's `on_error` hook, which `serve` points at /metrics.
"""

from collections.abc import Callable
from typing import Any, Final

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.settings import Settings

RATE_LIMIT_RETRIES: Final = 4
CONNECTION_RETRIES: Final = 2
SERVER_ERROR_RETRIES: Final = 2
TIMEOUT_S: Final = 30


class ObservedWebClient(AsyncWebClient):
    """An AsyncWebClient that reports every call that failed after its retries."""

    on_error: Callable[[str, str], None] | None = None  # (method, error)

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        """The call, as AsyncWebClient makes it; a failure is reported, then raised."""
        try:
            return await super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            self._report(api_method, str(exc.response.get("error") or exc.response.status_code))
            raise
        except (aiohttp.ClientError, TimeoutError) as exc:
            self._report(api_method, type(exc).__name__)
            raise

    def _report(self, method: str, error: str) -> None:
        if self.on_error is not None:
            self.on_error(method, error)


def make_web_client(settings: Settings) -> ObservedWebClient:
    """One client for every Web API call (and Socket Mode's apps.connections.open)."""
    if settings.slack_bot_token is None:
        raise ValueError("SLACK_BOT_TOKEN is required for the Slack client")
    return ObservedWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=api_base_url(settings.slack_api_url),
        timeout=TIMEOUT_S,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            AsyncConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
        ],
    )


def api_base_url(url: str) -> str:
    """The Web API base URL with the trailing slash `urljoin` needs (`…/api` -> `…/api/`)."""
    return url if url.endswith("/") else f"{url}/"
