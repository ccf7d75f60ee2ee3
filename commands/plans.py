"""Batch plans (pure, no I/O): N varied tracks from a preset, or the rows of a manifest, as jobs.

Every job is built by the same parser as `/music` (`parse_generation`), from a text composed for
it (`preset=spa in D minor 96bpm x2 …`), so a batch row is validated exactly like a message and
gets the same specific complaints.

Variation: each job draws its caption, tempo, key and length from the preset with its own seed,
derived from the batch seed, the row and the job's index (never Python's `hash()`), so the same
batch seed gives the same plan again. A caption already in the plan is drawn again (up to
`REDRAWS` times). With the preset's `systematic` strategy, tempos are spread evenly over its
range and keys taken in turn; with `random` the preset draws them. Whatever a person or a row
says explicitly (tempo, key, length, words) wins over both. A job makes up to the preset's
`variants_per_call` tracks at once (ACE-Step's batch size); its variants share the caption and
differ by seed.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from commands.errors import UsageError
from commands.manifests import ManifestRow, RowProblem
from commands.parsing import GenerationDefaults, ParsedGeneration, Slot, parse_generation, scan
from domain.request import GenerationRequest
from presets.library import PresetLibrary
from presets.schema import BATCH_MAX_COUNT, Preset

REDRAWS = 20
EXAMPLE = "/music batch spa x50"


@dataclass(frozen=True)
class PlannedJob:
    """One job of a batch: the request, the manifest row it came from, its tags and notes."""

    request: GenerationRequest
    row: int | None = None
    tags: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class BatchPlan:
    """The jobs a batch will run, and the manifest rows that could not be used."""

    jobs: tuple[PlannedJob, ...]
    problems: tuple[RowProblem, ...] = ()

    @property
    def tracks(self) -> int:
        """Tracks the plan makes (jobs x their variants)."""
        return sum(job.request.variants for job in self.jobs)


@dataclass
class _Planner:
    """Builds jobs one by one, keeping captions unique across the whole batch."""

    presets: PresetLibrary
    defaults: GenerationDefaults
    seed: int
    captions: set[str] = field(default_factory=set)
    jobs: list[PlannedJob] = field(default_factory=list)

    def add(
        self,
        preset: Preset | None,
        words: str,
        tracks: int,
        *,
        row: int | None = None,
        tags: tuple[str, ...] = (),
        one_job: bool = False,
    ) -> None:
        """`tracks` tracks from `preset` led by `words` (a message-like text), as jobs
        (`one_job`: all of them as variants of a single job)."""
        said = {hit.slot for hit in scan(words).hits}
        per_call = preset.engine.variants_per_call if preset else self.defaults.variants
        per_call = tracks if one_job else per_call
        sizes = [per_call] * (tracks // per_call) + (
            [tracks % per_call] if tracks % per_call else []
        )
        for index, variants in enumerate(sizes):
            spread = _spread(preset, index, len(sizes), said)
            head = f"preset={preset.id} " if preset else ""
            text = f"{head}{words} {spread} x{variants}"
            parsed = self._unique(text, row, index)
            self.jobs.append(PlannedJob(parsed.request, row, tags, parsed.notes))

    def _unique(self, text: str, row: int | None, index: int) -> ParsedGeneration:
        first: ParsedGeneration | None = None
        for attempt in range(REDRAWS + 1):
            parsed = parse_generation(
                text,
                presets=self.presets,
                defaults=self.defaults,
                rng_seed=job_seed(self.seed, row, index, attempt),
            )
            first = first or parsed
            if parsed.request.caption not in self.captions:
                self.captions.add(parsed.request.caption)
                return parsed
        assert first is not None
        note = "This caption repeats one made earlier in the batch: the preset's pools ran out."
        return ParsedGeneration(first.request, (*first.notes, note))


def job_seed(seed: int, row: int | None, index: int, attempt: int = 0) -> int:
    """A draw seed for one job, stable across runs and Python versions."""
    digest = hashlib.sha256(f"{seed}:{row or 0}:{index}:{attempt}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 2**31


def _spread(preset: Preset | None, index: int, jobs: int, said: set[Slot]) -> str:
    """Tempo and key tokens for job `index` of `jobs` under the systematic strategy."""
    if preset is None or preset.batch.strategy != "systematic":
        return ""
    tokens = []
    if Slot.TEMPO not in said:
        low, high = preset.tempo.min_bpm, preset.tempo.max_bpm
        tokens.append(f"{round(low + (high - low) * (index + 0.5) / max(jobs, 1))}bpm")
    if Slot.KEY not in said and preset.key_scales:
        tokens.append(f"in {preset.key_scales[index % len(preset.key_scales)]}")
    return " ".join(tokens)


def check_count(count: int, max_tracks: int = BATCH_MAX_COUNT) -> int:
    """A batch size people may ask for: within the preset limit and the total bound."""
    limit = min(BATCH_MAX_COUNT, max_tracks)
    if not 1 <= count <= limit:
        raise UsageError(f"A batch makes 1 to {limit} tracks (got {count}).", EXAMPLE)
    return count


def plan_preset(
    preset_name: str,
    count: int | None,
    *,
    presets: PresetLibrary,
    defaults: GenerationDefaults,
    seed: int,
    extra_text: str = "",
    max_tracks: int = BATCH_MAX_COUNT,
) -> BatchPlan:
    """`count` tracks (default: the preset's own batch size) from one preset, led by
    `extra_text` (e.g. "10s wav" or "bossa nova"); at most `max_tracks` (BATCH_MAX_TRACKS)."""
    preset = presets.find(preset_name)
    if preset is None:
        raise UsageError(
            f"No preset is called '{preset_name}'. `/music presets` lists the ones you can name.",
            EXAMPLE,
        )
    tracks = check_count(count if count is not None else preset.batch.count, max_tracks)
    planner = _Planner(presets, defaults, seed)
    planner.add(preset, extra_text, tracks)
    return BatchPlan(tuple(planner.jobs))


def plan_rows(
    rows: Sequence[ManifestRow],
    *,
    presets: PresetLibrary,
    defaults: GenerationDefaults,
    seed: int,
    one_job_per_row: bool = False,
) -> BatchPlan:
    """Every usable row as jobs; a row that cannot be made becomes a problem, the rest go on.
    `one_job_per_row`: each row is one job making its `count` tracks as variants (best of K)."""
    planner = _Planner(presets, defaults, seed)
    problems = []
    for row in rows:
        preset = presets.find(row.preset) if row.preset else None
        if row.preset and preset is None:
            problems.append(RowProblem(row.row, f"preset: no preset is called '{row.preset}'"))
            continue
        before = len(planner.jobs)
        try:
            planner.add(
                preset, row.words(), row.count, row=row.row, tags=row.tags, one_job=one_job_per_row
            )
        except UsageError as error:
            del planner.jobs[before:]
            problems.append(RowProblem(row.row, error.message))
    return BatchPlan(tuple(planner.jobs), tuple(problems))
