"""The fake workspace's state: users, channels, messages (threads, edits, reactions), files, views.

Tests read it through `FakeSlack.workspace`: `channel_messages(C)`, `thread(C, ts)`,
`message(C, ts).text / .blocks / .versions`, `files_in(C, thread_ts)`, `ephemerals`, `views`.
Tests may also seed it (`add_channel`, `add_user`, `add_message`) to stand for human activity.
"""

import bisect
import re
import time
from collections.abc import Callable
from typing import Any

from tests.fakeslack.identity import (
    CHANNEL_ID,
    CHANNEL_NAME,
    OTHER_CHANNEL_ID,
    OTHER_CHANNEL_NAME,
    OTHER_USER_ID,
    OTHER_USER_NAME,
    USER_ID,
    USER_NAME,
    Identity,
    next_ts,
    slack_id,
    ts_key,
)
from tests.fakeslack.model import (
    Channel,
    Ephemeral,
    FileRecord,
    Message,
    Revision,
    Share,
    User,
    View,
)

JsonDict = dict[str, Any]
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


class Workspace:
    """Users, channels, messages, files and views; every change wakes waiting tests."""

    def __init__(
        self, identity: Identity, *, auto_create: bool, on_change: Callable[[], None]
    ) -> None:
        self.identity = identity
        self.auto_create = auto_create
        self._on_change = on_change
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self._messages: dict[str, dict[str, Message]] = {}  # channel -> ts -> message
        self._ordered: dict[str, list[Message]] = {}  # channel -> messages by ts
        self._threads: dict[tuple[str, str], list[Message]] = {}  # (channel, parent) -> replies
        self.files: dict[str, FileRecord] = {}
        self.views: dict[str, View] = {}
        self.home_views: dict[str, View] = {}
        self.ephemerals: list[Ephemeral] = []
        self.usergroups: dict[str, list[str]] = {}  # user group id (S…) -> member user ids
        self._seed()

    def _seed(self) -> None:
        bot = self.identity
        self.add_user(bot.bot_user_id, bot.bot_name, is_bot=True)
        self.add_user(USER_ID, USER_NAME, real_name="Alice Example")
        self.add_user(OTHER_USER_ID, OTHER_USER_NAME, real_name="Bob Example")
        self.add_channel(CHANNEL_ID, CHANNEL_NAME)
        self.add_channel(OTHER_CHANNEL_ID, OTHER_CHANNEL_NAME)

    def changed(self) -> None:
        """Signal a state change to waiting tests."""
        self._on_change()

    # -- seeding ---------------------------------------------------------------------------

    def add_user(
        self, user_id: str, name: str, *, real_name: str = "", is_bot: bool = False
    ) -> User:
        """Create (or replace) a user."""
        user = User(user_id, name, real_name or name.title(), is_bot)
        self.users[user_id] = user
        return user

    def add_channel(self, channel_id: str, name: str, *, private: bool = False) -> Channel:
        """Create (or replace) a channel."""
        channel = Channel(channel_id, name, private)
        self.channels[channel_id] = channel
        self._messages.setdefault(channel_id, {})
        return channel

    def add_usergroup(self, group_id: str, members: list[str]) -> None:
        """Create (or replace) a user group with these members."""
        self.usergroups[group_id] = list(members)

    def add_message(self, channel: str, text: str = "", **fields: Any) -> Message:
        """Store a message as if a person posted it (default author: the default user; any
        `Message` field may be given, e.g. `thread_ts=`, `ts=`, `blocks=`)."""
        fields.setdefault("user", USER_ID)
        fields["ts"] = fields.get("ts") or next_ts()
        if self.find_channel(channel) is None:
            self.add_channel(channel, channel.lower())
        return self.store(Message(channel=channel, text=text, **fields))

    def add_file(
        self,
        channel: str,
        name: str,
        data: bytes,
        *,
        user: str = USER_ID,
        thread_ts: str | None = None,
        comment: str = "",
    ) -> tuple[FileRecord, Message]:
        """A file a person shared (e.g. a CSV manifest): stored, downloadable, with its message."""
        file = FileRecord(slack_id("F"), name, len(data), user, int(time.time()), data=data)
        file.title, file.completed = name, True
        self.files[file.id] = file
        message = self.add_message(
            channel, comment, user=user, thread_ts=thread_ts, files=[file.id], subtype="file_share"
        )
        file.shares.append(Share(channel, message.ts, thread_ts))
        self.changed()
        return file, message

    # -- lookups -----------------------------------------------------------------------------

    def find_channel(self, channel_id: str) -> Channel | None:
        """The channel, created on first use when `auto_create` is on and the id looks right."""
        if channel_id not in self.channels and self.auto_create and _CHANNEL_ID.match(channel_id):
            self.add_channel(channel_id, channel_id.lower())
        return self.channels.get(channel_id)

    def dm_channel(self, user_id: str) -> Channel | None:
        """The bot's DM with a user (posting to a user id posts there), or None."""
        if not _USER_ID.match(user_id) or self.find_user(user_id) is None:
            return None
        dm_id = f"D{user_id[1:]}"
        return self.channels.get(dm_id) or self.add_channel(dm_id, user_id.lower(), private=True)

    def find_user(self, user_id: str) -> User | None:
        """The user, created on first use when `auto_create` is on and the id looks right."""
        if user_id not in self.users and self.auto_create and _USER_ID.match(user_id):
            self.add_user(user_id, user_id.lower())
        return self.users.get(user_id)

    def find_message(self, channel: str, ts: str) -> Message | None:
        """The message at `ts`, or None."""
        return self._messages.get(channel, {}).get(ts)

    def message(self, channel: str, ts: str) -> Message:
        """The live message at `ts`; KeyError when there is none."""
        message = self.find_message(channel, ts)
        if message is None:
            raise KeyError(f"no message {ts} in {channel}")
        return message

    def all_messages(self, channel: str | None = None) -> list[Message]:
        """Every live message (top level and replies), oldest first."""
        if channel is not None:
            return list(self._ordered.get(channel, []))
        found = [m for ordered in self._ordered.values() for m in ordered]
        return sorted(found, key=_by_ts)

    def channel_messages(self, channel: str) -> list[Message]:
        """The channel's top-level messages (plus broadcast replies), oldest first."""
        return [m for m in self.all_messages(channel) if not m.is_reply or m.reply_broadcast]

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        """The replies in the thread whose parent is `thread_ts`, oldest first (parent excluded)."""
        return list(self._threads.get((channel, thread_ts), []))

    def files_in(self, channel: str, thread_ts: str | None = None) -> list[FileRecord]:
        """Files whose share is done in `channel` (and in that thread, when given)."""
        return [
            file
            for file in self.files.values()
            for share in file.shares
            if share.channel == channel and (thread_ts is None or share.thread_ts == thread_ts)
        ]

    # -- changes -----------------------------------------------------------------------------

    def store(self, message: Message) -> Message:
        """Add a message to its channel (and thread)."""
        self._messages.setdefault(message.channel, {})[message.ts] = message
        bisect.insort(self._ordered.setdefault(message.channel, []), message, key=_by_ts)
        if message.is_reply and message.thread_ts:
            thread = self._threads.setdefault((message.channel, message.thread_ts), [])
            bisect.insort(thread, message, key=_by_ts)
        self.changed()
        return message

    def edit(self, message: Message, *, by: str, **fields: Any) -> Message:
        """Replace a message's content, keeping the old version in `history`."""
        edited_at = next_ts()
        message.history.append(Revision(message.text, message.blocks, edited_at))
        for name, value in fields.items():
            setattr(message, name, value)
        message.edited = (by, edited_at)
        self.changed()
        return message


def _by_ts(message: Message) -> tuple[int, int]:
    return ts_key(message.ts)
