"""Finding the preset a request names: `preset=<id or alias>`, or venue words ("hotel lobby").

Venue words are matched before any other token, on the text before `lyrics:`, so a multi-word alias
wins over the tokens inside it ("fast food" names quick-service; "fast" is not read as a tempo).
The longest alias wins; every mention of the chosen preset is removed from the caption words.
"""

import re
from dataclasses import dataclass
from typing import Final

from commands.errors import UsageError
from commands.parsing import messages as msg
from commands.parsing.tokens import blank_out
from presets.library import AliasMatch, PresetLibrary
from presets.schema import Preset

_PRESET_SETTING_RE: Final = re.compile(
    r"(?<![\w-])preset\s*[=:]\s*(?P<name>[^\s,;=]*)", re.IGNORECASE
)


@dataclass(frozen=True)
class PresetChoice:
    """The preset a text names (if any), the text without those words, and notes."""

    preset: Preset | None
    rest: str
    notes: tuple[str, ...] = ()


def choose_preset(text: str, presets: PresetLibrary) -> PresetChoice:
    """The preset named by `preset=...`, else by the longest venue alias in `text`."""
    explicit = list(_PRESET_SETTING_RE.finditer(text))
    if explicit:
        return _explicit(text, explicit, presets)
    best = presets.match_alias(text)
    if best is None:
        return PresetChoice(None, text)
    rest, other = _remove_mentions(text, best, presets)
    if other is None:
        return PresetChoice(best.preset, rest)
    words = text[other.span[0] : other.span[1]]
    note = msg.other_preset(words, other.preset.id, best.preset.id)
    return PresetChoice(best.preset, rest, (note,))


def _explicit(text: str, matches: list[re.Match[str]], presets: PresetLibrary) -> PresetChoice:
    named = [(_named(match["name"], presets), match[0]) for match in matches]
    chosen, said = named[0]
    for preset, words in named[1:]:
        if preset.id != chosen.id:
            raise UsageError(msg.contradiction("preset", said, words), msg.EXAMPLE_PRESET)
    return PresetChoice(chosen, blank_out(text, [match.span() for match in matches]))


def _named(name: str, presets: PresetLibrary) -> Preset:
    preset = presets.find(name) if name else None
    if preset is not None:
        return preset
    known = [p.id for p in presets.all()]
    problem = msg.unknown_preset(name, known) if name else msg.preset_needs_name(known)
    raise UsageError(problem, msg.EXAMPLE_PRESET)


def _remove_mentions(
    text: str, best: AliasMatch, presets: PresetLibrary
) -> tuple[str, AliasMatch | None]:
    """Blank every mention of the chosen preset; return the rest and the first other preset."""
    rest = searched = blank_out(text, [best.span])
    other: AliasMatch | None = None
    while (again := presets.match_alias(searched)) is not None:
        searched = blank_out(searched, [again.span])
        if again.preset.id == best.preset.id:
            rest = blank_out(rest, [again.span])
        elif other is None:
            other = again
    return rest, other
