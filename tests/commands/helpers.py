"""Types shared by the parser tests."""

from collections.abc import Callable

from commands.parsing import GenerationDefaults, ParsedGeneration

Parse = Callable[..., ParsedGeneration]
DEFAULTS = GenerationDefaults()
