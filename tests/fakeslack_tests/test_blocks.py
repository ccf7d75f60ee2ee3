"""Block Kit limits: pure checks, and the errors slack_sdk raises when the fake refuses."""

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakeslack import CHANNEL_ID, FakeSlack
from tests.fakeslack.blocks import block_problems

JsonDict = dict[str, Any]


def _section(text: str) -> JsonDict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _button(**fields: Any) -> JsonDict:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": "Go"},
        "action_id": "go",
    } | fields


def _actions(*elements: JsonDict) -> JsonDict:
    return {"type": "actions", "elements": list(elements)}


def _problems(*blocks: JsonDict) -> list[str]:
    return block_problems(list(blocks), "/blocks", max_blocks=50)


def _pointer(message: str) -> str:
    return message.rsplit("[json-pointer:", 1)[1].rstrip("]")


def test_a_valid_track_card_passes() -> None:
    card = [
        {"type": "header", "text": {"type": "plain_text", "text": "Hotel lobby jazz"}},
        _section("*queued* #123"),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "*BPM* 96"}] * 10},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "ACE-Step"}] * 10},
        _actions(*[_button(action_id=f"b{i}", value="x" * 2000) for i in range(25)]),
        {"type": "divider"},
        {"type": "markdown", "text": "**done**"},
    ]
    assert block_problems(card, "/blocks", max_blocks=50) == []


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            _section("x" * 3001),
            "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
        ),
        (_section(""), "[ERROR] must be more than 0 characters [json-pointer:/blocks/0/text/text]"),
        ({"type": "sections"}, "[ERROR] unsupported type: sections [json-pointer:/blocks/0/type]"),
        (
            {"type": "header", "text": {"type": "mrkdwn", "text": "h"}},
            "[ERROR] must be a valid enum value [json-pointer:/blocks/0/text/type]",
        ),
        (
            {"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11},
            "[ERROR] no more than 10 items allowed [json-pointer:/blocks/0/fields]",
        ),
        (
            _actions(_button(style=None)),
            "[ERROR] must provide a string [json-pointer:/blocks/0/elements/0/style]",
        ),
    ],
)
def test_violations_are_worded_like_slack(block: JsonDict, expected: str) -> None:
    assert _problems(block) == [expected]


@pytest.mark.parametrize(
    ("block", "pointer"),
    [
        (
            {"type": "section", "fields": [{"type": "plain_text", "text": "f" * 2001}]},
            "/blocks/0/fields/0/text",
        ),
        (
            {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}},
            "/blocks/0/text/text",
        ),
        (_actions(*[_button()] * 26), "/blocks/0/elements"),
        (
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11},
            "/blocks/0/elements",
        ),
        (_section("x") | {"block_id": "b" * 256}, "/blocks/0/block_id"),
        (_actions(_button(action_id="a" * 256)), "/blocks/0/elements/0/action_id"),
        (
            _actions(_button(text={"type": "plain_text", "text": "t" * 76})),
            "/blocks/0/elements/0/text/text",
        ),
        (_actions(_button(value="v" * 2001)), "/blocks/0/elements/0/value"),
        (_actions(_button(url="https://x/" + "u" * 2991)), "/blocks/0/elements/0/url"),
    ],
)
def test_documented_limits_are_enforced(block: JsonDict, pointer: str) -> None:
    [problem] = _problems(block)
    assert _pointer(problem) == pointer


def test_more_than_fifty_blocks_in_a_message() -> None:
    assert _problems(*[{"type": "divider"}] * 51) == [
        "[ERROR] no more than 50 items allowed [json-pointer:/blocks]"
    ]


async def test_post_with_bad_blocks_raises_invalid_blocks(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel=CHANNEL_ID, text="t", blocks=[_section("x" * 3001)])
    response = caught.value.response
    assert response["error"] == "invalid_blocks"
    assert response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]
    assert fake.workspace.channel_messages(CHANNEL_ID) == []


async def test_update_checks_blocks_and_text_length(client: AsyncWebClient) -> None:
    card = await client.chat_postMessage(channel=CHANNEL_ID, text="t")
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        await client.chat_update(
            channel=CHANNEL_ID, ts=card["ts"], text="t", blocks=[{"type": "divider"}] * 51
        )
    with pytest.raises(SlackApiError, match="msg_too_long"):
        await client.chat_update(channel=CHANNEL_ID, ts=card["ts"], text="x" * 40_001)


async def test_non_array_blocks_are_invalid_blocks_format(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError, match="invalid_blocks_format"):
        await client.api_call(
            "chat.postMessage", json={"channel": CHANNEL_ID, "text": "t", "blocks": {}}
        )


async def test_ephemeral_checks_blocks_too(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        await client.chat_postEphemeral(
            channel=CHANNEL_ID, user="U0FAKEUSR1", text="t", blocks=[{"type": "x"}]
        )
