"""Reading `eval <sub> …` (pure, no I/O): session names, options in either form, zone names.

Options are accepted as `--zones spa,hotel-lobby`, `--zones=spa,hotel-lobby` and
`zones=spa,hotel-lobby` alike (the CLI's and Slack's habits); anything not understood is a usage
error that names it, never silently dropped.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from commands.errors import UsageError
from commands.evaluation.sessions import parse_session_name
from domain.constants import VARIANTS_MAX
from presets.library import PresetLibrary

_OPTION: Final = re.compile(r"^(?:--)?([a-z][a-z-]*)(?:=(.*))?$", re.IGNORECASE)
DEFAULT_BEST_OF: Final = 4
EXAMPLE_IMPORT: Final = "@ACE Music eval import q1 zone=spa (with audio files attached)"
EXAMPLE_PREPARE: Final = "/music eval prepare q1 --zones spa,hotel-lobby --per-zone 5 --best-of 4"
EXAMPLE_STATUS: Final = "/music eval status q1"


@dataclass(frozen=True)
class ImportArgs:
    """`eval import <session> [zone=Z]`."""

    session: str
    zone: str | None = None


@dataclass(frozen=True)
class PrepareArgs:
    """`eval prepare <session> [--zones a,b] [--per-zone N] [--best-of K]`."""

    session: str
    zones: tuple[str, ...] | None = None  # preset ids (None: every zone with references)
    per_zone: int | None = None  # at most this many references per zone (None: all)
    best_of: int = DEFAULT_BEST_OF


def split_options(
    text: str, *, flags: Sequence[str], example: str
) -> tuple[list[str], dict[str, str]]:
    """Positional words and `name -> value` for the options named in `flags` (e.g. "zones",
    "per-zone"). `--name value`, `--name=value` and `name=value` are all accepted."""
    words = text.split()
    positional: list[str] = []
    options: dict[str, str] = {}
    index = 0
    while index < len(words):
        word = words[index]
        found = _OPTION.match(word)
        is_option = found is not None and (word.startswith("--") or found[2] is not None)
        if not is_option:
            positional.append(word)
            index += 1
            continue
        assert found is not None
        name = found[1].lower().replace("_", "-")
        if name not in flags:
            known = ", ".join(f"--{flag}" for flag in flags) or "none"
            raise UsageError(f"Unknown option '{word}' (options: {known}).", example)
        value = found[2]
        if value is None:
            if index + 1 >= len(words):
                raise UsageError(f"--{name} needs a value.", example)
            value = words[index + 1]
            index += 1
        if name in options:
            raise UsageError(f"--{name} is given twice.", example)
        options[name] = value
        index += 1
    return positional, options


def one_session(positional: list[str], example: str) -> str:
    """The session named by the only positional word."""
    if len(positional) > 1:
        extra = " ".join(positional[1:])
        raise UsageError(f"Only one session name, please (also got '{extra}').", example)
    return parse_session_name(positional[0] if positional else "", example=example)


def parse_import_args(text: str) -> ImportArgs:
    """`q1 zone=spa` -> ImportArgs('q1', 'spa')."""
    positional, options = split_options(text, flags=("zone",), example=EXAMPLE_IMPORT)
    return ImportArgs(one_session(positional, EXAMPLE_IMPORT), options.get("zone"))


def parse_prepare_args(text: str, presets: PresetLibrary) -> PrepareArgs:
    """`q1 --zones spa,hotel-lobby --per-zone 5 --best-of 4` -> PrepareArgs (zones: preset ids)."""
    flags = ("zones", "per-zone", "best-of")
    positional, options = split_options(text, flags=flags, example=EXAMPLE_PREPARE)
    session = one_session(positional, EXAMPLE_PREPARE)
    zones = None
    if "zones" in options:
        names = [name for name in options["zones"].split(",") if name.strip()]
        if not names:
            raise UsageError(
                "--zones needs at least one zone, e.g. spa,hotel-lobby.", EXAMPLE_PREPARE
            )
        zones = tuple(dict.fromkeys(resolve_zone(presets, name, EXAMPLE_PREPARE) for name in names))
    per_zone = _whole(options.get("per-zone"), "per-zone", 1, None)
    best_of = _whole(options.get("best-of"), "best-of", 1, VARIANTS_MAX)
    return PrepareArgs(session, zones, per_zone, DEFAULT_BEST_OF if best_of is None else best_of)


def parse_status_args(text: str) -> str | None:
    """The session of `eval status <session>`; None when no session is named (list them)."""
    positional, _ = split_options(text, flags=(), example=EXAMPLE_STATUS)
    return one_session(positional, EXAMPLE_STATUS) if positional else None


def _whole(text: str | None, name: str, low: int, high: int | None) -> int | None:
    if text is None:
        return None
    bounds = f"{low} to {high}" if high is not None else f"at least {low}"
    try:
        value = int(text)
    except ValueError:
        raise UsageError(
            f"--{name} takes a whole number, {bounds} (got '{text}').", EXAMPLE_PREPARE
        ) from None
    if value < low or (high is not None and value > high):
        raise UsageError(f"--{name} must be {bounds} (got {value}).", EXAMPLE_PREPARE)
    return value


def zone_of(presets: PresetLibrary, name: str) -> str | None:
    """The preset id a zone name (id or alias, any case) stands for, or None."""
    preset = presets.find(name.strip())
    return preset.id if preset is not None else None


def unknown_zone(presets: PresetLibrary, name: str) -> str:
    """Why `name` is no zone, with the zones there are."""
    zones = ", ".join(preset.id for preset in presets.all())
    return f"unknown zone '{name.strip()}'; zones are preset ids or aliases: {zones}"


def resolve_zone(presets: PresetLibrary, name: str, example: str) -> str:
    """The preset id of a zone name, or a usage error listing the zones."""
    zone = zone_of(presets, name)
    if zone is None:
        message = unknown_zone(presets, name)
        raise UsageError(message[0].upper() + message[1:] + ".", example)
    return zone
