"""A listening test's reference file once checked and copied in, and why one is refused.

The engine's reference store (`bot.engine.evaluations.references`) makes these; commands see them
through `commands.ports.ReferenceFiles`, so they never open audio files themselves.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Final

REFERENCE_MAX_BYTES: Final = 50 * 1024 * 1024  # one reference file, at most


class ReferenceRefused(Exception):
    """A reference file that cannot be used; the message says why, for people."""


@dataclass(frozen=True)
class StoredReference:
    """A reference file copied to `refs/<sha256>.<ext>`, and what its header says."""

    path: Path
    sha256: str
    size_bytes: int
    duration_s: float
    audio_format: str
