"""What a command returns: a transport-agnostic reply that each adapter renders its own way."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ReplyFile:
    """A file that goes with a reply (e.g. a chart): Slack uploads it beside the answer."""

    name: str  # file name, e.g. "stats.png"
    data: bytes
    title: str


@dataclass(frozen=True)
class Reply:
    """A command's answer. Slack renders it as Block Kit, the console as text."""

    text: str  # one-line summary; also Slack's notification/fallback text
    title: str | None = None
    fields: tuple[tuple[str, str], ...] = ()  # label/value rows, e.g. what was understood
    lines: tuple[str, ...] = ()  # further lines: notes, list items
    job_ids: tuple[int, ...] = ()  # jobs this command started (callers may wait for them)
    ephemeral: bool = False  # only for the person who asked (help, refusals, usage errors)
    ok: bool = True  # False when nothing was done because the input was wrong or refused
    example: str | None = None  # a command that works, shown with usage errors
    batch_id: int | None = None  # the batch this command started (its digest shows progress)
    # user ids the command names on purpose as `<@U123>` (Slack shows them as mentions; any
    # other `<…>` in a reply, e.g. echoed input, is shown as typed)
    mentions: tuple[str, ...] = ()
    files: tuple[ReplyFile, ...] = ()  # uploaded with the answer (Slack); the CLI writes them
    # files already on the bot's host for the person who asked (an export's catalogue.csv):
    # Slack uploads them where the command was typed, the terminal names their paths
    host_files: tuple[str, ...] = ()

    def plain(self) -> str:
        """The whole reply as plain text (console, logs, notification fallback)."""
        parts = [self.title] if self.title else []
        parts.append(self.text)
        parts += [f"  {label}: {value}" for label, value in self.fields]
        parts += [f"  {line}" for line in self.lines]
        if self.example:
            parts.append(f"  Example: {self.example}")
        return "\n".join(parts)


def usage_reply(message: str, example: str) -> Reply:
    """A specific complaint about the input, with a command that works."""
    return Reply(text=message, example=example, ephemeral=True, ok=False)
