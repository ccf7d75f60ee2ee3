"""`/music presets`: the venue presets people can name in a request."""

from commands.context import Caller
from commands.ports import CommandServices
from commands.replies import Reply


async def presets(text: str, services: CommandServices, caller: Caller) -> Reply:
    """presets — the venue presets you can name, e.g. `hotel lobby`"""
    lines = []
    for preset in services.presets.all():
        aliases = ", ".join(preset.aliases) if preset.aliases else preset.id
        lines.append(
            f"{preset.id} — {preset.name}: {preset.tempo.min_bpm}–{preset.tempo.max_bpm} bpm; "
            f"say: {aliases}"
        )
    return Reply(
        title="Presets",
        text=f"{len(lines)} presets. Name one in a request, e.g. /music spa 5min.",
        lines=tuple(lines),
        ephemeral=True,
    )
