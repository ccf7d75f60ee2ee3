"""HTTP mode end to end: Bolt's AsyncApp served by aiohttp on 127.0.0.1, signed requests."""

from collections.abc import AsyncIterator

import pytest

from tests.fakeslack import CHANNEL_ID, FakeSlack, SignedRequests, payloads, serve_locally, sign
from tests.fakeslack_tests.bolt_app import build_app


@pytest.fixture
async def slack(fake: FakeSlack) -> AsyncIterator[SignedRequests]:
    """The minimal app over HTTP on a free local port, and a signed-request sender for it."""
    async with serve_locally(build_app(fake).web_app(path="/slack/events")) as base:
        url = f"{base}/slack/events"
        async with SignedRequests(fake.identity.signing_secret, url, fake=fake) as sender:
            yield sender


async def test_signed_slash_command_is_answered(fake: FakeSlack, slack: SignedRequests) -> None:
    answer = await slack.slash_command("spa ambience")
    assert answer.status == 200
    assert answer.text == "queued: spa ambience"  # Bolt answers a text-only ack as text/plain
    assert answer.latency < 3.0
    await fake.wait_until(lambda: fake.response_posts or None)
    assert fake.response_posts[0].body["text"] == "position 1"


async def test_bad_signature_and_stale_timestamp_are_401(slack: SignedRequests) -> None:
    assert (await slack.slash_command("x", bad_signature=True)).status == 401
    assert (await slack.slash_command("x", stale=True)).status == 401
    assert (await slack.event(payloads.app_mention("x"), bad_signature=True)).status == 401


async def test_url_verification_echoes_the_challenge(slack: SignedRequests) -> None:
    answer = await slack.url_verification("abc123")
    assert (answer.status, answer.json()) == (200, {"challenge": "abc123"})


async def test_event_and_its_retry_are_acked(fake: FakeSlack, slack: SignedRequests) -> None:
    body = payloads.event_callback(payloads.app_mention("lofi"))
    first = await slack.event(body)
    retry = await slack.event(body, retry_num=1, retry_reason="http_timeout")
    assert (first.status, retry.status) == (200, 200)
    await fake.wait_for_call("chat.postMessage", count=2)


async def test_interaction_payload_opens_a_modal(fake: FakeSlack, slack: SignedRequests) -> None:
    button = {
        "type": "button",
        "action_id": "refine",
        "text": {"type": "plain_text", "text": "Refine"},
    }
    card = fake.workspace.add_message(
        CHANNEL_ID, "card", blocks=[{"type": "actions", "block_id": "a", "elements": [button]}]
    )
    answer = await slack.interaction(
        payloads.block_actions("refine", message=fake.render_message(CHANNEL_ID, card.ts))
    )
    assert answer.status == 200
    opened = await fake.wait_for_call("views.open")
    assert opened.ok, opened.response


def test_signature_matches_slacks_documented_example() -> None:
    # The worked example from Slack's "Verifying requests from Slack" guide.
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibI"
        b"GlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert sign("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body) == expected
