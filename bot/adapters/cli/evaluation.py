"""`acemusic eval …`: the blind listening test from a terminal, one click group."""

import click

from bot.adapters.cli.eval_prepare import import_command, prepare_command, status_command


@click.group(name="eval")
def evaluation_group() -> None:
    """The blind listening test against the incumbent service (import, prepare, status)."""


evaluation_group.add_command(import_command)
evaluation_group.add_command(prepare_command)
evaluation_group.add_command(status_command)
