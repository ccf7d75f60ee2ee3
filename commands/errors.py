"""Errors commands raise for people, not for logs.

Hierarchy:

    Exception
     └── UsageError   the input cannot be acted on; `message` says what was wrong (specifically)
          │           and `example` is a command that works. The router turns it into a usage
          │           reply; it is never logged as a failure.
          └── NothingAsked  the text asks for nothing at all (empty, or only a comment such as
                      "thanks!"). Adapters may stay silent where people also just talk (threads).
"""


class UsageError(Exception):
    """What was wrong with the input, and a command that works."""

    def __init__(self, message: str, example: str) -> None:
        super().__init__(message)
        self.message = message
        self.example = example

    def __repr__(self) -> str:
        return f"UsageError({self.message!r}, {self.example!r})"


class NothingAsked(UsageError):
    """The text asks the bot for nothing (empty, or only a comment)."""
