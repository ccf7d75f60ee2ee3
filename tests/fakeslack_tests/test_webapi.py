"""The Web API through slack_sdk's real AsyncWebClient: transports, tokens, messages, threads."""

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakeslack import BOT_USER_ID, CHANNEL_ID, USER_ID, FakeSlack


async def test_auth_test_reports_the_bot_identity(fake: FakeSlack, client: AsyncWebClient) -> None:
    answer = await client.auth_test()
    me = fake.identity
    assert (answer["user_id"], answer["bot_id"], answer["team_id"]) == (
        me.bot_user_id,
        me.bot_id,
        me.team_id,
    )
    assert answer["url"] == me.workspace_url
    assert answer["app_id"] == me.app_id


async def test_calls_record_transport_args_and_token(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    await client.chat_postMessage(channel=CHANNEL_ID, text="hello")
    await client.auth_test()
    post, auth = fake.calls
    assert (post.method, post.transport, post.args["text"]) == ("chat.postMessage", "json", "hello")
    assert post.token == fake.identity.bot_token
    assert post.headers["Authorization"] == f"Bearer {fake.identity.bot_token}"
    assert (auth.transport, auth.http_method, auth.ok) == ("query", "POST", True)


@pytest.mark.parametrize(
    ("token", "error"),
    [(None, "not_authed"), ("xoxb-wrong", "invalid_auth"), ("APP", "not_allowed_token_type")],
)
async def test_bot_methods_need_the_bot_token(
    fake: FakeSlack, token: str | None, error: str
) -> None:
    token = fake.identity.app_token if token == "APP" else token
    client = AsyncWebClient(token=token, base_url=fake.api_url)
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel=CHANNEL_ID, text="x")
    assert caught.value.response.status_code == 200
    assert caught.value.response["error"] == error
    assert not fake.workspace.channel_messages(CHANNEL_ID)


async def test_connections_open_needs_the_app_token(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    with pytest.raises(SlackApiError, match="not_allowed_token_type"):
        await client.apps_connections_open(app_token=fake.identity.bot_token)
    opened = await client.apps_connections_open(app_token=fake.identity.app_token)
    assert opened["url"].startswith(f"ws://127.0.0.1:{fake.port}/link/?ticket=")


async def test_paths_outside_api_are_404_and_unknown_methods_fail(fake: FakeSlack) -> None:
    no_api = AsyncWebClient(token=fake.identity.bot_token, base_url=fake.base_url)
    with pytest.raises(SlackApiError) as caught:
        await no_api.auth_test()
    assert caught.value.response.status_code == 404
    with pytest.raises(SlackApiError, match="unknown_method"):
        await fake.web_client().api_call("chat.scheduleMessage", json={"channel": CHANNEL_ID})


async def test_post_update_and_thread(fake: FakeSlack, client: AsyncWebClient) -> None:
    card = await client.chat_postMessage(channel=CHANNEL_ID, text="queued", metadata=_meta())
    reply = await client.chat_postMessage(channel=CHANNEL_ID, text="track 1", thread_ts=card["ts"])
    assert float(reply["ts"]) > float(card["ts"])
    assert reply["message"]["thread_ts"] == card["ts"]
    assert reply["message"]["parent_user_id"] == BOT_USER_ID
    await client.chat_update(channel=CHANNEL_ID, ts=card["ts"], text="done")
    stored = fake.workspace.message(CHANNEL_ID, card["ts"])
    assert [text for text, _ in stored.versions] == ["queued", "done"]
    assert stored.metadata == _meta()
    assert [m.text for m in fake.workspace.thread(CHANNEL_ID, card["ts"])] == ["track 1"]
    assert [m.ts for m in fake.workspace.channel_messages(CHANNEL_ID)] == [card["ts"]]
    assert not fake.problems


def _meta() -> dict[str, object]:
    return {"event_type": "track_card", "event_payload": {"job": 7}}


async def test_update_keeps_blocks_not_sent_and_rejects_unknown_ts(client: AsyncWebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*card*"}}]
    card = await client.chat_postMessage(channel=CHANNEL_ID, text="t", blocks=blocks)
    updated = await client.chat_update(channel=CHANNEL_ID, ts=card["ts"], text="t2")
    assert updated["message"]["blocks"][0]["text"]["text"] == "*card*"
    assert updated["message"]["blocks"][0]["block_id"]  # Slack fills in block ids
    with pytest.raises(SlackApiError, match="message_not_found"):
        await client.chat_update(channel=CHANNEL_ID, ts="1.000001", text="x")


async def test_replies_and_history_read_stored_messages(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    parent = fake.workspace.add_message(CHANNEL_ID, "slower please")
    await client.chat_postMessage(channel=CHANNEL_ID, text="ok", thread_ts=parent.ts)
    top = await client.chat_postMessage(channel=CHANNEL_ID, text="newest")
    replies = await client.conversations_replies(channel=CHANNEL_ID, ts=parent.ts)
    assert [m["text"] for m in replies["messages"]] == ["slower please", "ok"]
    assert replies["messages"][0]["reply_count"] == 1
    history = await client.conversations_history(channel=CHANNEL_ID, limit=1)
    assert [m["ts"] for m in history["messages"]] == [top["ts"]]
    assert history["has_more"] is True
    cursor = history["response_metadata"]["next_cursor"]
    rest = await client.conversations_history(channel=CHANNEL_ID, cursor=cursor)
    assert [m["ts"] for m in rest["messages"]] == [parent.ts]


async def test_ephemeral(fake: FakeSlack, client: AsyncWebClient) -> None:
    eph = await client.chat_postEphemeral(channel=CHANNEL_ID, user=USER_ID, text="queued")
    assert fake.workspace.ephemerals[0].ts == eph["message_ts"]


async def test_channel_errors(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.chat_postMessage(channel="#not-an-id", text="x")
    with pytest.raises(SlackApiError, match="no_text"):
        await client.api_call("chat.postMessage", json={"channel": CHANNEL_ID})


async def test_form_bodies_and_json_strings_are_decoded(fake: FakeSlack) -> None:
    blocks = '[{"type": "divider"}]'
    form = {"channel": CHANNEL_ID, "text": "x", "blocks": blocks, "token": fake.identity.bot_token}
    url = f"{fake.api_url}chat.postMessage"
    async with aiohttp.ClientSession() as session, session.post(url, data=form) as response:
        answer = await response.json()
    assert answer["ok"] is True
    call = fake.calls_to("chat.postMessage")[0]
    assert call.transport == "form"
    assert call.args["blocks"] == [{"type": "divider"}]
    assert call.raw_args["blocks"] == blocks


async def test_reply_to_a_reply_is_noted_as_a_problem(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    parent = await client.chat_postMessage(channel=CHANNEL_ID, text="p")
    reply = await client.chat_postMessage(channel=CHANNEL_ID, text="r", thread_ts=parent["ts"])
    await client.chat_postMessage(channel=CHANNEL_ID, text="rr", thread_ts=reply["ts"])
    assert fake.problems == [
        f"chat.postMessage: thread_ts {reply['ts']} is a reply, not a thread parent"
    ]


async def test_wait_for_call_wakes_on_the_matching_call(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    waiting = fake.wait_for_call("chat.update", lambda c: c.args.get("text") == "b", timeout=2)
    card = await client.chat_postMessage(channel=CHANNEL_ID, text="a")
    await client.chat_update(channel=CHANNEL_ID, ts=card["ts"], text="b")
    assert (await waiting).args["ts"] == card["ts"]
    with pytest.raises(TimeoutError, match=r"views\.open"):
        await fake.wait_for_call("views.open", timeout=0.05)
