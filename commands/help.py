"""`/music help`: every command's usage, generated from the commands themselves."""

from collections.abc import Callable, Sequence

from commands.context import Caller
from commands.ports import CommandServices
from commands.registry import Handler
from commands.replies import Reply


def help_handler(help_lines: Callable[[], Sequence[str]]) -> Handler:
    """The `help` handler, listing what `help_lines` gives (the registry it is part of)."""

    async def help_command(text: str, services: CommandServices, caller: Caller) -> Reply:
        """help — this list"""
        return Reply(
            title="How to use /music",
            text="Type /music and what you want; every part but the description is optional.",
            lines=tuple(f"/music {line}" for line in help_lines()),
            ephemeral=True,
        )

    return help_command
