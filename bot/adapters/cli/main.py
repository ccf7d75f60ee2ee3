"""`acemusic`: the product's one command-line entry point.

Every subcommand builds `Settings` once, opens the services it needs, and turns any failure into
one line on stderr and a non-zero exit code (2 for configuration or usage problems, 1 otherwise).

Subcommands are registered below as "module:attribute" and imported only when used, so the command
answers at once (`acemusic --help` loads no database, engine or Slack code). A new subcommand or
group is one more line in `SUBCOMMANDS`; its module imports only click and the standard library at
the top (see `bot/adapters/cli/lazy.py`).
"""

from typing import Final

import click

from bot.adapters.cli.lazy import LazyGroup

SUBCOMMANDS: Final = {
    "batch": "bot.adapters.cli.generate:batch",
    "chat": "bot.adapters.cli.generate:chat",
    "doctor": "bot.adapters.cli.checkup:doctor",
    "engine": "bot.adapters.cli.runtime:engine",
    "eval": "bot.adapters.cli.evaluation:evaluation_group",
    "export": "bot.adapters.cli.export:export",
    "jobs": "bot.adapters.cli.listing:jobs",
    "run": "bot.adapters.cli.generate:run",
    "serve": "bot.adapters.cli.runtime:serve",
    "stats": "bot.adapters.cli.stats:stats",
    "tracks": "bot.adapters.cli.listing:tracks",
    "work": "bot.adapters.cli.runtime:work",
}


@click.group(cls=LazyGroup, lazy_commands=SUBCOMMANDS)
@click.version_option(package_name="acemusic")
def main() -> None:
    """ACE Music bot: make background music with ACE-Step from Slack, a console or scripts."""
