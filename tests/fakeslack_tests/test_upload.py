"""The three-step upload through files_upload_v2, the asynchronous share, downloads."""

import json

import aiohttp
import httpx
import pytest
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakeslack import CHANNEL_ID, USER_ID, FakeSlack

MP3 = b"ID3" + bytes(range(256)) * 8


async def test_upload_v2_into_a_thread_shares_later(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    card = await client.chat_postMessage(channel=CHANNEL_ID, text="track card")
    done = await client.files_upload_v2(
        channel=CHANNEL_ID,
        thread_ts=card["ts"],
        file=MP3,
        filename="lobby-jazz.mp3",
        title="Lobby jazz #1",
        initial_comment="take 1",
    )
    file_id = done["file"]["id"]
    assert done["file"]["title"] == "Lobby jazz #1"
    assert done["file"]["shares"] == {}  # the share is asynchronous, as on Slack
    assert "ts" not in done.data
    get_url, complete = (
        fake.calls_to("files.getUploadURLExternal")[0],
        fake.calls_to("files.completeUploadExternal")[0],
    )
    assert get_url.args["length"] == str(len(MP3))
    assert get_url.transport == "query"
    assert isinstance(complete.raw_args["files"], str)  # a JSON string, as slack_sdk sends it
    assert fake.uploads[0].content_type == "application/octet-stream"

    [shared] = await fake.wait_until(
        lambda: fake.workspace.files_in(CHANNEL_ID, card["ts"]) or None
    )
    assert shared.data == MP3
    info = (await client.files_info(file=file_id))["file"]
    share = info["shares"]["public"][CHANNEL_ID][0]
    assert share["thread_ts"] == card["ts"]
    [reply] = fake.workspace.thread(CHANNEL_ID, card["ts"])
    assert (reply.ts, reply.text, reply.files) == (share["ts"], "take 1", [file_id])
    assert info["mimetype"] == "audio/mpeg"
    assert info["size"] == len(MP3)


async def test_upload_url_failure_raises_slack_request_error(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.fail_upload(500)
    with pytest.raises(SlackRequestError, match="status: 500"):
        await client.files_upload_v2(channel=CHANNEL_ID, content=b"abc", filename="a.wav")
    assert fake.calls_to("files.completeUploadExternal") == []
    again = await client.files_upload_v2(channel=CHANNEL_ID, content=b"abc", filename="a.wav")
    assert again["file"]["name"] == "a.wav"


async def test_completing_a_file_that_was_never_uploaded_fails(client: AsyncWebClient) -> None:
    announced = await client.files_getUploadURLExternal(filename="a.mp3", length=3)
    with pytest.raises(SlackApiError, match="file_not_found"):
        await client.files_completeUploadExternal(
            files=[{"id": announced["file_id"]}], channel_id=CHANNEL_ID
        )
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.api_call("files.getUploadURLExternal", params={"filename": "a.mp3"})


async def test_multipart_upload_and_length_check(fake: FakeSlack, client: AsyncWebClient) -> None:
    first = await client.files_getUploadURLExternal(filename="a.csv", length=5)
    second = await client.files_getUploadURLExternal(filename="b.csv", length=99)
    async with aiohttp.ClientSession() as session:
        form = aiohttp.FormData()
        form.add_field("filename", b"a,b\n1", filename="a.csv")
        async with session.post(first["upload_url"], data=form) as response:
            assert (response.status, await response.text()) == (200, "OK - 5")
        async with session.post(second["upload_url"], data=b"short") as response:
            assert response.status == 400
    assert fake.workspace.files[first["file_id"]].data == b"a,b\n1"
    assert fake.problems == [f"upload {second['file_id']}: 5 bytes, announced 99"]


async def test_completion_with_blocks_and_no_channel(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    blocks = json.dumps([{"type": "section", "text": {"type": "mrkdwn", "text": "*take 2*"}}])
    private = await client.files_upload_v2(content=b"x", filename="private.mp3")
    assert private["file"]["shares"] == {}
    await client.files_upload_v2(channel=CHANNEL_ID, content=b"y", filename="b.mp3", blocks=blocks)
    [message] = await fake.wait_until(lambda: fake.workspace.channel_messages(CHANNEL_ID) or None)
    assert message.blocks is not None
    assert message.blocks[0]["text"]["text"] == "*take 2*"
    assert fake.workspace.files_in(CHANNEL_ID)[0].name == "b.mp3"


async def test_private_urls_need_the_bot_token(fake: FakeSlack) -> None:
    file, message = fake.workspace.add_file(
        CHANNEL_ID, "batch.csv", b"caption\njazz\n", user=USER_ID
    )
    assert message.subtype == "file_share"
    url = fake.render_message(CHANNEL_ID, message.ts)["files"][0]["url_private_download"]
    auth = {"Authorization": f"Bearer {fake.identity.bot_token}"}
    async with aiohttp.ClientSession() as session:
        async with session.get(url, headers=auth) as response:
            assert await response.read() == b"caption\njazz\n"
        async with session.get(url) as response:  # Slack's classic trap: 200 + an HTML page
            assert response.status == 200
            assert response.content_type == "text/html"
    assert file.shares[0].ts == message.ts


async def test_a_dropped_upload_is_a_transport_error_and_stores_nothing(fake: FakeSlack) -> None:
    client = fake.web_client()
    announced = await client.files_getUploadURLExternal(filename="a.csv", length=3)
    fake.drop_upload()
    async with httpx.AsyncClient() as http:
        with pytest.raises(httpx.TransportError):
            await http.post(str(announced["upload_url"]), content=b"abc")
        again = await http.post(str(announced["upload_url"]), content=b"abc")
    assert again.status_code == 200
    assert [upload.status for upload in fake.uploads] == [0, 200]
