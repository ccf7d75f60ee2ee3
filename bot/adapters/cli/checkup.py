"""`acemusic doctor`: the click command; the checks themselves are in `doctor.py`."""

import click

from bot.adapters.cli.base import CommandFailed, async_command, settings_for


@click.command()
@async_command
async def doctor() -> int:
    """Check the configuration, database, output folder and every ACE-Step server."""
    from bot.adapters.cli.doctor import run_doctor  # noqa: PLC0415

    settings = settings_for(builtin_default=True, quiet=True)
    problems = await run_doctor(settings, click.echo)
    if problems:
        raise CommandFailed(f"{problems} problem(s) found (see above)")
    return 0
