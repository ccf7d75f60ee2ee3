"""Block Kit for everything the bot posts: command replies, job cards and track comments.

Everything stays inside Slack's limits (shared/SLACK.md §6): at most 50 blocks, section text under
3000 characters, at most 10 fields of 2000, button text 75. User text is escaped for mrkdwn.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from bot.adapters.slack.escape import escape_keeping_mentions, escape_mrkdwn
from commands.replies import Reply
from domain.adherence_words import adherence_words
from domain.records import JobRecord, JobStatus, TrackRecord
from domain.request import format_duration

Block = dict[str, Any]

MAX_BLOCKS: Final = 50
SECTION_CHARS: Final = 3000
FIELD_CHARS: Final = 2000
FIELDS_PER_SECTION: Final = 10
CONTEXT_ELEMENTS: Final = 10
FALLBACK_CHARS: Final = 3000

# action_id of every button the bot posts; the value is always a job id.
CANCEL: Final = "job_cancel"
RETRY: Final = "job_retry"
AGAIN: Final = "job_again"
MORE: Final = "job_more"
REFINE: Final = "job_refine"

PLACEHOLDER_NOTE: Final = (
    "⚠️ Placeholder audio from the built-in ACE-Step stand-in — a synthesised sketch, not AI music."
)
RATE_HINT: Final = "Rate it with a reaction: 👍 👎 🔥 ⭐ or 1️⃣–5️⃣"


escape = escape_mrkdwn  # the name render_digest and older callers use


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section(text: str) -> Block:
    """A mrkdwn section, clipped to Slack's limit."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_CHARS)}}


def context(*texts: str) -> Block:
    """A context block of up to ten mrkdwn elements."""
    elements = [{"type": "mrkdwn", "text": clip(t, SECTION_CHARS)} for t in texts if t]
    return {"type": "context", "elements": elements[:CONTEXT_ELEMENTS]}


def field_sections(fields: tuple[tuple[str, str], ...]) -> list[Block]:
    """Label/value pairs as section fields, ten per section."""
    items = [
        {"type": "mrkdwn", "text": clip(f"*{escape(label)}*\n{escape(value)}", FIELD_CHARS)}
        for label, value in fields
    ]
    return [
        {"type": "section", "fields": items[i : i + FIELDS_PER_SECTION]}
        for i in range(0, len(items), FIELDS_PER_SECTION)
    ]


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    """A button element; `value` carries the job id."""
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": clip(text, 75), "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def reply_blocks(reply: Reply) -> list[Block]:
    """A command's reply as blocks (the people it names on purpose as mentions)."""
    people = frozenset(reply.mentions)
    heading = f"*{escape_keeping_mentions(reply.title, people)}*\n" if reply.title else ""
    blocks = [
        section(heading + escape_keeping_mentions(reply.text, people)),
        *field_sections(reply.fields),
    ]
    blocks += _line_sections(reply.lines, people)
    if reply.example:
        blocks.append(context(f"Example: `{escape(reply.example)}`"))
    return _fit(blocks)


def _line_sections(lines: tuple[str, ...], people: frozenset[str] = frozenset()) -> list[Block]:
    """Lines as bullet sections, packed under the section size limit."""
    sections: list[Block] = []
    chunk = ""
    for line in lines:
        bullet = f"• {escape_keeping_mentions(line, people)}"
        if chunk and len(chunk) + len(bullet) + 1 > SECTION_CHARS:
            sections.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{bullet}" if chunk else bullet
    return [*sections, section(chunk)] if chunk else sections


def _fit(blocks: list[Block]) -> list[Block]:
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    hidden = len(blocks) - MAX_BLOCKS + 1
    return [*blocks[: MAX_BLOCKS - 1], context(f"…and {hidden} more (not shown)")]


def fallback_text(reply: Reply) -> str:
    """The notification / screen-reader text of a reply (Slack reads markup there too)."""
    return clip(escape_keeping_mentions(reply.plain(), reply.mentions), FALLBACK_CHARS)


@dataclass(frozen=True)
class CardState:
    """Everything a job's card shows, gathered by the publisher."""

    job: JobRecord
    ahead: int = 0
    wait_s: float | None = None
    tracks: int = 0
    unposted: int = 0
    placeholder: bool = False
    not_posted: int = 0  # tracks Slack kept refusing (the publisher gave up on them)
    post_error: str = ""  # the last reason Slack gave for one of them
    folder: str = ""  # where the files of those tracks are, to fetch them by hand


def card_blocks(state: CardState) -> list[Block]:
    """The status card of one job: state, what was understood, notes, buttons."""
    job = state.job
    request = job.generation
    asked = f" · asked by <@{job.requested_by}>" if job.requested_by else ""
    summary = request.summary()
    caption = summary.pop("Caption", "")
    blocks = [
        section(f"*Job #{job.id}* — {_status_line(state)}{asked}"),
        *field_sections(tuple(summary.items())),
        context(f"_{escape(clip(caption, 2900))}_"),
    ]
    notes = [escape(note) for note in job.notes[-5:]]
    if state.placeholder:
        notes.append(PLACEHOLDER_NOTE)
    if notes:
        blocks.append(context(*notes))
    actions = _card_actions(job)
    if actions:
        blocks.append({"type": "actions", "block_id": f"job-{job.id}", "elements": actions})
    return blocks


def card_fallback(state: CardState) -> str:
    """The card's notification text."""
    return clip(f"Job #{state.job.id}: {_status_line(state)}", FALLBACK_CHARS)


def rendered_hash(blocks: list[Block]) -> str:
    """A short fingerprint of blocks, to skip updates that would change nothing."""
    return hashlib.sha256(json.dumps(blocks, sort_keys=True).encode()).hexdigest()[:32]


def _status_line(state: CardState) -> str:
    return _STATUS_LINES[state.job.status](state)


def _queued_line(state: CardState) -> str:
    wait = f", ready in about {format_duration(state.wait_s)}" if state.wait_s else ""
    ahead = "next in line" if state.ahead == 0 else f"{state.ahead} job(s) ahead"
    return f"⏳ *Queued* — {ahead}{wait}"


def _running_line(state: CardState) -> str:
    job = state.job
    percent = f" {job.progress:.0%}" if job.progress else ""
    return f"🎛 *Generating*{percent}" + (f" — {escape(job.stage)}" if job.stage else "")


def _failed_line(state: CardState) -> str:
    return f"❌ *Failed* — {escape(state.job.error or 'no reason recorded')}"


def _done_line(state: CardState) -> str:
    if state.unposted:
        return f"✅ *Done* — posting {state.tracks} track(s) in the thread…"
    posted = f"✅ *Done* — {state.tracks - state.not_posted} track(s) in the thread"
    if not state.not_posted:
        return posted
    reason = escape_mrkdwn(clip(state.post_error or "no reason given", 300))
    return (
        f"{posted}, {state.not_posted} could not be posted to Slack: {reason}; "
        f"files are in `{escape_mrkdwn(state.folder)}`"
    )


_STATUS_LINES: Final[dict[JobStatus, Callable[[CardState], str]]] = {
    JobStatus.QUEUED: _queued_line,
    JobStatus.SUBMITTED: lambda _state: "📨 *Sent to the GPU* — waiting in its queue",
    JobStatus.RUNNING: _running_line,
    JobStatus.DOWNLOADING: lambda _state: "⬇️ *Checking the audio*",
    JobStatus.DONE: _done_line,
    JobStatus.FAILED: _failed_line,
    JobStatus.CANCELLED: lambda _state: "🚫 *Cancelled*",
}


def _card_actions(job: JobRecord) -> list[Block]:
    value = str(job.id)
    if job.status is JobStatus.DONE:
        return [
            button("🔁 Again", AGAIN, value),
            button("➕ 2 more variations", MORE, value),
            button("✏️ Refine…", REFINE, value),
        ]
    if job.status in (JobStatus.FAILED, JobStatus.CANCELLED):
        return [button("🔁 Retry", RETRY, value, style="primary")]
    return [button("Cancel", CANCEL, value, style="danger")]


def track_comment(track: TrackRecord, job: JobRecord) -> str:
    """The text posted with a track's audio: what it is, how it was made, how to rate it."""
    request = job.generation
    length = format_duration(track.duration_s) if track.duration_s else "?"
    metas = [length]
    measured = adherence_words(track.analysis, track.adherence)
    if not measured and track.metas.get("bpm") not in (None, "N/A"):
        metas.append(f"{track.metas['bpm']} bpm")
    if not measured and track.metas.get("keyscale") not in (None, "", "N/A"):
        metas.append(str(track.metas["keyscale"]))
    metas.append(f"{track.audio_format} · {track.file_size / 1_000_000:.1f} MB")
    check = "passed" if track.qc_verdict == "pass" else "⚠️ " + "; ".join(track.qc_problems)
    provenance = [f"audio check {check}"]
    if track.seed:
        provenance.append(f"seed {track.seed}")
    if track.dit_model:
        provenance.append(f"model {track.dit_model}")
    provenance.append(f"server {urlsplit(track.server).hostname or track.server}")
    lines = [
        f"🎵 *Track {track.id}* — job #{job.id}, take {track.variant} of {request.variants} · "
        + " · ".join(escape(m) for m in metas),
        f">{escape(clip(track.caption or request.caption, 600))}",
        *([f"🎚 {escape(measured)}"] if measured else []),
        escape(" · ".join(provenance)),
        RATE_HINT,
    ]
    if track.placeholder:
        lines.append(PLACEHOLDER_NOTE)
    return "\n".join(lines)
