"""`/music export [preset P] [since 7d|2026-12-01] [approved | min-score N] [to NAME]`.

Writes the delivery files of the selected tracks and the catalogue manifest (catalogue.csv and
catalogue.json) into the catalogue folder (CATALOGUE_DIR, else OUTPUT_DIR/catalogue), or into its
subfolder NAME. The selection is approved tracks unless `min-score N` asks for tracks rated N or
more on average. Who may export: admins (SLACK_ADMIN_USERS) and the operator (the terminal:
`acemusic export`, `acemusic run "/music export"`, the console) — an export writes many files on
the bot's host. The reply sums up what was written, unchanged and skipped (and why); it carries
catalogue.csv for the requester (Slack uploads it where the command was typed).
Options may be written with or without `--` (`--preset lobby` or `preset lobby`).
"""

import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from commands.context import Caller
from commands.errors import UsageError
from commands.ports import CommandServices
from commands.replies import Reply
from domain.catalogue import ExportError, ExportFilter, ExportResult, parse_since
from presets.library import PresetLibrary

EXAMPLE: Final = "/music export preset lobby since 7d"
MAX_SKIP_LINES: Final = 10
_SUBFOLDER: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_OPTIONS: Final = ("preset", "since", "min-score", "to")
REFUSED: Final = (
    "Only admins may export the catalogue from Slack (it writes files on the bot's host); "
    "ask one, or run `acemusic export` on the host."
)


async def export(text: str, services: CommandServices, caller: Caller) -> Reply:
    """export [preset P] [since 7d] [approved | min-score N] [to NAME] — catalogue files (admins)"""
    if not (caller.admin or caller.operator):
        return Reply(text=REFUSED, ephemeral=True, ok=False)
    selection, subfolder = parse_export(text, services.presets, datetime.now(UTC))
    folder = services.catalogue.default_folder / subfolder if subfolder else None
    try:
        result = await services.catalogue.export(selection, folder)
    except ExportError as exc:
        return Reply(text=f"Export failed: {exc}", ephemeral=True, ok=False)
    return export_reply(result)


def parse_export(
    text: str, presets: PresetLibrary, now: datetime
) -> tuple[ExportFilter, str | None]:
    """The selection and the subfolder (None: the catalogue folder itself) a text asks for."""
    words = text.split()
    values: dict[str, str] = {}
    approved = False
    index = 0
    while index < len(words):
        word = words[index].lower().removeprefix("--")
        if word == "approved":
            approved = True
            index += 1
            continue
        if word not in _OPTIONS:
            raise UsageError(
                f"'{words[index]}' is not an export option: use preset, since, approved, "
                "min-score or to",
                EXAMPLE,
            )
        if index + 1 >= len(words):
            raise UsageError(f"'{word}' needs a value, e.g. `{word} {_sample(word)}`", EXAMPLE)
        if word in values:
            raise UsageError(f"'{word}' is given twice: give it once", EXAMPLE)
        values[word] = words[index + 1]
        index += 2
    if approved and "min-score" in values:
        raise UsageError(
            "choose either `approved` (the default) or `min-score N`, not both", EXAMPLE
        )
    selection = export_filter(
        presets,
        now,
        preset=values.get("preset"),
        since=values.get("since"),
        min_score=values.get("min-score"),
    )
    return selection, _subfolder(values.get("to"))


def export_filter(
    presets: PresetLibrary,
    now: datetime,
    *,
    preset: str | None,
    since: str | None,
    min_score: str | None,
) -> ExportFilter:
    """The selection from its options as typed (UsageError for what cannot be used)."""
    return ExportFilter(
        preset_id=_preset(preset, presets),
        since=_since(since, now),
        min_score=_score(min_score),
    )


def export_reply(result: ExportResult) -> Reply:
    """The summary of an export, with catalogue.csv for the requester."""
    reasons = Counter(skip.reason for skip in result.skipped)
    fields = (
        ("Selection", result.selection),
        ("Folder", result.folder),
        ("In the manifest", str(len(result.rows))),
        ("Written now", str(len(result.written))),
        ("Unchanged", str(result.unchanged)),
        ("Skipped", ", ".join(f"{n} {reason}" for reason, n in reasons.items()) or "none"),
    )
    lines = tuple(
        f"track {skip.track_id}: {skip.reason}" + (f" ({skip.detail})" if skip.detail else "")
        for skip in result.skipped[:MAX_SKIP_LINES]
    )
    if len(result.skipped) > MAX_SKIP_LINES:
        lines += (f"… and {len(result.skipped) - MAX_SKIP_LINES} more in catalogue.json",)
    lines += (f"Manifest: {result.csv_path}, {result.json_path}",)
    summary = (
        f"Catalogue exported: {len(result.rows)} file(s), {len(result.written)} written now, "
        f"{len(result.skipped)} skipped."
    )
    return Reply(
        title="Catalogue export",
        text=summary,
        fields=fields,
        lines=lines,
        ephemeral=True,
        host_files=(result.csv_path,),
    )


def _sample(option: str) -> str:
    return {"preset": "lobby", "since": "7d", "min-score": "3", "to": "venues-december"}[option]


def _preset(name: str | None, presets: PresetLibrary) -> str | None:
    if name is None:
        return None
    found = presets.find(name)
    if found is None:
        known = ", ".join(sorted(p.id for p in presets.all()))
        raise UsageError(f"there is no preset '{name}'; the presets are: {known}", EXAMPLE)
    return found.id


def _since(text: str | None, now: datetime) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_since(text, now)
    except ValueError as exc:
        raise UsageError(str(exc), EXAMPLE) from None


def _score(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        score = float(text)
    except ValueError:
        raise UsageError(f"min-score takes a number, e.g. 3, not '{text}'", EXAMPLE) from None
    if not -100 <= score <= 100:
        raise UsageError(f"min-score {text} is out of range: give a mean score like 3", EXAMPLE)
    return score


def _subfolder(name: str | None) -> str | None:
    """A subfolder of the catalogue folder: one plain name, never a path."""
    if name is None:
        return None
    if not _SUBFOLDER.match(name) or name in {".", ".."} or Path(name).name != name:
        raise UsageError(
            f"'{name}' cannot be an export folder: give one plain name (letters, digits, . _ -), "
            "created inside the catalogue folder",
            "/music export to venues-december",
        )
    return name
