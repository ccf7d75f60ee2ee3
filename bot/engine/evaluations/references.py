"""Reference files of listening tests: checked, then copied under their content hash.

`ReferenceFiles.store` takes a file on disk (which must stay inside a given folder, symlinks
resolved) or content in memory, refuses what is over `REFERENCE_MAX_BYTES` or not decodable audio,
and copies it to `<folder>/<sha256>.<ext>` atomically (a temporary file, synced, renamed). The same
content stored twice is one file. Work runs in a worker thread.

`ReferenceFiles.analyse` measures a stored reference's tempo and key with the `ReferenceAnalyser`
it was given (`bot.engine.audio.analysis.analyse_file`, run in the audio process pool: both wired
in `bot.services`), so an import whose manifest gives no tempo or key still matches candidates to
the reference (issue 13).
"""

import asyncio
import hashlib
import logging
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Final

from audiofile.atomic import finalize
from audiofile.codec import AudioDecodeError, AudioInfo, probe_audio
from domain.analysis import TrackAnalysis
from domain.references import REFERENCE_MAX_BYTES, ReferenceRefused, StoredReference

log = logging.getLogger(__name__)

KNOWN_FORMATS: Final = frozenset({"mp3", "wav", "flac"})

ReferenceAnalyser = Callable[[Path], TrackAnalysis]  # synchronous and CPU-bound
# Runs an analyser off the event loop: the audio process pool in the bot; a thread by default.
AnalyserRunner = Callable[[ReferenceAnalyser, Path], Awaitable[TrackAnalysis]]


class ReferenceFiles:
    """The folder references are copied into (OUTPUT_DIR/eval/refs), and how they are measured."""

    def __init__(
        self,
        folder: Path,
        analyser: ReferenceAnalyser | None = None,
        run: AnalyserRunner | None = None,
    ) -> None:
        self.folder = folder
        self.analyser = analyser
        self._run = run

    async def store(
        self, source: Path | bytes, *, name: str, root: Path | None = None
    ) -> StoredReference:
        """Check a reference and copy it in; `ReferenceRefused` says why one cannot be used."""
        return await asyncio.to_thread(store_reference, self.folder, source, name=name, root=root)

    async def analyse(self, path: Path) -> TrackAnalysis | None:
        """The stored reference's tempo and key as measured; None without an analyser, or when
        it fails (logged: a reference is still usable with its tempo and key unknown)."""
        if self.analyser is None:
            return None
        try:
            if self._run is not None:
                return await self._run(self.analyser, path)
            return await asyncio.to_thread(self.analyser, path)
        except Exception:
            log.warning("could not analyse reference %s", path.name, exc_info=True)
            return None


def store_reference(
    folder: Path, source: Path | bytes, *, name: str, root: Path | None = None
) -> StoredReference:
    """`ReferenceFiles.store`, synchronously."""
    data = _load(source, root)
    digest = hashlib.sha256(data).hexdigest()
    folder.mkdir(parents=True, exist_ok=True)
    for existing in sorted(folder.glob(f"{digest}.*")):
        try:
            return _stored(existing, digest, len(data), _probe(existing, name))
        except ReferenceRefused:
            existing.unlink(missing_ok=True)  # a damaged copy: written again below
    suffix = Path(name).suffix.lower()
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{digest}.", suffix=suffix)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        info = _probe(Path(temporary), name)
        extension = info.format if info.format in KNOWN_FORMATS else suffix.lstrip(".") or "audio"
        dest = folder / f"{digest}.{extension}"
        finalize(temporary, dest)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return _stored(dest, digest, len(data), info)


def _stored(path: Path, digest: str, size: int, info: AudioInfo) -> StoredReference:
    return StoredReference(path, digest, size, round(info.duration_s, 3), path.suffix.lstrip("."))


def _load(source: Path | bytes, root: Path | None) -> bytes:
    if isinstance(source, bytes):
        if len(source) > REFERENCE_MAX_BYTES:
            raise ReferenceRefused(_too_large(len(source)))
        return source
    path = source
    if root is not None:
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise ReferenceRefused("file not found") from None
        if not real.is_relative_to(root.resolve()):
            raise ReferenceRefused(
                "the path leads outside the given folder; only files inside it are read"
            )
        path = real
    try:
        size = path.stat().st_size
    except OSError:
        raise ReferenceRefused("file not found") from None
    if not path.is_file():
        raise ReferenceRefused("not a file")
    if size > REFERENCE_MAX_BYTES:
        raise ReferenceRefused(_too_large(size))
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ReferenceRefused(f"cannot be read ({exc.strerror or exc})") from None


def _too_large(size: int) -> str:
    limit = REFERENCE_MAX_BYTES // (1024 * 1024)
    return f"{size / (1024 * 1024):.1f} MB; a reference is at most {limit} MB"


def _probe(path: Path, name: str) -> AudioInfo:
    try:
        info = probe_audio(path)
    except AudioDecodeError as exc:
        message = str(exc).replace(path.name, name, 1)
        raise ReferenceRefused(f"undecodable audio: {message}") from None
    if info.frames <= 0:
        raise ReferenceRefused("the file holds no audio")
    return info
