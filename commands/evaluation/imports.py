"""`eval import`: the incumbent's reference tracks into a listening-test session.

Three sources, one path:
- a folder with one sub-folder per zone type (`refs/spa/…`, `refs/hotel-lobby/…`); files right
  in the folder need a zone given (`--zone`);
- a manifest (.csv or .json) with the columns `file`, `zone` and optionally `genre`, `bpm`, `key`,
  `caption`, `source`; `file` is relative to the manifest's folder;
- files attached to a Slack mention (name and bytes), with an attached manifest naming them, or
  `zone=` for all of them.

Each file is checked (inside the given folder, symlinks resolved; at most `REFERENCE_MAX_BYTES`;
decodable audio, its length read from the file), then copied to
`OUTPUT_DIR/eval/refs/<sha256>.<ext>` atomically and recorded once per session (importing the same
content again adds nothing). A row that cannot be used is reported with what is wrong; the good
rows still import. The session is created by its first good row. File work runs in worker threads.

A reference whose row gives no tempo or key is measured (`CommandServices.references.analyse`):
what the analysis is sure of fills the gap, so candidates are made at the reference's tempo and
key without typing them, and the reply says which were measured. A value the manifest gives is
never replaced.
"""

import asyncio
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from commands.context import Caller
from commands.errors import UsageError
from commands.evaluation.args import EXAMPLE_IMPORT, resolve_zone, unknown_zone, zone_of
from commands.manifests import read_records
from commands.ports import CommandServices
from commands.replies import Reply
from domain import constants as c
from domain.analysis import TrackAnalysis
from domain.evaluations import EvalReferenceRecord, EvalSessionRecord, EvalStatus
from domain.music import MusicError, parse_key
from domain.references import ReferenceRefused
from storage import evaluations as evaluations_repo

MANIFEST_MAX_BYTES: Final = 5_000_000
MANIFEST_COLUMNS: Final = ("file", "zone", "genre", "bpm", "key", "caption", "source")
MANIFEST_EXAMPLE: Final = (
    "file,zone,genre,bpm,key,caption,source\nspa/calm-01.mp3,spa,ambient,72,D minor,,Mureka"
)
TEXT_MAX_CHARS: Final = 200  # genre, caption, source
CLOSED_TO_IMPORT: Final = frozenset({EvalStatus.LISTENING, EvalStatus.CLOSED})


@dataclass(frozen=True)
class Attachment:
    """A file handed over in memory (a Slack upload): its name and content."""

    name: str
    data: bytes


@dataclass(frozen=True)
class ImportProblem:
    """Why one row (a manifest row, a file) was not imported."""

    where: str  # "Row 3 (spa/a.mp3)", "spa/a.mp3", "a.mp3"
    message: str


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did: the references added, the rows already there, the rows refused."""

    name: str
    session: EvalSessionRecord | None  # None when nothing could be imported into a new session
    added: tuple[EvalReferenceRecord, ...] = ()
    already: tuple[str, ...] = ()  # where-labels of files the session already had
    problems: tuple[ImportProblem, ...] = ()
    measured: tuple[str, ...] = ()  # "b.wav: tempo 80 BPM and key A minor measured (none given)"


class _RowError(Exception):
    """One row cannot be imported; the message says why, for people."""


@dataclass(frozen=True)
class _Entry:
    """One file to import and what is known about it."""

    where: str
    name: str
    zone: str  # as written (id or alias)
    source: Path | bytes  # a file on disk, or content in memory
    root: Path | None = None  # a path must stay inside this folder
    meta: dict[str, str] = field(default_factory=dict)  # genre, bpm, key, caption, source


async def import_from_path(
    services: CommandServices,
    caller: Caller,
    session: str,
    path: Path,
    *,
    zone: str | None = None,
) -> ImportOutcome:
    """Import a folder (one sub-folder per zone; `zone` for files right in it) or a manifest
    (.csv/.json; `zone` for rows that name none) into the session called `session`."""
    default_zone = resolve_zone(services.presets, zone, EXAMPLE_IMPORT) if zone else None
    await _check_open(services, session)
    if await asyncio.to_thread(path.is_dir):
        entries, problems = await asyncio.to_thread(_folder_entries, path, default_zone)
    elif path.suffix.lower() in (".csv", ".json", ".tsv"):
        data = await asyncio.to_thread(_read_manifest_file, path)
        entries, problems = await asyncio.to_thread(
            _manifest_entries, data, path.name, root=path.parent, default_zone=default_zone
        )
    elif await asyncio.to_thread(path.exists):
        raise UsageError(
            f"{path} is neither a folder nor a .csv/.json manifest.",
            "acemusic eval import q1 refs/   (refs/spa/…, refs/hotel-lobby/…)",
        )
    else:
        raise UsageError(f"{path} does not exist.", "acemusic eval import q1 refs/")
    return await _import(services, caller, session, entries, problems)


async def import_attachments(
    services: CommandServices,
    caller: Caller,
    session: str,
    files: Sequence[Attachment],
    *,
    manifest: Attachment | None = None,
    zone: str | None = None,
) -> ImportOutcome:
    """Import files handed over in memory: the manifest's `file` column names them (by file
    name); files it does not name, or all of them without a manifest, take `zone`."""
    default_zone = resolve_zone(services.presets, zone, EXAMPLE_IMPORT) if zone else None
    await _check_open(services, session)
    if not files:
        raise UsageError("Attach the reference audio files to the message.", EXAMPLE_IMPORT)
    if manifest is None and default_zone is None:
        raise UsageError(
            "Say which zone the attached files are for (zone=spa), or attach a manifest "
            "(.csv or .json with the columns file and zone).",
            EXAMPLE_IMPORT,
        )
    by_name = {attachment.name: attachment for attachment in files}
    entries: list[_Entry] = []
    problems: list[ImportProblem] = []
    named: set[str] = set()
    if manifest is not None:
        if len(manifest.data) > MANIFEST_MAX_BYTES:
            raise UsageError(f"{manifest.name} is larger than 5 MB.", MANIFEST_EXAMPLE)
        entries, problems = await asyncio.to_thread(
            _manifest_entries,
            manifest.data,
            manifest.name,
            root=None,
            default_zone=default_zone,
            attached=by_name,
        )
        named = await asyncio.to_thread(_named_files, manifest)
    for attachment in files:
        if attachment.name in named:
            continue
        if default_zone is None:
            message = "not named in the manifest; give zone= for files without a row"
            problems.append(ImportProblem(attachment.name, message))
            continue
        entries.append(_Entry(attachment.name, attachment.name, default_zone, attachment.data))
    return await _import(services, caller, session, entries, problems)


async def _check_open(services: CommandServices, name: str) -> None:
    session = await evaluations_repo.get_session(services.db, name)
    if session is not None and session.status in CLOSED_TO_IMPORT:
        raise UsageError(
            f"Session {name} is {session.status.value}: references can only be added before "
            "listening starts. Import into a new session.",
            EXAMPLE_IMPORT,
        )


async def _import(
    services: CommandServices,
    caller: Caller,
    name: str,
    entries: Sequence[_Entry],
    problems: Sequence[ImportProblem],
) -> ImportOutcome:
    session = await evaluations_repo.get_session(services.db, name)
    added: list[EvalReferenceRecord] = []
    already: list[str] = []
    measured: list[str] = []
    refused = list(problems)
    for entry in entries:
        try:
            reference = _reference_fields(services, entry)
            stored = await services.references.store(entry.source, name=entry.name, root=entry.root)
        except (_RowError, ReferenceRefused) as exc:
            refused.append(ImportProblem(entry.where, str(exc)))
            continue
        if reference["bpm"] is None or reference["key"] is None:
            found = measured_fields(await services.references.analyse(stored.path), reference)
            if found:
                reference |= found
                measured.append(f"{entry.where}: {_measured_words(found)} measured (none given)")
        if session is None:
            session, _ = await evaluations_repo.get_or_create_session(
                services.db,
                name,
                origin=caller.origin,
                owner=caller.user_id,
                seed=secrets.randbelow(2**31),
            )
        record, created = await evaluations_repo.add_reference(
            services.db,
            session.id,
            **reference,
            file_path=str(stored.path),
            sha256=stored.sha256,
            size_bytes=stored.size_bytes,
            duration_s=stored.duration_s,
            audio_format=stored.audio_format,
        )
        if created:
            added.append(record)
        else:
            already.append(entry.where)
    return ImportOutcome(
        name, session, tuple(added), tuple(already), tuple(refused), tuple(measured)
    )


def measured_fields(analysis: TrackAnalysis | None, given: dict[str, Any]) -> dict[str, Any]:
    """The tempo and key the manifest left out, as measured when the analysis is sure of them
    (a tempo outside BPM_MIN..BPM_MAX is left out too); {} when nothing was measured."""
    if analysis is None:
        return {}
    found: dict[str, Any] = {}
    tempo = analysis.sure_tempo
    if given.get("bpm") is None and tempo is not None and c.BPM_MIN <= round(tempo) <= c.BPM_MAX:
        found["bpm"] = round(tempo)
    if given.get("key") is None and analysis.sure_key is not None:
        found["key"] = analysis.sure_key
    return found


def _measured_words(found: dict[str, Any]) -> str:
    """ "tempo 80 BPM and key A minor"."""
    parts = [f"tempo {found['bpm']} BPM"] if "bpm" in found else []
    parts += [f"key {found['key']}"] if "key" in found else []
    return " and ".join(parts)


def _reference_fields(services: CommandServices, entry: _Entry) -> dict[str, Any]:
    """The row's zone and optional fields, checked; `_RowError` when one is wrong."""
    zone = zone_of(services.presets, entry.zone) if entry.zone else None
    if zone is None:
        raise _RowError(unknown_zone(services.presets, entry.zone or "(none)"))
    meta = entry.meta
    for column in ("genre", "caption", "source"):
        if len(meta.get(column, "")) > TEXT_MAX_CHARS:
            raise _RowError(f"{column}: longer than {TEXT_MAX_CHARS} characters")
    return {
        "zone": zone,
        "original_name": entry.name,
        "genre": meta.get("genre") or None,
        "bpm": _bpm(meta.get("bpm", "")),
        "key": _key(meta.get("key", "")),
        "caption": meta.get("caption") or None,
        "source": meta.get("source") or None,
    }


def _bpm(text: str) -> int | None:
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise _RowError(f"bpm: '{text}' is not a number of beats per minute, e.g. 96") from None
    if not number.is_integer() or not c.BPM_MIN <= number <= c.BPM_MAX:
        raise _RowError(f"bpm: must be a whole number from {c.BPM_MIN} to {c.BPM_MAX} (got {text})")
    return int(number)


def _key(text: str) -> str | None:
    if not text:
        return None
    try:
        return parse_key(text)
    except MusicError as exc:
        raise _RowError(f"key: {exc}") from None


# --- Finding the rows (worker threads) ---


def _folder_entries(folder: Path, zone: str | None) -> tuple[list[_Entry], list[ImportProblem]]:
    """Every file of a folder: those in a sub-folder take its name as zone, the rest `zone`."""
    root = folder.resolve()
    entries: list[_Entry] = []
    problems: list[ImportProblem] = []
    for child in sorted(folder.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir():
            for path in _files_under(child):
                where = path.relative_to(folder).as_posix()
                entries.append(_Entry(where, path.name, child.name, path, root))
        elif zone is None:
            problems.append(
                ImportProblem(child.name, "not in a zone sub-folder (e.g. spa/); or give --zone")
            )
        else:
            entries.append(_Entry(child.name, child.name, zone, child, root))
    if not entries and not problems:
        raise UsageError(
            f"{folder} holds no files. Put the references in one sub-folder per zone "
            "(refs/spa/…, refs/hotel-lobby/…).",
            "acemusic eval import q1 refs/",
        )
    return entries, problems


def _files_under(folder: Path) -> list[Path]:
    found = []
    for top, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(top) / name for name in sorted(names) if not name.startswith(".")]
    return found


def _read_manifest_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UsageError(
            f"{path} cannot be read ({exc.strerror or exc}).", MANIFEST_EXAMPLE
        ) from None
    if size > MANIFEST_MAX_BYTES:
        raise UsageError(f"{path.name} is larger than 5 MB: not a manifest?", MANIFEST_EXAMPLE)
    return path.read_bytes()


def _manifest_entries(
    data: bytes,
    filename: str,
    *,
    root: Path | None,
    default_zone: str | None,
    attached: dict[str, Attachment] | None = None,
) -> tuple[list[_Entry], list[ImportProblem]]:
    """The rows of a manifest as entries: paths under `root`, or `attached` files by name."""
    records = read_records(data, filename, columns=MANIFEST_COLUMNS, example=MANIFEST_EXAMPLE)
    entries: list[_Entry] = []
    problems: list[ImportProblem] = []
    for number, record in records:
        if "__bad__" in record:
            problems.append(
                ImportProblem(f"Row {number}", "a row must be an object with file and zone")
            )
            continue
        values = {name: _text(record.get(name)) for name in MANIFEST_COLUMNS}
        file, where = values["file"], f"Row {number}"
        if not file:
            problems.append(ImportProblem(where, "file: empty; name the audio file"))
            continue
        where = f"Row {number} ({file})"
        zone = values["zone"] or default_zone
        if not zone:
            problems.append(ImportProblem(where, "zone: empty; name the zone type, e.g. spa"))
            continue
        meta = {k: v for k, v in values.items() if k not in ("file", "zone") and v}
        if attached is not None:
            found = attached.get(file) or attached.get(Path(file).name)
            if found is None:
                problems.append(ImportProblem(where, f"no attached file is called {file}"))
                continue
            entries.append(_Entry(where, found.name, zone, found.data, None, meta))
            continue
        assert root is not None
        entries.append(_Entry(where, Path(file).name, zone, root / file, root.resolve(), meta))
    return entries, problems


def _named_files(manifest: Attachment) -> set[str]:
    """The file names a (readable) manifest's rows mention, rows with problems included."""
    records = read_records(
        manifest.data, manifest.name, columns=MANIFEST_COLUMNS, example=MANIFEST_EXAMPLE
    )
    files = (_text(record.get("file")) for _, record in records if "__bad__" not in record)
    return {Path(file).name for file in files if file}


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


# --- The reply ---


def import_reply(outcome: ImportOutcome) -> Reply:
    """What an import did, for people: counts per zone, rows already there, rows refused."""
    lines: list[str] = []
    zones: dict[str, int] = {}
    for reference in outcome.added:
        zones[reference.zone] = zones.get(reference.zone, 0) + 1
    if zones:
        lines.append(
            "Added: " + ", ".join(f"{zone} {count}" for zone, count in sorted(zones.items()))
        )
    lines += list(outcome.measured)
    lines += [f"{where}: already imported" for where in outcome.already]
    lines += [f"{problem.where}: {problem.message}" for problem in outcome.problems]
    imported = len(outcome.added)
    text = (
        f"Session {outcome.name}: {imported} reference(s) imported"
        + (f", {len(outcome.already)} already imported" if outcome.already else "")
        + (f", {len(outcome.problems)} refused" if outcome.problems else "")
        + "."
    )
    if outcome.session is not None and imported:
        text += f" Next: `/music eval prepare {outcome.name}`."
    ok = bool(imported or outcome.already)
    return Reply(text=text, lines=tuple(lines), ok=ok, ephemeral=not ok)
