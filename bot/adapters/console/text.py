"""Records and replies as console text or plain JSON: no engine, no services (fast to import)."""

import re
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, Final

from domain.adherence_words import adherence_words
from domain.approvals import describe
from domain.records import TrackRecord
from domain.request import format_duration

if TYPE_CHECKING:
    from commands.replies import Reply


_MENTION: Final = re.compile(r"<@([UW][A-Z0-9]+)>")


def render(reply: "Reply") -> str:
    """A reply as console text (Slack mentions as @U123); refusals are marked so they stand out."""
    text = plain_mentions(reply.plain())
    return text if reply.ok else f"✗ {text}"


def plain_mentions(text: str) -> str:
    """Slack user mentions (`<@U123>`) as `@U123`."""
    return _MENTION.sub(r"@\1", text)


def describe_file(track: TrackRecord) -> str:
    """`outputs/…/job00003-spa-v1.mp3  3:00  mp3  2.9 MB  check: pass` (`  asked 60 BPM,
    measured 61 · asked C major, measured C major` when analysed, `  approved by @U123 on
    2026-12-05` when a decision stands)."""
    length = format_duration(track.duration_s) if track.duration_s is not None else "?:??"
    check = track.qc_verdict or "not checked"
    if track.qc_problems:
        check += f" ({'; '.join(track.qc_problems)})"
    line = (
        f"{track.file_path}  {length}  {track.audio_format}  "
        f"{track.file_size / 1_000_000:.1f} MB  check: {check}"
    )
    if measured := adherence_words(track.analysis, track.adherence):
        line += f"  {measured}"
    if track.approval is not None:
        line += "  " + plain_mentions(
            describe(track.approval, track.approval_by, track.approval_at)
        )
    return line


def track_json(track: TrackRecord) -> dict[str, Any]:
    """A track as plain JSON; `analysis` and `adherence` are null when it was not analysed, and
    an adherence also says whether the track `obeys` and which properties it `missed`."""
    fields = asdict(track)
    if track.adherence is not None:
        fields["adherence"] |= {
            "obeys": track.adherence.obeys,
            "missed": list(track.adherence.missed),
        }
    return fields
