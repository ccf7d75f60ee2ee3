"""The fake workspace's records: users, channels, messages (with edits and reactions), ephemeral
messages, files with their shares, and views."""

from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]


@dataclass
class User:
    """A workspace member (or the bot user)."""

    id: str
    name: str
    real_name: str = ""
    is_bot: bool = False
    tz: str = "Asia/Singapore"


@dataclass
class Channel:
    """A conversation; private channels (G…) and DMs (D…) list file shares under `private`."""

    id: str
    name: str
    is_private: bool = False

    @property
    def share_kind(self) -> str:
        """Where files.info lists shares in this channel: `public` or `private`."""
        private = self.is_private or self.id[0] in "GD"
        return "private" if private else "public"


@dataclass(frozen=True)
class Revision:
    """An earlier version of an edited message, and when it was replaced."""

    text: str
    blocks: list[JsonDict] | None
    replaced_at: str


@dataclass
class Message:
    """A message in a channel (top level or thread reply), as stored by the fake."""

    channel: str
    ts: str
    text: str = ""
    user: str | None = None
    bot_id: str | None = None
    blocks: list[JsonDict] | None = None
    attachments: list[JsonDict] | None = None
    thread_ts: str | None = None
    metadata: JsonDict | None = None
    files: list[str] = field(default_factory=list)
    subtype: str | None = None
    reply_broadcast: bool = False
    reactions: dict[str, list[str]] = field(default_factory=dict)
    history: list[Revision] = field(default_factory=list)
    edited: tuple[str, str] | None = None

    @property
    def is_reply(self) -> bool:
        """A reply inside a thread (not the parent)."""
        return self.thread_ts is not None and self.thread_ts != self.ts

    @property
    def versions(self) -> list[tuple[str, list[JsonDict] | None]]:
        """Every (text, blocks) this message has shown, oldest first, current last."""
        older = [(revision.text, revision.blocks) for revision in self.history]
        return [*older, (self.text, self.blocks)]


@dataclass(frozen=True)
class Ephemeral:
    """An ephemeral message: seen by one user, never stored in channel history."""

    channel: str
    user: str
    ts: str
    text: str
    blocks: list[JsonDict] | None
    thread_ts: str | None
    source: str


@dataclass(frozen=True)
class Share:
    """Where a file was shared: the share message's ts, and the thread it went into."""

    channel: str
    ts: str
    thread_ts: str | None


@dataclass
class FileRecord:
    """A file: announced by getUploadURLExternal, filled by the upload, shared on completion."""

    id: str
    name: str
    length: int
    user: str
    created: int
    title: str = ""
    alt_txt: str | None = None
    snippet_type: str | None = None
    data: bytes | None = None
    content_type: str = ""
    completed: bool = False
    shares: list[Share] = field(default_factory=list)

    @property
    def uploaded(self) -> bool:
        """Whether the bytes arrived at the upload URL."""
        return self.data is not None


@dataclass
class View:
    """A modal or Home tab view as the fake stores it (`definition` is what the app sent)."""

    id: str
    type: str
    definition: JsonDict
    hash: str
    root_view_id: str
    previous_view_id: str | None = None
    user: str | None = None
    external_id: str = ""
    state_values: JsonDict = field(default_factory=dict)
