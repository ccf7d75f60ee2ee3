"""Block Kit for a batch's digest: one message, edited in place from start to summary.

Every person-made string (the batch's name, which is often an uploaded file's name; failure
reasons; the report's path) is escaped for mrkdwn in the blocks and in the notification text, so
a file called `<!channel>.csv` cannot ping anyone or forge a link.
"""

import re
from dataclasses import dataclass
from typing import Any, Final

from bot.adapters.slack.render import (
    FALLBACK_CHARS,
    PLACEHOLDER_NOTE,
    Block,
    button,
    clip,
    context,
    escape,
    field_sections,
    section,
)
from commands.messages import cost, human_duration
from domain.records import BatchRecord, BatchStatus, JobStatus
from domain.samples import SampleCounts
from storage.batches import BatchTally

BATCH_CANCEL: Final = "batch_cancel"  # button value: the batch id
BAR_CELLS: Final = 20
FAILURE_REASONS_SHOWN: Final = 3
_USER_ID: Final = re.compile(r"[UW][A-Z0-9]{2,}")
BLIND_NOTE: Final = (
    "Candidates for a blind listening test: their tracks are not posted here; "
    "`/music eval status` shows the session."
)


@dataclass(frozen=True)
class DigestState:
    """Everything a batch's digest shows, gathered by the publisher."""

    batch: BatchRecord
    tally: BatchTally
    posted: int  # tracks already in the digest's thread
    eta_s: float | None
    placeholder: bool = False
    not_posted: int = 0  # tracks Slack refused for good (their files stay in the batch folder)
    sample: SampleCounts | None = None  # a big batch posts only a listening sample

    @property
    def summary(self) -> dict[str, Any] | None:
        """The final figures, once the batch has finished."""
        found = self.batch.details.get("summary")
        return (
            found
            if isinstance(found, dict) and self.batch.status is not BatchStatus.RUNNING
            else None
        )


def digest_blocks(state: DigestState) -> list[Block]:
    """The digest: who and what, progress (or the summary), failures, notes, a Cancel button.

    A listening test's batch (`evaluation_id`) shows counts only: no tracks are posted, and no
    failure reason, track id or report path, which could name the model or a candidate."""
    batch = state.batch
    blocks = [section(f"*Batch #{batch.id} — {escape(batch.name)}*{_who(batch)}")]
    summary = state.summary
    blocks += _summary_blocks(state, summary) if summary else _progress_blocks(state)
    failures = [] if _blind(state) else _failure_lines(state.tally.failures)
    if failures:
        blocks.append(section("*Failures*\n" + "\n".join(failures)))
    skipped = batch.details.get("skipped_rows") or []
    notes = [f"{len(skipped)} manifest row(s) skipped: see the start reply"] if skipped else []
    if _blind(state):
        notes.append(BLIND_NOTE)
    elif state.sample is not None:
        blocks.append(section(_sample_text(state, state.sample)))
    if state.placeholder:
        notes.append(PLACEHOLDER_NOTE)
    if notes:
        blocks.append(context(*notes))
    if summary is None:
        cancel = button("Cancel batch", BATCH_CANCEL, str(batch.id), style="danger")
        blocks.append({"type": "actions", "block_id": f"batch-{batch.id}", "elements": [cancel]})
    return blocks


def digest_fallback(state: DigestState) -> str:
    """The digest's notification text."""
    tally = state.tally
    made = f"{tally.tracks_made} of {tally.tracks_requested} tracks"
    verdict = "finished" if state.summary else "in progress"
    name = escape(state.batch.name)
    sample = (
        f"; {state.posted} posted as a listening sample"
        if state.sample is not None and not _blind(state)
        else ""
    )
    return clip(f"Batch #{state.batch.id} ({name}): {made}, {verdict}{sample}", FALLBACK_CHARS)


def _sample_text(state: DigestState, sample: SampleCounts) -> str:
    """What a listening sample is, how far it is, and how to get more."""
    batch_id = state.batch.id
    made = state.tally.tracks_made
    coming = sample.picked - state.posted - state.not_posted
    on_the_way = f" ({coming} more on the way)" if coming > 0 else ""
    more = f"`/music batch {batch_id} sample 10` posts 10 more here"
    library = f"`/music tracks batch={batch_id}` (terminal: `acemusic tracks --batch {batch_id}`)"
    if state.summary is None:
        per = "manifest row" if state.batch.details.get("job_rows") else "preset"
        what = (
            f"only {sample.rule.per_group} track(s) per {per}, spread over the batch, are posted "
            f"here as they are made ({state.posted:,} so far{on_the_way})"
            if sample.rule.per_group
            else "no track is posted here by itself"
        )
        return (
            f"🎧 *Listening sample:* this batch is larger than {sample.rule.max_tracks:,} tracks, "
            f"so {what}. Every track is kept in the library: {library}. Once it has finished, "
            f"{more}."
        )
    return (
        f"🎧 Posted {state.posted:,} of {made:,} tracks as a listening sample{on_the_way}; the "
        f"rest are in the library: {library}. {more[0].upper()}{more[1:]}."
    )


def _blind(state: DigestState) -> bool:
    """Whether the batch makes a listening test's candidates (shown as counts only)."""
    return state.batch.evaluation_id is not None


def _who(batch: BatchRecord) -> str:
    schedule = batch.details.get("schedule_id")
    if schedule:
        return f" · schedule #{schedule}"
    who = batch.requested_by
    if not who:
        return ""
    return f" · started by <@{who}>" if _USER_ID.fullmatch(who) else f" · started by {escape(who)}"


def _progress_blocks(state: DigestState) -> list[Block]:
    tally = state.tally
    share = tally.finished_jobs / tally.jobs if tally.jobs else 1.0
    filled = round(share * BAR_CELLS)
    bar = "▓" * filled + "░" * (BAR_CELLS - filled)
    running = sum(
        n
        for s, n in tally.jobs_by_status.items()
        if s not in (JobStatus.QUEUED,) and not s.finished
    )
    eta = f" · ready in about {human_duration(state.eta_s)}" if state.eta_s else ""
    lines = [
        f"{bar} {share:.0%}",
        f"🎛 *{tally.tracks_made} of {tally.tracks_requested} tracks made*{eta}",
        f"{tally.unfinished - running} job(s) waiting · {running} on the GPU · "
        f"{tally.failed_jobs} failed"
        + ("" if _blind(state) else f" · {_posted(state)} posted in the thread")
        + _not_posted(state),
    ]
    return [section("\n".join(lines))]


def _posted(state: DigestState) -> str:
    """`3 track(s)`, or of a listening sample `3 of 2,000 track(s) (listening sample)`."""
    if state.sample is None:
        return f"{state.posted} track(s)"
    return f"{state.posted:,} of {state.tally.tracks_made:,} track(s) (listening sample)"


def _not_posted(state: DigestState) -> str:
    if not state.not_posted:
        return ""
    return (
        f" · ⚠️ {state.not_posted} could not be posted to Slack (the files are in the batch folder)"
    )


def _summary_blocks(state: DigestState, summary: dict[str, Any]) -> list[Block]:
    made, asked = summary.get("tracks_made", 0), summary.get("tracks_requested", 0)
    icon = "✅" if made == asked else "⚠️"
    fields = [
        ("Tracks", f"{made} of {asked} made ({summary.get('tracks_flagged', 0)} with warnings)"),
        ("Jobs failed", str(summary.get("jobs_failed", 0))),
        ("GPU time", _gpu_time(summary)),
        ("Cost", cost(summary.get("cost_usd"), summary.get("cost_per_track_usd"))),
        ("Took", human_duration(float(summary.get("elapsed_s") or 0))),
        ("Posted here", _posted(state) + _not_posted(state)),
    ]
    if _blind(state):
        fields.pop()  # nothing is posted
    blocks = [
        section(f"{icon} *Finished* — {made} of {asked} tracks"),
        *field_sections(tuple(fields)),
    ]
    if _blind(state):
        return blocks
    top = summary.get("top_rated") or []
    if top:
        best = ", ".join(f"track {t['track_id']} ({t['score']:+g})" for t in top)
        blocks.append(section(f"*Top-rated so far:* {best}"))
    report = summary.get("report_csv")
    if report:
        blocks.append(context(f"Report: `{escape(report)}` (and report.json beside it)"))
    return blocks


def _gpu_time(summary: dict[str, Any]) -> str:
    basis = "measured job time" if summary.get("job_seconds_measured") else "default job time"
    return f"about {human_duration(float(summary.get('gpu_seconds_estimated') or 0))} ({basis})"


def _failure_lines(failures: dict[str, int]) -> list[str]:
    ranked = sorted(failures.items(), key=lambda item: (-item[1], item[0]))
    lines = [f"• {n}× {escape(clip(reason, 300))}" for reason, n in ranked[:FAILURE_REASONS_SHOWN]]
    if len(ranked) > FAILURE_REASONS_SHOWN:
        lines.append(f"• …and {len(ranked) - FAILURE_REASONS_SHOWN} other reason(s)")
    return lines
