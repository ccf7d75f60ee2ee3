"""Failure injection: 429 + Retry-After (honoured by slack_sdk's retry handler), other errors,
latency."""

import time

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler

from tests.fakeslack import CHANNEL_ID, FakeSlack


async def test_429_is_retried_after_retry_after(fake: FakeSlack) -> None:
    client = fake.web_client(retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)])
    fake.fail_next("chat.update", retry_after=1)
    card = await client.chat_postMessage(channel=CHANNEL_ID, text="queued")
    started = time.monotonic()
    await client.chat_update(channel=CHANNEL_ID, ts=card["ts"], text="generating")
    waited = time.monotonic() - started
    first, second = fake.calls_to("chat.update")
    assert (first.status, first.error, second.ok) == (429, "ratelimited", True)
    # slack_sdk sleeps int(Retry-After) + random() seconds: between 1 and 2 here.
    assert 1.0 <= second.at - first.at < 2.5
    assert waited >= 1.0
    assert fake.workspace.message(CHANNEL_ID, card["ts"]).text == "generating"


async def test_429_without_a_retry_handler_raises(fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        await fake.web_client().chat_postMessage(channel=CHANNEL_ID, text="x")
    response = caught.value.response
    assert (response.status_code, response["error"]) == (429, "ratelimited")
    assert response.headers["Retry-After"] == "7"


async def test_other_errors_answer_200_and_count_down(fake: FakeSlack) -> None:
    client = fake.web_client()
    fake.fail_next("chat.postMessage", "fatal_error", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as caught:
            await client.chat_postMessage(channel=CHANNEL_ID, text="x")
        assert (caught.value.response.status_code, caught.value.response["error"]) == (
            200,
            "fatal_error",
        )
    assert (await client.chat_postMessage(channel=CHANNEL_ID, text="x"))["ok"] is True


async def test_slow_down_delays_answers(fake: FakeSlack) -> None:
    fake.slow_down(0.15, "auth.test")
    started = time.monotonic()
    await fake.web_client().auth_test()
    assert time.monotonic() - started >= 0.15


async def test_bad_json_body_is_invalid_json(fake: FakeSlack) -> None:
    headers = {
        "Authorization": f"Bearer {fake.identity.bot_token}",
        "Content-Type": "application/json",
    }
    url = f"{fake.api_url}chat.postMessage"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=b"{oops", headers=headers) as response,
    ):
        assert (await response.json())["error"] == "invalid_json"
