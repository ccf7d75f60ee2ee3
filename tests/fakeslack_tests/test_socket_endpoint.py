"""The Socket Mode endpoint at the wire level: tickets, hello, pings, acks, the DM shortcut."""

import json

import aiohttp
import pytest

from tests.fakeslack import USER_ID, FakeSlack


async def test_hello_pong_ack_and_single_use_tickets(fake: FakeSlack) -> None:
    opened = await fake.web_client(token=fake.identity.app_token).apps_connections_open(
        app_token=fake.identity.app_token
    )
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(opened["url"], autoping=False) as ws:
            hello = json.loads((await ws.receive()).data)
            assert hello["type"] == "hello"
            assert hello["connection_info"]["app_id"] == fake.identity.app_id
            await ws.ping(b"sdk-ping-pong:1.5")
            pong = await ws.receive()
            assert (pong.type, pong.data) == (aiohttp.WSMsgType.PONG, b"sdk-ping-pong:1.5")
            delivery = await fake.socket.send_event({"type": "app_home_opened", "user": USER_ID})
            envelope = json.loads((await ws.receive()).data)
            assert envelope["envelope_id"] == delivery.envelope_id
            await ws.send_str(json.dumps({"envelope_id": envelope["envelope_id"]}))
            assert (await delivery.wait_ack(1)).payload is None
            await ws.send_str("not json")
            await fake.wait_until(lambda: fake.problems or None)
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await session.ws_connect(opened["url"])
    assert fake.socket.acks[0].envelope_id == delivery.envelope_id
    assert fake.socket.unexpected == ["not json"]


async def test_posting_to_a_user_id_posts_in_the_dm(fake: FakeSlack) -> None:
    posted = await fake.web_client().chat_postMessage(channel=USER_ID, text="your batch is done")
    assert posted["channel"] == f"D{USER_ID[1:]}"
    assert fake.workspace.channel_messages(posted["channel"])[0].text == "your batch is done"


def test_retry_after_must_be_whole_seconds(fake: FakeSlack) -> None:
    with pytest.raises(ValueError, match="whole seconds"):
        fake.fail_next("chat.update", retry_after=0.5)  # type: ignore[arg-type]
