"""Socket Mode end to end: Bolt's AsyncApp + AsyncSocketModeHandler against the fake."""

from collections.abc import AsyncIterator

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from tests.fakeslack import CHANNEL_ID, TEAM_ID, USER_ID, FakeSlack, payloads
from tests.fakeslack_tests.bolt_app import build_app


@pytest.fixture
async def handler(fake: FakeSlack) -> AsyncIterator[AsyncSocketModeHandler]:
    """The minimal app, connected over Socket Mode; closed before the fake stops."""
    socket_handler = AsyncSocketModeHandler(build_app(fake), fake.identity.app_token)
    await socket_handler.connect_async()  # type: ignore[no-untyped-call]
    await fake.socket.wait_connected()
    yield socket_handler
    await socket_handler.close_async()  # type: ignore[no-untyped-call]


async def test_hello_then_a_slash_command_is_acked(
    fake: FakeSlack, handler: AsyncSocketModeHandler
) -> None:
    opened = fake.calls_to("apps.connections.open")[0]
    assert opened.token == fake.identity.app_token
    delivery = await fake.socket.send_slash_command("hotel lobby jazz")
    ack = await delivery
    assert ack.envelope_id == delivery.envelope_id
    assert ack.payload == {"text": "queued: hotel lobby jazz"}
    assert ack.latency < 3.0
    assert delivery.envelope["accepts_response_payload"] is True
    post = await fake.wait_for_call("chat.postMessage")
    assert post.args["team_id"] == TEAM_ID  # Bolt's per-request client adds team_id
    [reply] = await fake.wait_until(lambda: fake.response_posts or None)
    assert reply.body["text"] == "position 1"
    assert fake.workspace.ephemerals[-1].text == "position 1"
    assert fake.workspace.channel_messages(CHANNEL_ID)[0].text == "card: hotel lobby jazz"


async def test_events_are_acked_and_unhandled_ones_are_not(
    fake: FakeSlack, handler: AsyncSocketModeHandler
) -> None:
    parent = fake.workspace.add_message(CHANNEL_ID, "hey bot")
    delivery = await fake.socket.send_event(payloads.app_mention("make jazz", ts=parent.ts))
    ack = await delivery
    assert ack.payload is None
    assert (delivery.envelope["retry_attempt"], delivery.envelope["retry_reason"]) == (0, "")
    said = await fake.wait_for_call("chat.postMessage")
    assert said.args["thread_ts"] == parent.ts
    unhandled = await fake.socket.send_event(payloads.reaction_added("fire", ts=parent.ts))
    with pytest.raises(TimeoutError, match="no ack"):  # Bolt never acks what nothing handled
        await unhandled.wait_ack(0.3)


async def test_button_opens_a_modal_and_the_submission_is_acked(
    fake: FakeSlack, handler: AsyncSocketModeHandler
) -> None:
    client = fake.web_client()
    button = {
        "type": "button",
        "action_id": "refine",
        "value": "track-7",
        "text": {"type": "plain_text", "text": "Refine"},
    }
    card = await client.chat_postMessage(
        channel=CHANNEL_ID, text="card", blocks=[{"type": "actions", "elements": [button]}]
    )
    click = payloads.block_actions("refine", message=fake.render_message(CHANNEL_ID, card["ts"]))
    assert click["actions"][0]["value"] == "track-7"
    await (await fake.socket.send_interactive(click))
    opened = await fake.wait_for_call("views.open")
    assert opened.ok, opened.response
    view = fake.render_view(opened.response["view"]["id"])
    empty = payloads.view_submission(
        view, values={"caption": {"value": payloads.plain_text_value("")}}
    )
    refused = await (await fake.socket.send_interactive(empty))
    assert refused.payload == {
        "response_action": "errors",
        "errors": {"caption": "Say what to make"},
    }
    filled = payloads.view_submission(
        view, values={"caption": {"value": payloads.plain_text_value("jazz")}}
    )
    assert (await (await fake.socket.send_interactive(filled))).payload is None


async def test_disconnect_makes_the_client_reconnect(
    fake: FakeSlack, handler: AsyncSocketModeHandler
) -> None:
    old = await fake.socket.send_disconnect("refresh_requested")
    new = await fake.socket.wait_connected(newer_than=old)
    assert await old.wait_closed() == 1000  # the client closes the old socket normally
    assert len(fake.calls_to("apps.connections.open")) == 2
    assert new.is_open
    assert not old.is_open
    ack = await (await fake.socket.send_slash_command("after reconnect", user_id=USER_ID))
    assert ack.payload == {"text": "queued: after reconnect"}
