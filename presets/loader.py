"""Loading preset files: YAML in, a checked `PresetLibrary` out, or a `PresetError` that says
which file, which field and what is wrong ("presets/data/spa.yaml: tempo.min_bpm: must be at least
30 (got 12)").

Each file is `<id>.yaml` (or `.yml`) holding one preset. Files are read with a YAML loader that
refuses duplicate keys (plain PyYAML silently keeps the last one), validated against
`presets.schema`, then linted for caption words ACE-Step would misread (`presets.lint`).
"""

import difflib
from pathlib import Path
from typing import Any, Final

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from presets.errors import PresetError
from presets.library import PresetLibrary
from presets.lint import lint_preset
from presets.schema import Preset, known_field_names

__all__ = ["DATA_DIR", "PresetError", "PresetLibrary", "load_preset_file", "load_presets"]

DATA_DIR: Final = Path(__file__).parent / "data"
PRESET_SUFFIXES: Final = (".yaml", ".yml")


def load_presets(directory: Path | None = None) -> PresetLibrary:
    """Every preset file in `directory` (default: the shipped `presets/data`), checked together.

    Raises PresetError listing every problem found, each naming its file.
    """
    folder = DATA_DIR if directory is None else directory
    if not folder.is_dir():
        raise PresetError(f"{display_path(folder)}: preset folder not found")
    files = sorted(p for p in folder.iterdir() if p.suffix in PRESET_SUFFIXES and p.is_file())
    if not files:
        raise PresetError(f"{display_path(folder)}: no preset files (*.yaml) in this folder")
    presets: list[Preset] = []
    problems: list[str] = []
    for path in files:
        try:
            presets.append(load_preset_file(path))
        except PresetError as error:
            problems += error.problems
    if problems:
        raise PresetError(problems)
    sources = {preset.id: display_path(path) for preset, path in zip(presets, files, strict=True)}
    return PresetLibrary(presets, sources=sources)


def load_preset_file(path: Path) -> Preset:
    """One checked preset; raises PresetError naming the file, field and problem."""
    where = display_path(path)
    data = _read_yaml(path, where)
    try:
        preset = Preset.model_validate(data)
    except ValidationError as error:
        raise PresetError([f"{where}: {describe_error(e)}" for e in error.errors()]) from None
    problems = lint_preset(preset)
    if preset.id != path.stem:
        problems.insert(0, f"id: must match the file name '{path.stem}' (got '{preset.id}')")
    if problems:
        raise PresetError([f"{where}: {problem}" for problem in problems])
    return preset


def display_path(path: Path) -> str:
    """The path relative to the working directory when it is inside it, else as given."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# libyaml's parser when PyYAML was built with it (its wheels are): several times faster, which
# `acemusic doctor` and every start-up feel; the pure-Python one otherwise.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """A safe YAML loader that refuses a key written twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"'{key}' is written twice", key_node.start_mark
                )
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def _read_yaml(path: Path, where: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PresetError(f"{where}: cannot read the file ({error})") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except yaml.YAMLError as error:
        raise PresetError(f"{where}: not valid YAML: {_yaml_problem(error)}") from None
    if not isinstance(data, dict):
        raise PresetError(f"{where}: must hold one preset, a mapping of fields (id: ..., ...)")
    return data


def _yaml_problem(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        return f"line {mark.line + 1}, column {mark.column + 1}: {error.problem}"
    return str(error)


def describe_error(error: ErrorDetails) -> str:
    """One pydantic error as "<field path>: <problem in plain words>"."""
    path = field_path(error["loc"])
    problem = _plain_problem(error)
    return f"{path}: {problem}" if path else problem


def field_path(loc: tuple[int | str, ...]) -> str:
    """`("caption_pools", "moods", 2)` -> `caption_pools.moods[2]`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".")


_FIELDS: Final = known_field_names()


_TEMPLATES: Final[dict[str, str]] = {
    "missing": "required field is missing",
    "greater_than_equal": "must be at least {ge} (got {got})",
    "less_than_equal": "must be at most {le} (got {got})",
    "greater_than": "must be more than {gt} (got {got})",
    "less_than": "must be less than {lt} (got {got})",
    "too_short": "needs at least {min_length} item(s)",
    "too_long": "has too many items (at most {max_length})",
    "string_too_short": "must not be empty",
    "string_too_long": "must be at most {max_length} characters",
    "enum": "must be one of {expected} (got {got})",
    "literal_error": "must be one of {expected} (got {got})",
    "value_error": "{error}",
    "assertion_error": "{error}",
}


def _plain_problem(error: ErrorDetails) -> str:
    kind, got = error["type"], error.get("input")
    if kind == "extra_forbidden":
        return _unknown_field(str(error["loc"][-1]))
    template = _TEMPLATES.get(kind)
    if template is None:
        return _generic_problem(kind, got, error["msg"])
    return template.format(got=repr(got), **error.get("ctx", {}))


def _generic_problem(kind: str, got: object, msg: str) -> str:
    if kind.startswith(("int_", "float_")):
        return f"must be a number (got {got!r})"
    if kind.startswith("bool"):
        return f"must be true or false (got {got!r})"
    if kind.startswith("string"):
        return f"must be text (got {got!r})"
    if kind in {"tuple_type", "list_type"}:
        return f"must be a list, e.g. [a, b] (got {got!r})"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return f"must be a mapping of fields (got {got!r})"
    return f"{msg[:1].lower()}{msg[1:]} (got {got!r})"


def _unknown_field(name: str) -> str:
    hint = difflib.get_close_matches(name, _FIELDS, n=1)
    suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
    return f"unknown field '{name}'{suggestion}"
