"""The verbs people type after `/music`, each mapped to one handler.

A handler's docstring first line is its help line, written `usage — what it does`; `/music help`
is generated from them, so the help can never drift from the commands that exist.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from commands.context import Caller
from commands.ports import CommandServices
from commands.replies import Reply

Handler = Callable[[str, CommandServices, Caller], Awaitable[Reply]]


@dataclass(frozen=True)
class Command:
    """One verb (with aliases) and the handler that answers it."""

    verbs: tuple[str, ...]
    handler: Handler

    @property
    def help_line(self) -> str:
        """`usage — what it does`, from the handler's docstring."""
        doc = self.handler.__doc__ or ""
        return doc.strip().splitlines()[0] if doc.strip() else self.verbs[0]


class Registry:
    """Finds the command a message is for; anything unrecognised is a generation request."""

    def __init__(self, commands: Sequence[Command], *, default: Command) -> None:
        self.commands = tuple(commands)
        self.default = default
        self._by_verb = {verb: command for command in commands for verb in command.verbs}

    def find(self, text: str) -> tuple[Command, str]:
        """The command for `text` and the rest of the text after its verb."""
        verb, _, rest = text.strip().partition(" ")
        command = self._by_verb.get(verb.lower())
        if command is None:
            return self.default, text.strip()
        return command, rest.strip()

    def help_lines(self) -> list[str]:
        """One help line per command, the default (generation) first."""
        return [self.default.help_line, *(command.help_line for command in self.commands)]
