"""The Slack Web API client the whole bot shares: base URL from settings, retries built in.

Rate-limited calls (HTTP 429) wait for Slack's `Retry-After` and try again; connection errors and
Slack-side 5xx are retried a few times too. Everything else surfaces as `SlackApiError`.
"""

from typing import Final

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings

RATE_LIMIT_RETRIES: Final = 4
CONNECTION_RETRIES: Final = 2
SERVER_ERROR_RETRIES: Final = 2
TIMEOUT_S: Final = 30


def make_web_client(settings: Settings) -> AsyncWebClient:
    """One client for every Web API call (and Socket Mode's apps.connections.open)."""
    if settings.slack_bot_token is None:
        raise ValueError("SLACK_BOT_TOKEN is required for the Slack client")
    return AsyncWebClient(
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
