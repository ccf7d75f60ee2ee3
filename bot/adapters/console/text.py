"""Records and replies as console text or plain JSON: no engine, no services (fast to import)."""

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from domain.records import TrackRecord
from domain.request import format_duration

if TYPE_CHECKING:
    from commands.replies import Reply


def render(reply: "Reply") -> str:
    """A reply as console text; refusals are marked so they stand out."""
    text = reply.plain()
    return text if reply.ok else f"✗ {text}"


def describe_file(track: TrackRecord) -> str:
    """`outputs/…/job00003-spa-v1.mp3  3:00  mp3  2.9 MB  check: pass`."""
    length = format_duration(track.duration_s) if track.duration_s is not None else "?:??"
    check = track.qc_verdict or "not checked"
    if track.qc_problems:
        check += f" ({'; '.join(track.qc_problems)})"
    return (
        f"{track.file_path}  {length}  {track.audio_format}  "
        f"{track.file_size / 1_000_000:.1f} MB  check: {check}"
    )


def track_json(track: TrackRecord) -> dict[str, Any]:
    """A track as plain JSON."""
    return asdict(track)
