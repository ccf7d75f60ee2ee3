"""Catalogue export: delivery files of the selected tracks and a manifest, incremental and safe.

`CatalogueExporter.export(selection, folder)`:
1. resolves the folder (created if need be) and checks it can be written;
2. takes the tracks `storage.deliveries.export_candidates` selects and skips, with the reason,
   candidates of a listening test still open, tracks an approver rejected, tracks that failed the
   audio check without an approval, and tracks whose source file is gone;
3. gives each track its catalogue title (made once, unique: `storage.deliveries.title_for`) and
   its tags, and renders its delivery file in the audio process pool — unless the file recorded
   at that path was made from the same source, settings and tags (`domain.catalogue.delivery_key`)
   and is still there at its recorded size: then nothing is written;
4. writes `catalogue.csv` (cells neutralised) and `catalogue.json`, listing the whole selection.

Every file is written under a temporary name in the folder and renamed into place, so a full disk
or a crash leaves the previous files intact and no partial ones; the export can simply be run
again. Files are written only directly inside the resolved folder, under names made from titles
(letters, digits, dashes); a symlink or folder at a file's name is refused, never followed.
Disk problems become `ExportError` with a message for people.

Exports into one folder run one at a time, across processes too (the delivery keeper of every
engine process, `/music export`, `acemusic export`): each holds an exclusive `flock` on the folder
itself from planning to the manifest, so a second export waits, then finds the first one's files
recorded and writes nothing twice, and the manifest is written by one export at a time. The lock
is the kernel's (no lock file is left behind; a process that dies releases it).
"""

import asyncio
import contextlib
import errno
import fcntl
import json
import logging
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from audiofile.atomic import write_atomically
from bot.engine.audio.delivery import DeliveredFile, file_sha256, render_delivery
from bot.engine.audio.render import RenderError
from bot.engine.audio.workers import AudioWorkers
from domain.approvals import Decision
from domain.catalogue import (
    MANIFEST_COLUMNS,
    MANIFEST_CSV,
    MANIFEST_JSON,
    DeliveryRecord,
    DeliverySpec,
    ExportError,
    ExportFilter,
    ExportResult,
    ManifestRow,
    Skipped,
    SkipReason,
    TempoKey,
    TrackTags,
    catalogue_title,
    delivery_key,
    file_name,
    tempo_and_key,
    title_base,
)
from presets.library import PresetLibrary
from presets.schema import Preset
from storage import deliveries as deliveries_repo
from storage.database import Database
from storage.deliveries import Candidate

log = logging.getLogger(__name__)

_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
_NOT_ALLOWED = {errno.EACCES, errno.EPERM, errno.EROFS}
LOCK_POLL_S = 0.1  # how often a waiting export tries the folder's lock again


@dataclass(frozen=True)
class _Planned:
    """A candidate ready to be delivered."""

    candidate: Candidate
    source: Path
    dest: Path
    tags: TrackTags
    preset: Preset | None
    music: TempoKey  # tempo and key, measured or asked


class CatalogueExporter:
    """Exports the catalogue into a folder (OUTPUT_DIR/catalogue unless told otherwise)."""

    def __init__(
        self,
        *,
        db: Database,
        presets: PresetLibrary,
        audio: AudioWorkers,
        spec: DeliverySpec,
        default_folder: Path,
        clock: Callable[[], datetime],
    ) -> None:
        self.db = db
        self.presets = presets
        self.audio = audio
        self.spec = spec
        self.default_folder = default_folder
        self.clock = clock

    async def export(self, selection: ExportFilter, folder: Path | None = None) -> ExportResult:
        """Deliver the selection into `folder`; `ExportError` when the folder cannot take it."""
        root = await asyncio.to_thread(_prepare_folder, folder or self.default_folder)
        async with folder_lock(root):
            return await self._export(selection, root)

    async def _export(self, selection: ExportFilter, root: Path) -> ExportResult:
        candidates = await deliveries_repo.export_candidates(self.db, selection)
        rows: list[ManifestRow] = []
        written: list[int] = []
        skipped: list[Skipped] = []
        for candidate in candidates:
            planned = await self._plan(candidate, root, skipped)
            if planned is None:
                continue
            row, fresh = await self._deliver(planned, skipped)
            if row is not None:
                rows.append(row)
                if fresh:
                    written.append(candidate.track.id)
        csv_path, json_path = root / MANIFEST_CSV, root / MANIFEST_JSON
        await asyncio.to_thread(
            _write_manifest,
            csv_path,
            json_path,
            rows=rows,
            skipped=skipped,
            selection=selection,
            now=self.clock(),
        )
        return ExportResult(
            folder=str(root),
            rows=tuple(rows),
            written=tuple(written),
            skipped=tuple(skipped),
            selection=selection.describe(),
            csv_path=str(csv_path),
            json_path=str(json_path),
        )

    async def _plan(
        self, candidate: Candidate, root: Path, skipped: list[Skipped]
    ) -> _Planned | None:
        track = candidate.track
        reason = _skip_reason(candidate)
        if reason is not None:
            skipped.append(Skipped(track.id, reason))
            return None
        source = Path(track.file_path)
        if not await asyncio.to_thread(source.is_file):
            skipped.append(Skipped(track.id, SkipReason.MISSING_SOURCE, str(source)))
            return None
        preset_id = candidate.job.request.get("preset_id")
        preset = self.presets.get(str(preset_id)) if preset_id else None
        base = title_base(preset.name if preset else None, track.caption)
        title = await deliveries_repo.title_for(
            self.db, track.id, lambda attempt: catalogue_title(base, track.id, attempt)
        )
        dest = root / file_name(title, self.spec.fmt)
        if not await asyncio.to_thread(_free_inside, dest, root):
            skipped.append(Skipped(track.id, SkipReason.PATH_TAKEN, dest.name))
            return None
        music = _tempo_and_key(candidate)
        tags = self._tags(candidate, title, preset, music)
        return _Planned(candidate, source, dest, tags, preset, music)

    def _tags(
        self, candidate: Candidate, title: str, preset: Preset | None, music: TempoKey
    ) -> TrackTags:
        track, job = candidate.track, candidate.job
        made = track.created_at
        return TrackTags(
            title=title,
            artist=self.spec.artist,
            album=candidate.batch_name or (preset.name if preset else "ACE Music singles"),
            genre=_genre(preset, track.caption),
            bpm=music.bpm,
            key=music.key,
            year=made.year,
            comment=f"acemusic track {track.id} (job {job.id}, variant {track.variant})",
            track_id=track.id,
        )

    async def _deliver(
        self, planned: _Planned, skipped: list[Skipped]
    ) -> tuple[ManifestRow | None, bool]:
        """The manifest row of a planned file and whether it was written now."""
        track = planned.candidate.track
        source_sha, _ = await asyncio.to_thread(file_sha256, planned.source)
        key = delivery_key(self.spec, planned.tags, source_sha)
        recorded = await deliveries_repo.delivery_at(self.db, str(planned.dest))
        if recorded is not None and await self._still_there(planned.dest, recorded, key):
            row = self._row(
                planned,
                recorded.sha256,
                recorded.integrated_lufs,
                recorded.true_peak_dbtp,
                recorded.duration_s,
            )
            return row, False
        try:
            delivered: DeliveredFile = await self.audio.run(
                render_delivery, planned.source, planned.dest, self.spec, planned.tags
            )
        except RenderError as exc:
            skipped.append(Skipped(track.id, SkipReason.UNRENDERABLE, str(exc)))
            return None, False
        except OSError as exc:
            raise disk_error(exc, planned.dest.parent) from exc
        await deliveries_repo.record_delivery(
            self.db,
            path=str(planned.dest),
            track_id=track.id,
            format=self.spec.fmt,
            settings_hash=key,
            sha256=delivered.sha256,
            size=delivered.size,
            integrated_lufs=delivered.integrated_lufs,
            true_peak_dbtp=delivered.true_peak_dbtp,
            duration_s=delivered.duration_s,
            title=planned.tags.title,
        )
        log.info("delivery file %s written (track %d)", planned.dest.name, track.id)
        row = self._row(
            planned,
            delivered.sha256,
            delivered.integrated_lufs,
            delivered.true_peak_dbtp,
            delivered.duration_s,
        )
        return row, True

    @staticmethod
    async def _still_there(dest: Path, recorded: DeliveryRecord, key: str) -> bool:
        """Whether the recorded file was made from the same inputs and is still on disk whole."""
        if recorded.settings_hash != key:
            return False
        return await asyncio.to_thread(_size_of, dest) == recorded.size

    def _row(
        self, planned: _Planned, sha256: str, lufs: float, peak: float, duration_s: float
    ) -> ManifestRow:
        candidate, tags = planned.candidate, planned.tags
        preset = planned.preset
        approval = candidate.track.approval
        return ManifestRow(
            file=planned.dest.name,
            title=tags.title,
            duration_s=duration_s,
            bpm=tags.bpm,
            key=tags.key,
            bpm_source=planned.music.bpm_source,
            key_source=planned.music.key_source,
            asked_bpm=planned.music.asked_bpm,
            asked_key=planned.music.asked_key,
            genre=tags.genre,
            preset=preset.id if preset else None,
            zone_type="/".join(preset.venue_types) if preset else None,
            loudness_lufs=lufs,
            true_peak_dbtp=peak,
            approval=approval.value if approval else None,
            ratings=candidate.ratings,
            mean_score=candidate.mean_score,
            track_id=candidate.track.id,
            sha256=sha256,
        )


def _skip_reason(candidate: Candidate) -> str | None:
    track = candidate.track
    if candidate.blinded:
        return SkipReason.HIDDEN
    if track.approval == Decision.REJECTED:
        return SkipReason.REJECTED
    if track.qc_verdict == "fail" and track.approval != Decision.APPROVED:
        return SkipReason.FAILED_CHECK
    return None


def _genre(preset: Preset | None, caption: str) -> str | None:
    """The first of the preset's genres the caption names, else the preset's first genre."""
    if preset is None:
        return None
    genres = preset.caption_pools.genres
    lowered = caption.lower()
    named = [genre for genre in genres if genre.lower() in lowered]
    return (named or list(genres))[0] if genres else None


def _tempo_and_key(candidate: Candidate) -> TempoKey:
    """Measured tempo and key when the track was analysed; asked ones (the server's report of what
    it made, else the request) beside them and in their place otherwise."""
    track, request = candidate.track, candidate.job.request
    return tempo_and_key(
        track.metas.get("bpm") or request.get("bpm"),
        track.metas.get("keyscale") or request.get("key_scale"),
        track.analysis,
        track.adherence,
    )


def _prepare_folder(folder: Path) -> Path:
    """The folder, created and resolved (symlinks followed once, here); ExportError when it
    cannot be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        root = folder.resolve(strict=True)
    except OSError as exc:
        raise disk_error(exc, folder) from exc
    if not root.is_dir():
        raise ExportError(f"{folder} is not a folder: choose another place to export to")
    if not os.access(root, os.W_OK | os.X_OK):
        raise ExportError(
            f"cannot write to {root}: permission denied. Give the bot's user write access or "
            "export somewhere else (--to DIR)"
        )
    return root


@contextlib.asynccontextmanager
async def folder_lock(root: Path) -> AsyncIterator[None]:
    """Hold an exclusive `flock` on the folder `root` (the directory itself); wait for it without
    blocking the event loop. Separate opens conflict, so this serialises exports in one process
    as well as across processes; closing the descriptor releases the lock."""
    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise disk_error(exc, root) from exc
    try:
        waiting = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waiting:
                    log.info("another export into %s is running; waiting for it", root)
                    waiting = True
                await asyncio.sleep(LOCK_POLL_S)
        yield
    finally:
        os.close(fd)


def disk_error(exc: OSError, folder: Path) -> ExportError:
    """A message for people about a failed write into `folder`."""
    if exc.errno in _DISK_FULL:
        return ExportError(
            f"the disk holding {folder} is full: free some space and run the export again "
            "(files already written are kept; nothing half-written was left)"
        )
    if exc.errno in _NOT_ALLOWED:
        return ExportError(
            f"cannot write to {folder} ({exc.strerror}): give the bot's user write access or "
            "export somewhere else"
        )
    return ExportError(f"cannot write to {folder}: {exc.strerror or exc}")


def _write_manifest(
    csv_path: Path,
    json_path: Path,
    *,
    rows: list[ManifestRow],
    skipped: list[Skipped],
    selection: ExportFilter,
    now: datetime,
) -> None:
    import csv  # noqa: PLC0415 -- only exports need it
    import io  # noqa: PLC0415

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MANIFEST_COLUMNS)
    writer.writerows(row.csv_cells() for row in rows)
    document = {
        "exported_at": now.isoformat(),
        "selection": selection.describe(),
        "files": [row.to_json() for row in rows],
        "skipped": [
            {"track_id": s.track_id, "reason": s.reason, "detail": s.detail} for s in skipped
        ],
    }
    try:
        write_atomically(csv_path, buffer.getvalue().encode())
        write_atomically(json_path, json.dumps(document, indent=2).encode())
    except OSError as exc:
        raise disk_error(exc, csv_path.parent) from exc


def _free_inside(dest: Path, root: Path) -> bool:
    """Whether `dest` may be written: directly inside `root`, and no link or folder at its name
    (a link is never followed, a folder never replaced)."""
    return not (dest.is_symlink() or dest.is_dir()) and dest.resolve().parent == root


def _size_of(path: Path) -> int | None:
    try:
        return None if path.is_symlink() else path.stat().st_size
    except OSError:
        return None
