"""fakeslack — a local Slack for end-to-end tests and benchmarks.

The real slack_sdk / slack_bolt stacks talk to it over real HTTP and WebSockets; only the far side
is fake. It listens on 127.0.0.1 on a free port and never touches the network.

Start it, point a client at it, look at what happened::

    async with FakeSlack() as fake:                 # FakeSlack(share_delay=0.01, trigger_ttl=3)
        client = fake.web_client()                  # AsyncWebClient: fake.api_url, bot token
        card = await client.chat_postMessage(channel=CHANNEL_ID, text="queued")
        call = await fake.wait_for_call("chat.postMessage")    # Call: method, args, token, ...
        fake.workspace.message(CHANNEL_ID, card["ts"]).versions  # every (text, blocks) it showed
        fake.workspace.thread(CHANNEL_ID, card["ts"])            # replies, oldest first
        assert not fake.problems                    # accepted-but-suspicious traffic (see below)

The bot under test gets `fake.env()` (SLACK_API_URL, SLACK_BOT_TOKEN, SLACK_APP_TOKEN,
SLACK_SIGNING_SECRET), or `AsyncApp(client=fake.web_client())`. Ids and tokens: `identity.py`
(`CHANNEL_ID`, `USER_ID`, `BOT_USER_ID`, ...); `FakeSlack(Identity(...))` changes them.

Web API — `/api/<method>`, arguments read from the query string, form or JSON body exactly as
slack_sdk sends them (JSON-string `blocks`/`view`/`files` are decoded). The methods the bot calls:
auth.test, chat.postMessage/update/postEphemeral, conversations.history/replies,
views.open/publish, files.getUploadURLExternal/completeUploadExternal/info,
apps.connections.open, usergroups.users.list (members set with
`fake.workspace.add_usergroup(S, [U…])`). Tokens: Bearer
header (or form `token`); `not_authed`, `invalid_auth`, and `not_allowed_token_type` for an xapp-
token on bot methods or a bot token on apps.connections.open. Block Kit limits: messages answer
`invalid_blocks` with Slack's `[ERROR] must be less than 3001 characters [json-pointer:...]`
messages, views answer `invalid_arguments` (as Slack does). Unknown methods: `unknown_method`;
paths outside /api/: 404.

Files — files_upload_v2 works end to end: the upload URL takes raw or multipart bytes (no token)
and checks the announced length; completion answers at once with empty `shares`; `share_delay`
seconds later the share message appears in the channel/thread and files.info shows
`shares.public[C][0].ts`: `await fake.wait_until(lambda: fake.workspace.files_in(C, ts) or None)`.
`fake.workspace.add_file(C, "batch.csv", data)` stands for a person's upload; `url_private` serves
the bytes to the bot token (and, like Slack, an HTML page without it).

Failures — `fake.fail_next("chat.update")`: HTTP 429, `Retry-After: 1`, `ratelimited`;
`fake.fail_next("chat.postMessage", "channel_not_found")`: HTTP 200; `times=`, `retry_after=`
(whole seconds — slack_sdk's AsyncRateLimitErrorRetryHandler sleeps int(Retry-After) + 0–1 s, and
crashes on "0.5"; use 0 for fast tests). `fake.fail_upload(500)`; `fake.drop_upload()` (the
connection closed, no answer); `fake.slow_down(0.2, method)`.
`fake.problems` lists what Slack may accept but is probably a bug: a reply to a reply, an unknown
thread_ts, a token in a JSON body or query string, an upload of the wrong length.

Socket Mode — `AsyncSocketModeHandler(app, fake.identity.app_token)`, `app.client` from
`fake.web_client()` (Bolt passes it on, so apps.connections.open reaches the fake)::

    await handler.connect_async(); await fake.socket.wait_connected()
    delivery = await fake.socket.send_slash_command("hotel lobby jazz")  # send_event(event),
    ack = await delivery                        # send_interactive(payload); Ack.payload, .latency
    old = await fake.socket.send_disconnect()   # app reconnects via apps.connections.open
    await fake.socket.wait_connected(newer_than=old)
    await handler.close_async()                 # before the fake stops

HTTP mode — serve the app with `serve_locally(app.web_app(path="/slack/events"))` and send
`SignedRequests(secret, url, fake=fake)`: `slash_command`, `event` (`retry_num=`), `interaction`,
`url_verification`; `stale=True` / `bad_signature=True` get 401s. Answers carry status, text and
latency.

Payloads — `payloads` builds slash commands, event_callback bodies, app_mention, message (thread
replies, file shares), bot_message, reaction_added/removed, app_home_opened,
block_actions (`message=fake.render_message(C, ts)` fills in the button's block_id and value) and
view_submission (`view=fake.render_view(view_id)`, `values=` built with the `*_value` helpers).
Delivered trigger ids are single-use (`exchanged_trigger_id`) and expire after `trigger_ttl`
(`expired_trigger_id`); the placeholder `response_url` becomes a fake URL that records POSTs
(`fake.response_posts`) and applies them (ephemeral, in_channel; 5 uses).

Simplified, on purpose: no rate limiting unless injected; no channel membership, permissions,
scopes, edit windows or message truncation; history filters are basic; share `reply_*` counts stay
empty. Behaviour not verified against Slack is marked "unverified" where it is implemented.
"""

from tests.fakeslack import payloads
from tests.fakeslack.backend import Options
from tests.fakeslack.delivery import Ack, Delivery, SocketConnection
from tests.fakeslack.errors import SlackError
from tests.fakeslack.identity import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    CHANNEL_ID,
    OTHER_CHANNEL_ID,
    OTHER_USER_ID,
    TEAM_ID,
    USER_ID,
    Identity,
)
from tests.fakeslack.methods import MethodRequest
from tests.fakeslack.records import Call
from tests.fakeslack.server import FakeSlack, serve_locally
from tests.fakeslack.signing import SignedRequests, SignedResponse, sign

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "CHANNEL_ID",
    "OTHER_CHANNEL_ID",
    "OTHER_USER_ID",
    "TEAM_ID",
    "USER_ID",
    "Ack",
    "Call",
    "Delivery",
    "FakeSlack",
    "Identity",
    "MethodRequest",
    "Options",
    "SignedRequests",
    "SignedResponse",
    "SlackError",
    "SocketConnection",
    "payloads",
    "serve_locally",
    "sign",
]
