"""The loaded set of presets: lookup by id, and finding a preset named inside free text.

Every preset is named by its id ("hotel-lobby"), its id with spaces ("hotel lobby") and its aliases.
Names are compared case-insensitively with spaces, hyphens and underscores treated alike, so
"Hotel-Lobby" and "hotel  lobby" both name hotel-lobby. No two presets may share a name.
"""

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

from presets.errors import PresetError
from presets.schema import Preset


class AliasMatch(NamedTuple):
    """A preset named in a text: which one, where (`text[start:end]`), and by which name."""

    preset: Preset
    span: tuple[int, int]
    alias: str


class PresetLibrary:
    """An immutable collection of presets with unique ids and names."""

    def __init__(
        self, presets: Iterable[Preset], *, sources: Mapping[str, str] | None = None
    ) -> None:
        """`sources` maps preset id -> file, used to name both files in duplicate errors."""
        self._sources = dict(sources or {})
        self._by_id: dict[str, Preset] = {}
        self._by_name: dict[str, Preset] = {}
        for preset in presets:
            self._add(preset)
        self._patterns = sorted(
            ((_name_pattern(name), preset, name) for name, preset in self._by_name.items()),
            key=lambda item: (-len(item[2].split()), -len(item[2]), item[2]),
        )

    def _add(self, preset: Preset) -> None:
        if preset.id in self._by_id:
            raise PresetError(self._clash("id", preset.id, self._by_id[preset.id], preset))
        self._by_id[preset.id] = preset
        for name in dict.fromkeys(normalise_name(n) for n in preset.names):
            owner = self._by_name.setdefault(name, preset)
            if owner is not preset:
                raise PresetError(self._clash("alias", name, owner, preset))

    def _clash(self, what: str, value: str, first: Preset, second: Preset) -> str:
        def where(preset: Preset) -> str:
            source = self._sources.get(preset.id)
            return f"{source} ({preset.id})" if source else preset.id

        return f"{what} '{value}' is used by both {where(first)} and {where(second)}"

    def get(self, preset_id: str) -> Preset | None:
        """The preset with this id, or None."""
        return self._by_id.get(preset_id)

    def find(self, name: str) -> Preset | None:
        """The preset with exactly this id or alias (case, hyphens and spaces ignored), or None."""
        return self._by_name.get(normalise_name(name))

    def all(self) -> tuple[Preset, ...]:
        """Every preset, ordered by id."""
        return tuple(self._by_id[key] for key in sorted(self._by_id))

    def match_alias(self, text: str) -> AliasMatch | None:
        """The preset named in `text` by its longest name ("hotel lobby" beats "lobby").

        Names match whole words only ("spa" is not found in "spanish"), and not right after
        `=` or `:` (so `model=cafe` names no preset). Among equally long names the earliest wins.
        """
        best: AliasMatch | None = None
        for pattern, preset, name in self._patterns:
            if best is not None and len(name.split()) < len(best.alias.split()):
                break
            found = pattern.search(text)
            if found and (best is None or found.start() < best.span[0]):
                best = AliasMatch(preset, found.span(), name)
        return best

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Preset]:
        return iter(self.all())

    def __contains__(self, preset_id: object) -> bool:
        return preset_id in self._by_id


def normalise_name(name: str) -> str:
    """The form names are compared in: lower case, words separated by single spaces."""
    return " ".join(re.split(r"[\s_-]+", name.casefold())).strip()


def _name_pattern(name: str) -> re.Pattern[str]:
    words = r"[\s_-]+".join(re.escape(word) for word in name.split())
    return re.compile(rf"(?<![\w=:/-]){words}(?![\w-])", re.IGNORECASE)
