"""Listening samples of big batches (pure, no I/O): which tracks are posted to Slack.

A batch of more than BATCH_POST_ALL_MAX tracks posts a sample instead of every track. Its jobs
are grouped — a preset batch is one group; a manifest batch has one group per manifest row (the
jobs planned from that row) — and each group gives BATCH_SAMPLE_TRACKS tracks, spread evenly over
its jobs in order. To spread them, a group's jobs are cut into equal consecutive parts, one part
per sampled track (fewer parts when the group has fewer jobs, each then giving more tracks); a
part is drawn once all its jobs have finished, so the first sampled tracks arrive while the batch
is still running. Within a part the track nearest its middle is taken, preferring tracks that
passed the audio check. When the groups would give more than the automatic sample's bound
(BATCH_POST_ALL_MAX), only as many groups as fit are sampled, spread evenly over the batch.

Everything here depends only on the batch's jobs and tracks, so a restart draws the same tracks.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Final

SAMPLE_MORE_DEFAULT: Final = 10  # `/music batch 12 sample` without a number
SAMPLE_MORE_MAX: Final = 100  # the most tracks one `/music batch 12 sample N` may post


@dataclass(frozen=True, slots=True)
class SampleRule:
    """How a batch is sampled, decided once when it starts."""

    per_group: int  # BATCH_SAMPLE_TRACKS at the start
    max_tracks: int  # BATCH_POST_ALL_MAX at the start: the automatic sample's bound


@dataclass(frozen=True, slots=True)
class Candidate:
    """A kept track that may be sampled, in the batch's order (job, then take)."""

    track_id: int
    passed: bool  # passed the audio check


@dataclass(frozen=True, slots=True)
class SampleUnit:
    """One part of a group: its jobs, and how many tracks it gives to the automatic sample."""

    key: str  # stored with each pick, e.g. "g3:p1" (group 3, part 1)
    job_ids: tuple[int, ...]
    picks: int


def spread(candidates: Sequence[Candidate], count: int) -> list[int]:
    """`count` track ids drawn evenly over `candidates` in order: the candidates are cut into
    `count` equal consecutive parts and each gives the track nearest its middle that passed the
    audio check (the middle one when none passed). All of them when there are not more."""
    if count <= 0:
        return []
    if len(candidates) <= count:
        return [candidate.track_id for candidate in candidates]
    total = len(candidates)
    chosen = []
    for index in range(count):
        part = candidates[index * total // count : (index + 1) * total // count]
        middle = (len(part) - 1) / 2
        best = min(range(len(part)), key=lambda k: (not part[k].passed, abs(k - middle), k))
        chosen.append(part[best].track_id)
    return chosen


def group_jobs(jobs: Sequence[tuple[int, Hashable]]) -> list[tuple[int, ...]]:
    """(job id, group) pairs in job order -> the job ids of each group, groups in order of their
    first job (a manifest batch's group is the row; a preset batch has one group)."""
    groups: dict[Hashable, list[int]] = {}
    for job_id, group in jobs:
        groups.setdefault(group, []).append(job_id)
    return [tuple(ids) for ids in groups.values()]


def sample_units(groups: Sequence[tuple[int, ...]], rule: SampleRule) -> list[SampleUnit]:
    """The parts the automatic sample is drawn from: for each sampled group, `per_group` tracks
    over at most `per_group` consecutive parts of its jobs."""
    per_group = rule.per_group
    if per_group <= 0 or not groups:
        return []
    fit = max(1, rule.max_tracks // per_group)
    chosen = (
        list(range(len(groups)))
        if len(groups) <= fit
        else [(2 * i + 1) * len(groups) // (2 * fit) for i in range(fit)]
    )
    units = []
    for group in chosen:
        jobs = groups[group]
        parts = min(per_group, len(jobs))
        for part in range(parts):
            ids = jobs[part * len(jobs) // parts : (part + 1) * len(jobs) // parts]
            picks = per_group // parts + (1 if part < per_group % parts else 0)
            units.append(SampleUnit(f"g{group}:p{part}", ids, picks))
    return units


@dataclass(frozen=True, slots=True)
class SampleCounts:
    """Where a sampled batch's listening sample is: what its digest shows."""

    rule: SampleRule
    picked: int  # tracks chosen for posting so far (automatic and asked for)
    asked_for: int  # of those, chosen by `/music batch N sample K`


@dataclass(frozen=True, slots=True)
class MorePicked:
    """What one `/music batch N sample K` chose."""

    track_ids: tuple[int, ...]
    left_before: int  # tracks of the batch not posted or chosen before this request
