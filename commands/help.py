"""`/music help`: every command's usage, generated from the commands themselves."""

from bot.services import Services
from commands.context import Caller
from commands.replies import Reply


async def help_command(text: str, services: Services, caller: Caller) -> Reply:
    """help — this list"""
    from commands.router import REGISTRY  # noqa: PLC0415 - the registry lists this very handler

    return Reply(
        title="How to use /music",
        text="Type /music and what you want; every part but the description is optional.",
        lines=tuple(f"/music {line}" for line in REGISTRY.help_lines()),
        ephemeral=True,
    )
