"""Batch plans: varied, reproducible, unique captions, spread tempos and keys, counts split into
jobs by the preset's batch size; manifests read row by row with precise complaints."""

import json

import pytest

from commands.errors import UsageError
from commands.manifests import ManifestRow, read_manifest
from commands.plans import BatchPlan, job_seed, plan_preset, plan_rows
from presets import PresetLibrary
from presets.schema import Batch, Preset

from .helpers import DEFAULTS


def plan(
    library: PresetLibrary, name: str, count: int | None, seed: int = 1, extra: str = ""
) -> BatchPlan:
    return plan_preset(name, count, presets=library, defaults=DEFAULTS, seed=seed, extra_text=extra)


def test_count_is_tracks_split_by_the_presets_batch_size(library: PresetLibrary) -> None:
    made = plan(library, "spa", 7)
    assert made.tracks == 7
    assert [job.request.variants for job in made.jobs] == [2, 2, 2, 1]
    default = plan(library, "spa", None)
    assert default.tracks == library.get("spa").batch.count  # type: ignore[union-attr]


@pytest.mark.parametrize("preset_id", ["spa", "hotel-lobby", "fitness-hiit", "tea-house"])
def test_every_caption_in_a_batch_is_different(library: PresetLibrary, preset_id: str) -> None:
    captions = [job.request.caption for job in plan(library, preset_id, 40).jobs]
    assert len(captions) == len(set(captions)) == 20


def test_every_shipped_preset_plans_twenty_varied_tracks(library: PresetLibrary) -> None:
    for preset in library:
        jobs = plan(library, preset.id, 20).jobs
        assert len({job.request.caption for job in jobs}) == len(jobs), preset.id
        assert all(job.request.preset_id == preset.id for job in jobs)


def test_same_seed_same_plan_and_another_seed_another(library: PresetLibrary) -> None:
    first, again, other = (plan(library, "cafe", 20, seed) for seed in (5, 5, 6))
    assert [j.request for j in first.jobs] == [j.request for j in again.jobs]
    assert [j.request.caption for j in first.jobs] != [j.request.caption for j in other.jobs]


def test_seeds_do_not_depend_on_python_hashing() -> None:
    assert job_seed(1, None, 0) == job_seed(1, 0, 0)
    assert len({job_seed(1, None, i) for i in range(1000)}) == 1000
    assert job_seed(7, 3, 2, 1) == 468_090_124  # fixed: the same plan on every machine


def test_random_strategy_spreads_tempo_and_key_within_the_preset(library: PresetLibrary) -> None:
    preset = library.get("hotel-lobby")
    assert preset is not None
    assert preset.batch.strategy == "random"
    jobs = plan(library, "hotel-lobby", 40).jobs
    tempos = {job.request.bpm for job in jobs}
    assert len(tempos) >= 5
    assert all(preset.tempo.min_bpm <= t <= preset.tempo.max_bpm for t in tempos if t)
    assert len({job.request.key_scale for job in jobs}) >= 2


def test_systematic_strategy_covers_the_tempo_range_and_cycles_keys(library: PresetLibrary) -> None:
    base = library.get("spa")
    assert base is not None
    systematic = replace_preset(library, base, strategy="systematic")
    jobs = plan(systematic, "spa", 20).jobs  # 10 jobs
    tempos = [job.request.bpm or 0 for job in jobs]
    assert tempos == sorted(tempos)
    assert tempos[0] - base.tempo.min_bpm <= 2
    assert base.tempo.max_bpm - tempos[-1] <= 2
    keys = [job.request.key_scale for job in jobs]
    expected = [base.key_scales[i % len(base.key_scales)] for i in range(len(jobs))]
    assert keys == expected


def test_what_the_person_says_wins_over_the_spread(library: PresetLibrary) -> None:
    base = library.get("spa")
    assert base is not None
    systematic = replace_preset(library, base, strategy="systematic")
    jobs = plan(systematic, "spa", 6, extra="90bpm in F major 10s wav piano").jobs
    assert {job.request.bpm for job in jobs} == {90}
    assert {job.request.key_scale for job in jobs} == {"F major"}
    assert {job.request.duration_s for job in jobs} == {10}
    assert {job.request.audio_format for job in jobs} == {"wav"}
    assert all(job.request.caption.startswith("piano") for job in jobs)


def test_impossible_sizes_and_unknown_presets_are_refused(library: PresetLibrary) -> None:
    with pytest.raises(UsageError, match="1 to 20000 tracks"):
        plan(library, "spa", 0)
    with pytest.raises(UsageError, match="1 to 20000 tracks"):
        plan(library, "spa", 20_001)
    with pytest.raises(UsageError, match="No preset is called 'moonbase'"):
        plan(library, "moonbase", 5)


def test_two_thousand_tracks_plan_with_unique_captions(library: PresetLibrary) -> None:
    made = plan(library, "hotel-lobby", 2000)
    assert made.tracks == 2000
    assert len({job.request.caption for job in made.jobs}) == len(made.jobs) == 1000


# --- Manifests --------------------------------------------------------------------------------


def test_csv_rows_with_spreadsheet_numbers_and_bad_rows_reported(library: PresetLibrary) -> None:
    data = (
        "\ufeffPreset,Caption,Duration,BPM,Key,Count,Tags\n"
        "spa,,3min,,,3,morning;calm\n"
        "\n"
        ",,,,,,\n"
        "cafe,acoustic guitar,90,95,D minor,1,breakfast|weekend\n"
        "spa,,,,,ten,\n"
        ",,,,,2,\n"
    ).encode()
    rows, problems = read_manifest(data, "week.csv")
    assert [row.row for row in rows] == [2, 5]
    assert rows[0] == ManifestRow(2, "spa", "", "3min", None, None, 3, ("morning", "calm"))
    assert rows[1].tags == ("breakfast", "weekend")
    assert rows[1].words() == ("acoustic guitar 90s 95bpm in D minor")
    assert [(p.row, p.message) for p in problems] == [
        (6, "count: 'ten' is not a whole number of tracks, e.g. 10"),
        (7, "give a preset or a caption (or both)"),
    ]


def test_json_manifest_in_both_shapes() -> None:
    rows = [{"preset": "spa", "count": 2}, {"caption": "bossa nova, nylon guitar", "bpm": 120}]
    for document in (rows, {"rows": rows}):
        found, problems = read_manifest(json.dumps(document).encode(), "m.json")
        assert [r.count for r in found] == [2, 1]
        assert found[1].bpm == "120"
        assert problems == []


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "m.csv", "m.csv is empty"),
        (b"preset,count\n", "m.csv", "has a header but no rows"),
        (b"preset,bmp\nspa,90\n", "m.csv", "unknown column(s) bmp"),
        (b"\xff\xfe\x00", "m.csv", "not a text file in UTF-8"),
        (b"[{", "m.json", "not valid JSON"),
        (b'{"rows": 3}', "m.json", "expected a list of rows"),
    ],
)
def test_unreadable_files_are_refused_with_an_example(data: bytes, name: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        read_manifest(data, name)
    assert message in caught.value.message
    assert caught.value.example.startswith("preset,")


def test_manifest_rows_plan_and_bad_rows_do_not_stop_the_rest(library: PresetLibrary) -> None:
    data = (
        b"preset,caption,duration,bpm,count,tags\n"
        b"spa,,10s,,3,a\n"
        b"nowhere,,10s,,1,\n"
        b"spa,,10s,500,1,\n"
        b",lofi hip hop beat,20s,85,1,b\n"
    )
    rows, problems = read_manifest(data, "m.csv")
    made = plan_rows(rows, presets=library, defaults=DEFAULTS, seed=3)
    assert problems == []
    assert [(p.row, p.message.split(":")[0]) for p in made.problems] == [
        (3, "preset"),
        (4, made.problems[1].message.split(":")[0]),
    ]
    assert "500" in made.problems[1].message
    assert made.tracks == 3 + 1
    assert [job.row for job in made.jobs] == [2, 2, 5]
    assert made.jobs[-1].request.preset_id is None
    assert made.jobs[-1].request.bpm == 85
    assert made.jobs[0].tags == ("a",)


def test_five_thousand_rows_are_read(library: PresetLibrary) -> None:
    data = "preset,duration,count\n" + "spa,10s,1\n" * 5000
    rows, problems = read_manifest(data.encode(), "big.csv")
    assert len(rows) == 5000
    assert not problems
    made = plan_rows(rows[:500], presets=library, defaults=DEFAULTS, seed=1)
    assert made.tracks == 500
    assert not made.problems


def replace_preset(library: PresetLibrary, preset: Preset, *, strategy: str) -> PresetLibrary:
    """The library with one preset's batch strategy changed."""
    changed = preset.model_copy(update={"batch": Batch(count=20, strategy=strategy)})
    return PresetLibrary([changed if p.id == changed.id else p for p in library])
