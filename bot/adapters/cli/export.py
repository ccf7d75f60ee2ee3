"""`acemusic export`: the playout catalogue's delivery files and manifest, from the terminal.

The terminal is the operator of the bot's host, so it may export anywhere it can write (`--to`).
The work is the same as `/music export` (`bot.engine.catalogue.export`); the delivery files are
rendered in the audio process pool (AUDIO_CHECK_WORKERS).
"""

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.adapters.cli.base import EXIT_FAILED, EXIT_USAGE, async_command, settings_for, stderr

if TYPE_CHECKING:
    from bot.services import Services


@click.command()
@click.option("--preset", default=None, help="Only tracks of this preset (id or name).")
@click.option("--since", default=None, help="Only tracks made since: 7d, 24h, 2w or 2026-12-01.")
@click.option("--approved", is_flag=True, help="Approved tracks (the default selection).")
@click.option(
    "--min-score", default=None, help="Tracks rated this much or more on average, instead."
)
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write here (default: CATALOGUE_DIR, else OUTPUT_DIR/catalogue).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
@async_command
async def export(
    *,
    preset: str | None,
    since: str | None,
    approved: bool,
    min_score: str | None,
    folder: Path | None,
    as_json: bool,
) -> int:
    """Write delivery files and catalogue.csv / catalogue.json for the selected tracks."""
    if approved and min_score is not None:
        raise click.UsageError("choose one of --approved and --min-score")
    from bot.services import open_services  # noqa: PLC0415

    settings = settings_for(builtin_default=True, quiet=True)
    async with open_services(settings) as services:
        return await export_command(
            services,
            preset=preset,
            since=since,
            min_score=min_score,
            folder=folder,
            as_json=as_json,
        )


async def export_command(
    services: "Services",
    *,
    preset: str | None,
    since: str | None,
    min_score: str | None,
    folder: Path | None,
    as_json: bool,
) -> int:
    """Select, export, print the summary (or JSON); one line on stderr when it fails."""
    from dataclasses import asdict  # noqa: PLC0415
    from datetime import UTC, datetime  # noqa: PLC0415

    from bot.adapters.console.text import render  # noqa: PLC0415
    from commands.errors import UsageError  # noqa: PLC0415
    from commands.export import export_filter, export_reply  # noqa: PLC0415
    from domain.catalogue import ExportError  # noqa: PLC0415

    try:
        selection = export_filter(
            services.presets, datetime.now(UTC), preset=preset, since=since, min_score=min_score
        )
    except UsageError as error:
        stderr(f"✗ {error.message}")
        return EXIT_USAGE
    try:
        result = await services.catalogue.export(selection, folder)
    except ExportError as exc:
        stderr(f"acemusic: export failed: {exc}")
        return EXIT_FAILED
    if as_json:
        click.echo(json.dumps(asdict(result), indent=2, default=str))
    else:
        click.echo(render(export_reply(result)))
    return 0
