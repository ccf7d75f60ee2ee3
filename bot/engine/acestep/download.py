"""Streaming a reply body to a file atomically, within a size limit.

The body goes to a hidden temporary file next to the destination and is renamed over it only when
complete; on any failure (including cancellation) the temporary file is removed. Disk work runs in
worker threads, batched into ~1 MiB writes.
"""

import asyncio
import os
import tempfile
import time
from pathlib import Path
from typing import Final

import httpx

from audiofile.atomic import finalize
from bot.engine.acestep.replies import CallContext

WRITE_BATCH_BYTES: Final = 1024 * 1024
PART_SUFFIX: Final = ".part"


class _PartFile:
    """A temporary file in the destination's directory; `commit` renames it over the destination."""

    def __init__(self, dest: Path) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=PART_SUFFIX)
        self.dest = dest
        self.path = Path(name)
        self._out = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        self._out.write(data)

    def commit(self) -> None:
        self._out.flush()
        os.fsync(self._out.fileno())
        self._out.close()
        finalize(self.path, self.dest)

    def discard(self) -> None:
        self._out.close()
        self.path.unlink(missing_ok=True)


async def save_stream(response: httpx.Response, dest: Path, *, limit: int, ctx: CallContext) -> int:
    """Write a streamed 200 reply's body to `dest`; returns its size in bytes.

    Raises `AceStepMalformedReply` when the body is empty, larger than `limit` (checked against
    `Content-Length` before reading and while streaming) or shorter than its `Content-Length`.
    """
    declared = declared_length(response)
    if declared is not None and declared > limit:
        raise ctx.malformed(f"file is {declared} bytes, over the {limit}-byte download limit")
    part = await asyncio.to_thread(_PartFile, dest)
    try:
        size = await _copy(response, part, limit, ctx)
        _check_complete(response, size, declared, ctx)
        await asyncio.to_thread(part.commit)
    except BaseException:
        part.discard()
        raise
    return size


async def _copy(response: httpx.Response, part: _PartFile, limit: int, ctx: CallContext) -> int:
    size = 0
    pending = bytearray()
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise ctx.malformed(f"file is larger than the {limit}-byte download limit")
        pending += chunk
        if len(pending) >= WRITE_BATCH_BYTES:
            await asyncio.to_thread(part.write, bytes(pending))
            pending.clear()
    if pending:
        await asyncio.to_thread(part.write, bytes(pending))
    return size


def _check_complete(
    response: httpx.Response, size: int, declared: int | None, ctx: CallContext
) -> None:
    if size == 0:
        raise ctx.malformed("the audio file is empty (0 bytes)")
    # Content-Length counts bytes on the wire; compare decoded size only when nothing was encoded.
    encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
    received = response.num_bytes_downloaded if encoded else size
    if declared is not None and received != declared:
        raise ctx.malformed(f"download stopped at {received} of {declared} bytes")


def remove_partials(folder: Path, *, prefix: str = "", idle_s: float = 0.0) -> int:
    """Delete the temporary files of downloads a killed process left under `folder` (recursive).

    They are hidden files named `.<destination name>.<random><PART_SUFFIX>`; `prefix` narrows
    the destination names (e.g. "job"). `idle_s`: only files nothing has written to for that
    long, when other live processes may be downloading into the same folder. Returns how many
    were removed.
    """
    written_before = time.time() - idle_s
    removed = 0
    for path in folder.rglob(f".{prefix}*{PART_SUFFIX}"):
        try:
            if path.is_file() and (idle_s <= 0 or path.stat().st_mtime < written_before):
                path.unlink()
                removed += 1
        except FileNotFoundError:  # finished or removed by its own process meanwhile
            continue
    return removed


def declared_length(response: httpx.Response) -> int | None:
    """The `Content-Length` header as an int, or None when absent or not a number."""
    value = response.headers.get("Content-Length", "").strip()
    return int(value) if value.isdigit() else None
