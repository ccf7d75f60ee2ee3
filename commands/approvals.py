"""`/music approve` and `/music reject`, the auto-approval rule, and the one place a decision
about a track is checked (`decide_tracks`, used by the commands and by the ✅ reaction alike).

Rules, for every way in:
- only approvers (SLACK_APPROVER_USERS), admins and the operator at the terminal decide
  (`Caller.may_approve`);
- a track that does not exist, or is a candidate of a listening session still open (hidden, like
  everywhere else), is "no such track";
- deciding what already stands records nothing and says so: for a command, when a command made
  that decision (an approval resting on a ✅ or on the auto rule is made firm by the command, so
  removing the ✅ or a rating no longer withdraws it); for the ✅ reaction, when that person's own
  ✅ approval stands (each approver's ✅ is a decision of its own, so removing one falls back to
  another's still standing);
- approving a track that failed its audio check needs an explicit `force`;
- the auto-approval rule of a track's preset (`approval.auto` in the preset file) approves it
  once its counted ratings reach the rule, and withdraws only its own approval when they fall
  below again; it never acts on a track a person ever decided about.
"""

import logging
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from commands.context import Caller
from commands.errors import UsageError
from commands.ports import CommandServices
from commands.replies import Reply
from domain.approvals import AUTO_USER, ApprovalRecord, ApprovalSource, Decision, describe, mention
from domain.records import TrackRecord
from storage import approvals as approvals_repo
from storage import jobs as jobs_repo
from storage import ratings as ratings_repo
from storage import tracks as tracks_repo
from storage.database import Database

log = logging.getLogger(__name__)

APPROVE_EXAMPLE: Final = "/music approve 12 13"
REJECT_EXAMPLE: Final = "/music reject 12 too busy for a lobby"
MAX_TRACKS: Final = 200  # track ids in one command
FORCE: Final = "force"
FAILED_CHECK: Final = "fail"
_ID: Final = re.compile(r"#?(\d+)")


class Outcome(StrEnum):
    """What became of one track of a decision."""

    DONE = "done"  # recorded; it is the track's decision now
    ALREADY = "already"  # that decision already stands: nothing recorded
    NO_TRACK = "no_track"  # no such track (or hidden: a listening session's candidate)
    NEEDS_FORCE = "needs_force"  # failed its audio check and `force` was not given


@dataclass(frozen=True)
class TrackDecision:
    """One track's outcome and the sentence that explains it."""

    track_id: int
    outcome: Outcome
    text: str
    record: ApprovalRecord | None = None
    named: tuple[str, ...] = ()  # people the text names (earlier deciders)


@dataclass(frozen=True)
class DecisionRequest:
    """What `approve …` / `reject …` asked for."""

    track_ids: tuple[int, ...]
    force: bool = False
    note: str | None = None


async def approve(text: str, services: CommandServices, caller: Caller) -> Reply:
    """approve <track ids> [force] [note…] — approve tracks for the catalogue (approvers only)"""
    return await _command(text, services, caller, Decision.APPROVED)


async def reject(text: str, services: CommandServices, caller: Caller) -> Reply:
    """reject <track ids> [note…] — keep tracks out of the catalogue (approvers only)"""
    return await _command(text, services, caller, Decision.REJECTED)


async def _command(
    text: str, services: CommandServices, caller: Caller, decision: Decision
) -> Reply:
    verb = "approve" if decision is Decision.APPROVED else "reject"
    asked = parse_decision(text, decision)
    if not caller.may_approve:
        return Reply(
            text=who_may_approve(services, verb),
            ephemeral=True,
            ok=False,
            mentions=approvers(services),
        )
    results = await decide_tracks(
        services.db,
        asked.track_ids,
        decision,
        user_id=caller.user_id or caller.origin,
        source=ApprovalSource.COMMAND,
        force=asked.force,
        note=asked.note,
    )
    done = sum(1 for r in results if r.outcome is Outcome.DONE)
    settled = sum(1 for r in results if r.outcome in (Outcome.DONE, Outcome.ALREADY))
    past = "Approved" if decision is Decision.APPROVED else "Rejected"
    summary = f"{past} {done} of {len(results)} track(s)."
    if asked.note:
        summary += f" Note: {asked.note}"
    return Reply(
        text=summary,
        lines=tuple(r.text for r in results),
        ephemeral=True,
        ok=settled == len(results),
        mentions=tuple(dict.fromkeys(user for r in results for user in r.named)),
    )


def parse_decision(text: str, decision: Decision) -> DecisionRequest:
    """`12 13`, `12,13`, `#12` … then, when approving, an optional `force`, then a note."""
    example = APPROVE_EXAMPLE if decision is Decision.APPROVED else REJECT_EXAMPLE
    words = text.split()
    if words and words[0].lower() in ("track", "tracks"):
        words = words[1:]
    ids: list[int] = []
    taken = 0
    for word in words:
        parts = [part for part in word.split(",") if part]
        matches = [_ID.fullmatch(part) for part in parts]
        if not parts or not all(matches):
            break
        ids += [int(m.group(1)) for m in matches if m]
        taken += 1
    if not ids:
        got = words[0] if words else "(nothing)"
        raise UsageError(f"Which tracks? '{got}' is not a track number.", example)
    unique = tuple(dict.fromkeys(ids))
    if len(unique) > MAX_TRACKS:
        raise UsageError(f"At most {MAX_TRACKS} tracks at once (got {len(unique)}).", example)
    rest = words[taken:]
    force = decision is Decision.APPROVED and bool(rest) and rest[0].lower() == FORCE
    note = " ".join(rest[1:] if force else rest).strip()
    return DecisionRequest(unique, force=force, note=note or None)


def approvers(services: CommandServices) -> tuple[str, ...]:
    """Who may approve in Slack: SLACK_APPROVER_USERS, then SLACK_ADMIN_USERS."""
    return tuple(dict.fromkeys([*services.policy.approver_users, *services.policy.admin_users]))


def who_may_approve(services: CommandServices, verb: str = "approve") -> str:
    """Why this person may not decide, and who may."""
    people = approvers(services)
    if people:
        names = ", ".join(mention(user) for user in people)
        return f"Only approvers may {verb} tracks: {names}. Ask one of them."
    return (
        f"Only approvers may {verb} tracks, and none are set (SLACK_APPROVER_USERS, "
        f"SLACK_ADMIN_USERS): for now only the bot's operator can, e.g. "
        f'`acemusic run "/music {verb} 12"`.'
    )


async def decide_tracks(
    db: Database,
    track_ids: tuple[int, ...],
    decision: Decision,
    *,
    user_id: str,
    source: ApprovalSource,
    force: bool = False,
    note: str | None = None,
) -> list[TrackDecision]:
    """Check and record one decision per track; one outcome per id, in the order given.
    Who may decide is the caller's check (`Caller.may_approve`, the reaction's approver list)."""
    found = await tracks_repo.get_tracks(db, track_ids, hide_blinded=True)
    standing = await approvals_repo.current(db, track_ids)
    if source == ApprovalSource.REACTION:  # only this person's own reaction counts as standing
        own = {
            track_id: await approvals_repo.live_decision(
                db, track_id, user_id=user_id, source=source, decision=decision
            )
            for track_id in track_ids
        }
        same = {track_id: record for track_id, record in own.items() if record is not None}
    else:  # only a command's decision: one resting on a ✅ or on ratings may yet be withdrawn
        same = {
            t: r
            for t, r in standing.items()
            if r.decision == decision and r.source == ApprovalSource.COMMAND
        }
    checked: dict[int, TrackDecision] = {}
    plain: list[int] = []
    forced: list[int] = []
    for track_id in track_ids:
        track = found.get(track_id)
        current = same.get(track_id)
        if track is None:
            checked[track_id] = TrackDecision(
                track_id, Outcome.NO_TRACK, f"There is no track {track_id}."
            )
        elif current is not None:
            text = f"Track {track_id} is already {describe(decision, current.user_id, None)}"
            text += f" (on {current.created_at.date().isoformat()}); nothing changed."
            checked[track_id] = TrackDecision(
                track_id, Outcome.ALREADY, text, named=(current.user_id,)
            )
        elif decision is Decision.APPROVED and track.qc_verdict == FAILED_CHECK:
            if force:
                forced.append(track_id)
            else:
                checked[track_id] = TrackDecision(track_id, Outcome.NEEDS_FORCE, needs_force(track))
        else:
            plain.append(track_id)
    made = await approvals_repo.decide(
        db, plain, decision, user_id=user_id, source=source, note=note
    )
    made += await approvals_repo.decide(
        db, forced, decision, user_id=user_id, source=source, forced=True, note=note
    )
    for record in made:
        before = standing.get(record.track_id)
        checked[record.track_id] = TrackDecision(
            record.track_id,
            Outcome.DONE,
            _done_text(record, before),
            record,
            named=() if before is None else (before.user_id,),
        )
    return [checked[track_id] for track_id in track_ids if track_id in checked]


def needs_force(track: TrackRecord) -> str:
    """Why a track that failed its audio check is not approved without `force`."""
    problems = "; ".join(track.qc_problems) or "see its audio check"
    return (
        f"Track {track.id} failed its audio check ({problems}): add `force` to approve it "
        f"anyway, e.g. `/music approve {track.id} force`."
    )


def _done_text(record: ApprovalRecord, before: ApprovalRecord | None) -> str:
    text = f"Track {record.track_id} {record.decision}"
    if record.forced:
        text += " although it failed its audio check (forced)"
    if before is not None:
        text += f" (was {describe(before.decision, before.user_id, before.created_at)})"
    return text + "."


async def apply_auto_rule(services: CommandServices, track_id: int) -> ApprovalRecord | None:
    """Apply the track's preset auto-approval rule after its ratings changed: approve when the
    rule holds and nothing stands; withdraw the rule's own approval when it no longer holds.
    Returns the decision made or undone, None when nothing changed."""
    db = services.db
    track = (await tracks_repo.get_tracks(db, [track_id], hide_blinded=True)).get(track_id)
    if track is None:
        return None
    job = await jobs_repo.get_job(db, track.job_id)
    preset = services.presets.get(str(job.request.get("preset_id") or "")) if job else None
    rule = preset.approval.auto if preset is not None else None
    if rule is None or await approvals_repo.decided_by_people(db, track_id):
        return None
    mean, raters = await ratings_repo.track_score(db, track_id)
    audio_ok = track.qc_verdict == "pass" or (
        rule.audio_check == "warn" and track.qc_verdict == "warn"
    )
    holds = audio_ok and raters >= rule.min_raters and mean is not None and mean >= rule.min_score
    current = (await approvals_repo.current(db, [track_id])).get(track_id)
    if holds and current is None:
        note = f"mean score {mean:g} from {raters} rater(s), audio check {track.qc_verdict}"
        [made] = await approvals_repo.decide(
            db,
            [track_id],
            Decision.APPROVED,
            user_id=AUTO_USER,
            source=ApprovalSource.AUTO,
            note=note,
        )
        log.info("track %s approved by its preset's rule (%s)", track_id, note)
        return made
    if not holds and current is not None and current.source == ApprovalSource.AUTO:
        undone = await approvals_repo.undo(
            db,
            track_id,
            user_id=AUTO_USER,
            source=ApprovalSource.AUTO,
            decision=Decision.APPROVED,
        )
        log.info("track %s: its preset's rule no longer holds; auto-approval withdrawn", track_id)
        return undone
    return None
