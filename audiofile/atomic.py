"""Finalizing finished files: a temporary file becomes the real one atomically, with normal modes.

`tempfile.mkstemp` creates files readable by their owner only (0600); tracks are shared with the
music team, so a finished file gets the mode a plainly created file would (0666 less the umask).
"""

import functools
import os
import tempfile
from pathlib import Path


@functools.cache
def _umask() -> int:
    # Reading the umask means setting it; done once, before worker threads create files.
    current = os.umask(0o022)
    os.umask(current)
    return current


def finalize(temporary: Path | str, dest: Path) -> None:
    """Give `temporary` ordinary file permissions and rename it over `dest` in one step."""
    os.chmod(temporary, 0o666 & ~_umask())
    os.replace(temporary, dest)


def write_atomically(dest: Path, data: bytes) -> None:
    """Write `data` to `dest` so readers see the old file or the whole new one, never a part."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        finalize(temporary, dest)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
