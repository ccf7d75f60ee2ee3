"""views.*: modal limits, single-use trigger ids, stacks, hashes, the Home tab."""

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakeslack import USER_ID, FakeSlack
from tests.fakeslack.identity import trigger_id

JsonDict = dict[str, Any]


def _modal(**fields: Any) -> JsonDict:
    modal: JsonDict = {
        "type": "modal",
        "callback_id": "generate",
        "title": {"type": "plain_text", "text": "New track"},
        "submit": {"type": "plain_text", "text": "Generate"},
        "blocks": [
            {
                "type": "input",
                "block_id": "caption",
                "label": {"type": "plain_text", "text": "Caption"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            }
        ],
    }
    return modal | fields


async def test_open_returns_a_view_and_a_trigger_works_once(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    trigger = trigger_id()
    fake.backend.triggers.issue(trigger, user=USER_ID)
    opened = await client.views_open(trigger_id=trigger, view=_modal(private_metadata="job=1"))
    view = opened["view"]
    assert view["id"].startswith("V")
    assert view["hash"]
    assert view["root_view_id"] == view["id"]
    assert view["private_metadata"] == "job=1"
    assert view["callback_id"] == "generate"
    assert fake.workspace.views[view["id"]].user == USER_ID
    with pytest.raises(SlackApiError, match="exchanged_trigger_id"):
        await client.views_open(trigger_id=trigger, view=_modal())


async def test_expired_and_unknown_triggers() -> None:
    async with FakeSlack(trigger_ttl=0.0, strict_triggers=True) as fake:
        client = fake.web_client()
        late = trigger_id()
        fake.backend.triggers.issue(late)
        with pytest.raises(SlackApiError, match="expired_trigger_id"):
            await client.views_open(trigger_id=late, view=_modal())
        with pytest.raises(SlackApiError, match="invalid_trigger_id"):
            await client.views_open(trigger_id=trigger_id(), view=_modal())


@pytest.mark.parametrize(
    ("changes", "pointer"),
    [
        ({"title": {"type": "plain_text", "text": "t" * 25}}, "/view/title/text"),
        ({"close": {"type": "plain_text", "text": "c" * 25}}, "/view/close/text"),
        ({"private_metadata": "m" * 3001}, "/view/private_metadata"),
        ({"callback_id": "c" * 256}, "/view/callback_id"),
        ({"blocks": [{"type": "divider"}] * 101}, "/view/blocks"),
        ({"submit": None}, "/view"),  # input blocks need a submit button
    ],
)
async def test_modal_limits_answer_invalid_arguments(
    client: AsyncWebClient, changes: JsonDict, pointer: str
) -> None:
    modal = {k: v for k, v in (_modal() | changes).items() if v is not None}
    with pytest.raises(SlackApiError) as caught:
        await client.views_open(trigger_id=trigger_id(), view=modal)
    messages = caught.value.response["response_metadata"]["messages"]
    assert caught.value.response["error"] == "invalid_arguments"
    assert messages[0] == "[ERROR] failed to match all allowed schemas [json-pointer:/view]"
    assert any(message.endswith(f"[json-pointer:{pointer}]") for message in messages[1:])


async def test_publish_home_tab(fake: FakeSlack, client: AsyncWebClient) -> None:
    home = {
        "type": "home",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
    }
    first = await client.views_publish(user_id=USER_ID, view=home)
    again = await client.views_publish(user_id=USER_ID, view=home, hash=first["view"]["hash"])
    assert again["view"]["id"] == first["view"]["id"] == fake.workspace.home_views[USER_ID].id
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.views_publish(user_id=USER_ID, view=_modal())
