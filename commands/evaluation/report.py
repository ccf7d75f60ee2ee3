"""`eval report <session>`: the decision report of a closed listening session.

`make_report` is the one place a report is assembled and written, for every way in (the text
command, `acemusic eval report`, and the Slack process posting it in the listening thread):
- votes become `evaluation.inputs.Vote`s (ACE-Step's and the incumbent's scores through the
  pair's drawn side), pairs without a candidate (NO_CANDIDATE, BROKEN) `MissingCandidate`s, so
  they are reported, never dropped;
- cost: every job of the session's batches (all K variants) — the server's own "Total Time: X s"
  from its tracks' `generation_info` where every task of the job reported it, else submit-to-done;
  delivered tracks = the READY pairs; priced with GPU_COST_PER_HOUR beside
  INCUMBENT_COST_PER_TRACK (no GPU_COST_PER_HOUR: the cost section says so);
- report.json, report.csv (cells neutralised against spreadsheet formulas) and report.png are
  written atomically into OUTPUT_DIR/eval/<session>/.
Before the session closes the report is refused: partial scores would bias the raters.
"""

import asyncio
import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from commands.context import Caller
from commands.evaluation.sessions import find_session, only_session, refused
from commands.ports import CommandPolicy, CommandServices
from commands.replies import Reply
from domain.evaluations import (
    EvalPairRecord,
    EvalSessionRecord,
    EvalStatus,
    PairState,
    session_folder,
)
from domain.records import JobRecord, TrackRecord
from domain.spreadsheet import neutralise_cell
from evaluation import (
    CostInputs,
    EvaluationReport,
    JobTime,
    MissingCandidate,
    TimeSource,
    Verdict,
    Vote,
    ZoneFigures,
    build_report,
)
from evaluation.chart import chart_png
from storage import evaluations as evaluations_repo
from storage import tracks as tracks_repo
from storage.database import Database

EXAMPLE: Final = "/music eval report q1"
TOTAL_TIME: Final = re.compile(r"Total Time:\s*([0-9]+(?:\.[0-9]+)?)\s*s", re.IGNORECASE)
NO_GPU_PRICE: Final = "GPU_COST_PER_HOUR not set"
PLACEHOLDER_NOTE: Final = (
    "⚠️ placeholder audio: the candidates came from the built-in stand-in (simple synthesised "
    "arrangements), not from ACE-Step; these figures say nothing about ACE-Step."
)
PLACEHOLDER_CHART_NOTE: Final = (
    "PLACEHOLDER AUDIO from the built-in stand-in, not ACE-Step: these figures decide nothing"
)


@dataclass(frozen=True)
class SessionReport:
    """A closed session's decision report and what the statistics do not know about it."""

    session: EvalSessionRecord
    report: EvaluationReport
    placeholder: bool  # candidates came from the built-in stand-in
    pairs: int  # pairs listened to (READY)
    gpu_seconds: float  # every candidate job's seconds, all variants
    time_sources: dict[str, int]  # jobs per measure (also without GPU_COST_PER_HOUR)
    cost_note: str | None  # why there is no cost per track (GPU_COST_PER_HOUR not set)

    def to_json(self) -> dict[str, Any]:
        """report.json: the session, the placeholder flag, the cost note, and the report."""
        return {
            "session": self.session.name,
            "closed_at": self.session.closed_at.isoformat() if self.session.closed_at else None,
            "pairs_listened": self.pairs,
            "placeholder_audio": self.placeholder,
            "cost_note": self.cost_note,
            "gpu_seconds_total": self.gpu_seconds,
            **self.report.to_json(),
        }

    def csv_rows(self) -> list[list[str]]:
        """report.csv's rows, every cell safe for a spreadsheet."""
        return [[neutralise_cell(cell) for cell in row] for row in self.report.to_csv_rows()]

    def csv_text(self) -> str:
        """report.csv's content."""
        buffer = io.StringIO()
        csv.writer(buffer).writerows(self.csv_rows())
        return buffer.getvalue()


@dataclass(frozen=True)
class ReportFiles:
    """Where the report was written."""

    folder: Path
    json: Path
    csv: Path
    png: Path


async def assemble_report(
    db: Database, session: EvalSessionRecord, policy: CommandPolicy
) -> SessionReport:
    """The decision report of `session` from its votes, pairs and candidate jobs."""
    pairs = await evaluations_repo.list_pairs(db, session.id)
    by_id = {pair.id: pair for pair in pairs}
    votes = [
        Vote(pair.label, pair.zone, vote.rater, *pair.score_for_ace(vote.score_a, vote.score_b))
        for vote in await evaluations_repo.list_votes(db, session.id)
        if (pair := by_id.get(vote.pair_id)) is not None and pair.state is PairState.READY
    ]
    missing = [
        MissingCandidate(pair.label, pair.zone, pair.reason or _default_reason(pair))
        for pair in pairs
        if pair.state in (PairState.NO_CANDIDATE, PairState.BROKEN)
    ]
    listened = [pair for pair in pairs if pair.state is PairState.READY]
    jobs = await evaluations_repo.candidate_jobs(db, session.id)
    tracks = await tracks_repo.list_tracks(
        db, job_ids=[job.id for job in jobs], include_rejected=True, limit=None
    )
    times = [time for job in jobs if (time := job_time(job, tracks)) is not None]
    cost = None
    if policy.gpu_cost_per_hour is not None:
        cost = CostInputs(
            jobs=tuple(times),
            delivered_tracks=len(listened),
            gpu_cost_per_hour=policy.gpu_cost_per_hour,
            incumbent_cost_per_track=policy.incumbent_cost_per_track,
        )
    chosen = {pair.track_id for pair in listened}
    sources: dict[str, int] = {}
    for time in times:
        sources[time.source.value] = sources.get(time.source.value, 0) + 1
    report = await asyncio.to_thread(
        build_report,
        votes,
        missing=missing,
        cost=cost,
        zones={pair.zone for pair in listened},
    )
    return SessionReport(
        session=session,
        report=report,
        placeholder=any(t.placeholder for t in tracks if t.id in chosen),
        pairs=len(listened),
        gpu_seconds=sum(time.seconds for time in times),
        time_sources=sources,
        cost_note=None if cost is not None else NO_GPU_PRICE,
    )


def job_time(job: JobRecord, tracks: Sequence[TrackRecord]) -> JobTime | None:
    """A job's GPU seconds: the server's "Total Time" of each task it ran (every variant, kept or
    rejected), when every task reported one; else submitted → finished; None when it never ran."""
    per_task: dict[str, float | None] = {}
    for track in tracks:
        if track.job_id == job.id:
            found = TOTAL_TIME.search(track.generation_info or "")
            per_task.setdefault(track.task_id, float(found[1]) if found else None)
    if per_task and all(seconds is not None for seconds in per_task.values()):
        return JobTime(sum(s for s in per_task.values() if s is not None), TimeSource.SERVER)
    if job.submitted_at is not None and job.finished_at is not None:
        seconds = (job.finished_at - job.submitted_at).total_seconds()
        return JobTime(max(seconds, 0.0), TimeSource.SUBMIT_TO_DONE)
    return None


def _default_reason(pair: EvalPairRecord) -> str:
    return "no ACE-Step candidate" if pair.state is PairState.NO_CANDIDATE else "broken"


def report_folder(policy: CommandPolicy, session: EvalSessionRecord) -> Path:
    """OUTPUT_DIR/eval/<session>/."""
    return session_folder(policy.output_dir, session.name)


async def write_report_files(folder: Path, report: SessionReport) -> ReportFiles:
    """report.json, report.csv and report.png in `folder`, each written atomically."""
    document = json.dumps(report.to_json(), indent=2, default=str).encode()
    note = PLACEHOLDER_CHART_NOTE if report.placeholder else None
    png = await asyncio.to_thread(chart_png, report.report, note=note)
    files = ReportFiles(
        folder, folder / "report.json", folder / "report.csv", folder / "report.png"
    )
    await asyncio.to_thread(_write_atomically, files.json, document)
    await asyncio.to_thread(_write_atomically, files.csv, report.csv_text().encode())
    await asyncio.to_thread(_write_atomically, files.png, png)
    return files


def _write_atomically(dest: Path, data: bytes) -> None:
    """Readers see the old file or the whole new one, never a part."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, dest)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


async def make_report(
    services: CommandServices, session: EvalSessionRecord
) -> tuple[SessionReport, ReportFiles]:
    """Assemble a closed session's report and write its files (command, CLI and Slack alike)."""
    if session.status is not EvalStatus.CLOSED:
        raise ValueError(f"listening session {session.name} is not closed")
    report = await assemble_report(services.db, session, services.policy)
    files = await write_report_files(report_folder(services.policy, session), report)
    return report, files


async def eval_report(text: str, services: CommandServices, caller: Caller) -> Reply:
    """eval report <session> — the GO / NO-GO report of a closed session, per zone type"""
    name = only_session(text, example=EXAMPLE)
    found = await find_session(services.db, name)
    if isinstance(found, Reply):
        return found
    if found.status is not EvalStatus.CLOSED:
        return refused(
            f"Listening session '{name}' is not closed yet ({found.status}): the report comes "
            f"after `eval close {name}`, so that no rater sees scores while voting."
        )
    report, files = await make_report(services, found)
    return report_reply(report, files)


def report_reply(report: SessionReport, files: ReportFiles | None) -> Reply:
    """The report in words: verdict per zone, overall, agreement, cost, method."""
    lines = [*zone_lines(report.report), *detail_lines(report)]
    if files is not None:
        lines.append(f"Files: {files.json}, {files.csv}, {files.png}")
    overall = report.report.overall.value
    undecided = report.report.undecided_zones
    text = f"Overall: {overall}" + (f" (undecided: {', '.join(undecided)})" if undecided else "")
    if report.placeholder:
        text += " — placeholder audio"
    return Reply(
        title=f"Listening session '{report.session.name}': report", text=text, lines=tuple(lines)
    )


def zone_lines(report: EvaluationReport) -> list[str]:
    """One verdict line per zone type, then the pairs without a candidate."""
    cap = report.settings.max_more_votes
    lines = [_zone_line(zone, cap) for zone in report.zones]
    lines += [
        f"{missing.pair_id} ({missing.zone}): {missing.reason}"
        for missing in report.missing_candidates
    ]
    return lines


def more_votes_text(needed: int, cap: int) -> str:
    """ "about 12 more votes needed", or, at the estimate's cap, that votes alone will hardly
    settle it (the ratio sits on the threshold)."""
    if needed >= cap:
        return (
            f"over {cap} more votes needed: the ratio is too close to the pass mark for more "
            "votes alone to settle it"
        )
    return f"about {needed} more votes needed"


def _zone_line(zone: ZoneFigures, cap: int) -> str:
    verdict = zone.verdict.value
    if zone.verdict is Verdict.UNDECIDED and zone.more_votes_needed is not None:
        verdict += f" — {more_votes_text(zone.more_votes_needed, cap)}"
    if zone.ratio is None or zone.mean_ace is None or zone.mean_incumbent is None:
        return f"{zone.zone}: {verdict} (no votes)"
    interval = zone.ratio_interval
    ratio = f"ratio {zone.ratio:.2f}" + (
        f" [{interval.low:.2f}–{interval.high:.2f}]" if interval is not None else ""
    )
    share = zone.share_interval
    return (
        f"{zone.zone}: {verdict} — ACE-Step {zone.mean_ace:.2f} vs incumbent "
        f"{zone.mean_incumbent:.2f}, {ratio}; at least as good on {zone.pairs_at_least_as_good} "
        f"of {zone.pairs} pairs [{share.low:.2f}–{share.high:.2f}]; {zone.raters} raters, "
        f"{zone.votes} votes"
    )


def detail_lines(report: SessionReport) -> list[str]:
    """Agreement, votes per rater, cost per track, method, and the placeholder warning."""
    figures = report.report
    alpha = figures.krippendorff_alpha
    lines = [
        "Rater agreement: Krippendorff's alpha "
        + (f"{alpha:.2f}" if alpha is not None else "not defined (too few votes)"),
        "Votes per rater: " + (", ".join(f"{r.rater} {r.votes}" for r in figures.raters) or "none"),
        _cost_line(report),
        _method_line(figures),
    ]
    if report.placeholder:
        lines.append(PLACEHOLDER_NOTE)
    return lines


def _cost_line(report: SessionReport) -> str:
    sources = ", ".join(f"{n} job(s) {source}" for source, n in sorted(report.time_sources.items()))
    cost = report.report.cost
    if cost is None or cost.cost_per_track is None:
        per_track = report.gpu_seconds / report.pairs if report.pairs else None
        seconds = f"{per_track:.1f} GPU s per track" if per_track is not None else "no tracks"
        return (
            f"Cost per track: {report.cost_note or 'not known'} ({seconds}; {sources or 'no jobs'})"
        )
    ratio = f", {cost.cost_ratio:.2f}× the incumbent's" if cost.cost_ratio is not None else ""
    return (
        f"Cost per track: ${cost.cost_per_track:.4f} measured vs incumbent "
        f"${cost.incumbent_cost_per_track:.4f}{ratio} ({cost.gpu_seconds_per_track or 0:.1f} GPU s "
        f"per track at ${cost.gpu_cost_per_hour:.2f}/h; {sources})"
    )


def _method_line(report: EvaluationReport) -> str:
    settings = report.settings
    confidence = round(settings.confidence * 100)
    return (
        f"Method: ratio of mean scores (ACE-Step ÷ incumbent) with a {confidence} % two-way "
        f"bootstrap over pairs and raters ({settings.resamples} resamples, seed {settings.seed}); "
        f"share of pairs with a Wilson {confidence} % interval; GO when the whole interval is "
        f"≥ {settings.threshold:.2f}, NO-GO when it is entirely below."
    )
