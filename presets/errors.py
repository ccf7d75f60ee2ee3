"""Errors raised while loading and checking preset files.

Hierarchy:

    ValueError
     └── PresetError   a preset file (or a set of them) cannot be used; `problems` lists each one
                       as "<file>: <field path>: <what is wrong>", ready to show to whoever edits it
"""


class PresetError(ValueError):
    """One or more presets are invalid; the message names the file, the field and the problem."""

    def __init__(self, problems: str | list[str] | tuple[str, ...]) -> None:
        self.problems: tuple[str, ...] = (
            (problems,) if isinstance(problems, str) else tuple(problems)
        )
        super().__init__("\n".join(self.problems))
