"""response_url: recorded, applied (ephemeral, in_channel), limited to 5 uses."""

import aiohttp

from tests.fakeslack import CHANNEL_ID, USER_ID, FakeSlack


async def _post(url: str, body: dict[str, object]) -> int:
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as response:
        return response.status


async def test_effects_of_response_url_posts(fake: FakeSlack) -> None:
    original = fake.workspace.add_message(CHANNEL_ID, "card", user=fake.identity.bot_user_id)
    url = fake.response_urls.new(CHANNEL_ID, USER_ID, original.ts)
    assert await _post(url, {"text": "only you"}) == 200
    assert fake.workspace.ephemerals[-1].text == "only you"
    assert await _post(url, {"text": "everyone", "response_type": "in_channel"}) == 200
    assert [m.text for m in fake.workspace.channel_messages(CHANNEL_ID)] == ["card", "everyone"]
    assert [post.status for post in fake.response_posts] == [200] * 2


async def test_sixth_use_is_refused(fake: FakeSlack) -> None:
    url = fake.response_urls.new(CHANNEL_ID, USER_ID)
    statuses = [await _post(url, {"text": str(n)}) for n in range(6)]
    assert statuses == [200] * 5 + [404]
    assert await _post(f"{fake.base_url}response-url/nope", {"text": "x"}) == 404
