"""`acemusic stats [7d|30d|all]`: ratings, approvals and audio checks per preset, model and rater.

Prints the table and writes stats.png (the mean score per preset) into --out, by default
OUTPUT_DIR/stats; with --json the whole document goes to stdout instead of the table and to
stats.json beside the chart. Only the database
layer and matplotlib are loaded; the figures are the ones `/music stats` shows in Slack.
"""

from pathlib import Path

import click

from bot.adapters.cli.base import async_command, settings_for, stderr


@click.command()
@click.argument("period", required=False, default="30d")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the figures as JSON (and write stats.json)."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for stats.png (and stats.json with --json); default OUTPUT_DIR/stats.",
)
@async_command
async def stats(period: str, as_json: bool, out_dir: Path | None) -> int:
    """Ratings insight for PERIOD (7d, 30d, all or any number of days; default 30d)."""
    import json  # noqa: PLC0415

    from commands.errors import UsageError  # noqa: PLC0415
    from commands.stats.figures import (  # noqa: PLC0415
        TABLE_HEADER,
        format_table,
        headline,
        parse_period,
        placeholder_line,
        stats_json,
        table_rows,
    )
    from commands.stats.verb import chart_file, gather  # noqa: PLC0415
    from storage.database import Database  # noqa: PLC0415

    try:
        chosen = parse_period(period)
    except UsageError as exc:
        raise click.UsageError(f"{exc.message} Example: acemusic stats 7d") from exc
    settings = settings_for(builtin_default=True, quiet=True)
    folder = out_dir if out_dir is not None else settings.output_dir / "stats"
    db = await Database.open(settings.database_url)
    try:
        figures = await gather(db, chosen)
    finally:
        await db.close()
    document = stats_json(figures, chosen)
    chart = await chart_file(figures, chosen) if figures.made else None
    written = [_write(folder, chart.name, chart.data)] if chart is not None else []
    if as_json:
        text = json.dumps(document, indent=2)
        written.append(_write(folder, "stats.json", text.encode()))
        click.echo(text)
    else:
        click.echo(headline(figures, chosen))
        if figures.made:
            click.echo(format_table(TABLE_HEADER, table_rows(figures)))
            if (line := placeholder_line(figures)) is not None:
                click.echo(f"{line}\n(placeholder rows: the built-in stand-in, not ACE-Step)")
    if chart is None and figures.made:
        stderr("No chart: no track of the period has a rating yet.")
    if written:
        stderr("Wrote " + " and ".join(str(path) for path in written))
    return 0


def _write(folder: Path, name: str, data: bytes) -> Path:
    """`folder/name`, written atomically (readers see the old file or the whole new one)."""
    from audiofile.atomic import write_atomically  # noqa: PLC0415

    dest = folder / name
    write_atomically(dest, data)
    return dest
