"""A minimal Bolt app used by the fake's own Socket Mode and HTTP mode tests."""

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond, AsyncSay
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakeslack import FakeSlack

MODAL = {
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


def build_app(fake: FakeSlack) -> AsyncApp:
    """An AsyncApp whose client talks to the fake, with one listener per kind of request."""
    app = AsyncApp(client=fake.web_client(), signing_secret=fake.identity.signing_secret)

    async def music(
        ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack(text=f"queued: {command['text']}")
        await client.chat_postMessage(
            channel=command["channel_id"], text=f"card: {command['text']}"
        )
        await respond("position 1")

    async def mentioned(event: dict[str, Any], say: AsyncSay) -> None:
        await say(text="on it", thread_ts=event["ts"])

    async def open_modal(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=MODAL)

    async def submitted(ack: AsyncAck, view: dict[str, Any]) -> None:
        caption = view["state"]["values"]["caption"]["value"]["value"]
        if not caption:
            await ack(response_action="errors", errors={"caption": "Say what to make"})
            return
        await ack()

    app.command("/music")(music)
    app.event("app_mention")(mentioned)
    app.action("refine")(open_modal)
    app.view("generate")(submitted)
    return app
