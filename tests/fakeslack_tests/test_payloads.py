"""Payload builders: Slack's shapes (SLACK.md §4–§5), and Bolt routes every one of them."""

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from tests.fakeslack import BOT_USER_ID, CHANNEL_ID, USER_ID, FakeSlack, payloads

SLASH_FIELDS = {
    "token",
    "team_id",
    "team_domain",
    "channel_id",
    "channel_name",
    "user_id",
    "user_name",
    "command",
    "text",
    "api_app_id",
    "is_enterprise_install",
    "response_url",
    "trigger_id",
}


def test_slash_command_has_the_documented_string_fields() -> None:
    fields = payloads.slash_command("hotel lobby jazz 3min")
    assert set(fields) == SLASH_FIELDS
    assert all(isinstance(value, str) for value in fields.values())
    assert fields["response_url"] == payloads.UNSET_RESPONSE_URL
    assert fields["trigger_id"].count(".") == 2


def test_event_callback_wrapper() -> None:
    first = payloads.event_callback(payloads.app_mention("jazz"))
    second = payloads.event_callback(payloads.app_mention("jazz"))
    assert first["type"] == "event_callback"
    assert first["event_id"] != second["event_id"]
    assert first["authorizations"][0] == {
        "enterprise_id": None,
        "team_id": first["team_id"],
        "user_id": BOT_USER_ID,
        "is_bot": True,
        "is_enterprise_install": False,
    }
    assert {"event_time", "api_app_id", "is_ext_shared_channel", "event_context"} <= set(first)


def test_messages_mentions_and_threads() -> None:
    mention = payloads.app_mention("slower", thread_ts="1.000001")
    assert mention["text"] == f"<@{BOT_USER_ID}> slower"
    assert mention["thread_ts"] == "1.000001"
    assert mention["blocks"][0]["elements"][0]["elements"][0] == {
        "type": "user",
        "user_id": BOT_USER_ID,
    }
    reply = payloads.message("again", thread_ts="1.000001")
    assert (reply["parent_user_id"], reply["channel_type"], reply["ts"] == reply["event_ts"]) == (
        BOT_USER_ID,
        "channel",
        True,
    )
    assert float(payloads.message("a")["ts"]) < float(payloads.message("b")["ts"])
    legacy = payloads.bot_message("x", subtype="bot_message")
    assert legacy["subtype"] == "bot_message"
    assert "user" not in legacy
    assert payloads.bot_message("x")["user"] == BOT_USER_ID


def test_reactions_and_home() -> None:
    added = payloads.reaction_added(":fire:", ts="2.000001")
    assert added["reaction"] == "fire"
    assert added["item"] == {"type": "message", "channel": CHANNEL_ID, "ts": "2.000001"}
    assert added["item_user"] == BOT_USER_ID
    assert "item_user" not in payloads.reaction_removed("fire", ts="2.000001", item_user=None)
    assert payloads.app_home_opened()["tab"] == "home"


def test_block_actions_from_a_message_and_from_a_view() -> None:
    button = {
        "type": "button",
        "action_id": "rate_up",
        "value": "t7",
        "text": {"type": "plain_text", "text": "👍"},
    }
    message = {
        "ts": "3.000001",
        "blocks": [{"type": "actions", "block_id": "rate", "elements": [button]}],
    }
    click = payloads.block_actions("rate_up", message=message)
    action = click["actions"][0]
    assert (action["block_id"], action["value"], action["type"]) == ("rate", "t7", "button")
    assert click["container"] == {
        "type": "message",
        "message_ts": "3.000001",
        "channel_id": CHANNEL_ID,
        "is_ephemeral": False,
    }
    assert click["response_url"] == payloads.UNSET_RESPONSE_URL
    in_view = payloads.block_actions("rate_up", view={"id": "V1", "blocks": message["blocks"]})
    assert in_view["container"] == {"type": "view", "view_id": "V1"}
    assert "response_url" not in in_view


def test_view_submission_carries_state_values() -> None:
    values = {
        "bpm": {"n": payloads.number_value("96")},
        "key": {"k": payloads.plain_text_value("Dm")},
    }
    submission = payloads.view_submission({"id": "V1", "callback_id": "generate"}, values=values)
    assert submission["view"]["state"]["values"]["key"]["k"]["value"] == "Dm"
    assert submission["type"] == "view_submission"
    assert submission["user"]["id"] == USER_ID


async def test_bolt_routes_every_builder(fake: FakeSlack) -> None:
    app = AsyncApp(client=fake.web_client(), signing_secret=fake.identity.signing_secret)
    seen: list[str] = []

    async def note(ack: Any = None, **_: Any) -> None:
        if ack is not None:
            await ack()
        seen.append("x")

    for event in (
        "app_mention",
        "message",
        "reaction_added",
        "reaction_removed",
        "app_home_opened",
    ):
        app.event(event)(note)
    app.command("/music")(note)
    app.action("go")(note)
    app.view("generate")(note)
    bodies: list[dict[str, Any]] = [
        payloads.slash_command("x"),
        payloads.event_callback(payloads.app_mention("x")),
        payloads.event_callback(payloads.message("x", thread_ts="1.000001")),
        payloads.event_callback(payloads.reaction_added("fire", ts="1.000001")),
        payloads.event_callback(payloads.reaction_removed("fire", ts="1.000001")),
        payloads.event_callback(payloads.app_home_opened()),
        payloads.block_actions("go"),
        payloads.view_submission({"id": "V1", "callback_id": "generate", "type": "modal"}),
    ]
    for body in bodies:
        response = await app.async_dispatch(AsyncBoltRequest(body=body, mode="socket_mode"))
        assert response.status == 200, body
    assert len(seen) == len(bodies)
