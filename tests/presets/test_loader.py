"""Loading preset files: the shipped library, and precise errors for broken files."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from domain.constants import DURATION_MAX_S, DURATION_MIN_S
from domain.music import parse_key
from presets import PresetError, load_preset_file, load_presets
from presets.loader import DATA_DIR

from .factory import PresetWriter, valid_preset

MakePreset = Callable[..., dict[str, Any]]
SHIPPED = {"hotel-lobby", "restaurant-dinner", "cafe", "spa", "fashion-retail", "quick-service"}


def test_every_shipped_preset_loads() -> None:
    library = load_presets()
    assert {preset.id for preset in library.all()} >= SHIPPED
    assert len(library) == len(list(DATA_DIR.glob("*.yaml")))


@pytest.mark.parametrize("path", sorted(DATA_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_preset_is_sound(path: Path) -> None:
    preset = load_preset_file(path)
    assert preset.id == path.stem
    assert preset.instrumental
    assert DURATION_MIN_S <= preset.duration_s.min <= preset.duration_s.max <= DURATION_MAX_S
    assert all(parse_key(key) == key for key in preset.key_scales)
    assert preset.aliases, "people need words to name it"
    assert preset.output.title_prefix


def test_valid_file_loads_with_canonical_values(
    write_preset: PresetWriter, preset_dir: Path
) -> None:
    write_preset(
        {
            **_valid(),
            "time_signature": "3/4",
            "key_scales": ["f#m", "Bb"],
            "aliases": ["Test  LOBBY"],
        }
    )
    preset = load_presets(preset_dir).get("test-lobby")
    assert preset is not None
    assert preset.time_signature == "3"
    assert preset.key_scales == ("F# minor", "Bb major")
    assert preset.aliases == ("test lobby",)


def test_an_auto_approval_rule_loads_and_is_off_by_default(
    write_preset: PresetWriter, preset_dir: Path
) -> None:
    write_preset(_valid(approval={"auto": {"min_score": 3, "min_raters": 2}}))
    preset = load_presets(preset_dir).get("test-lobby")
    assert preset is not None
    assert preset.approval.auto is not None
    rule = preset.approval.auto
    assert (rule.min_score, rule.min_raters, rule.audio_check) == (3.0, 2, "pass")
    assert all(shipped.approval.auto is None for shipped in load_presets().all())


def _valid(**changes: Any) -> dict[str, Any]:
    return valid_preset(**changes)


def _error(preset_dir: Path) -> str:
    with pytest.raises(PresetError) as caught:
        load_presets(preset_dir)
    return str(caught.value)


BROKEN: list[tuple[str, dict[str, Any], str]] = [
    (
        "tempo too low",
        {"tempo": {"min_bpm": 12, "max_bpm": 80}},
        "tempo.min_bpm: must be at least 30 (got 12)",
    ),
    (
        "tempo reversed",
        {"tempo": {"min_bpm": 90, "max_bpm": 80}},
        "tempo: min_bpm (90) is above max_bpm (80)",
    ),
    (
        "duration too long",
        {"duration_s": {"min": 180, "max": 900}},
        "duration_s.max: must be at most 600 (got 900)",
    ),
    (
        "typo in a field",
        {"tempo": {"min_bpm": 60, "max_bmp": 80}},
        "tempo.max_bmp: unknown field 'max_bmp'; did you mean 'max_bpm'?",
    ),
    ("unknown top-level field", {"colour": "blue"}, "colour: unknown field 'colour'"),
    ("missing field", {"tempo": None}, "tempo: required field is missing"),
    (
        "bad key",
        {"key_scales": ["C major", "H minor"]},
        "key_scales[1]: 'H minor' is not a key I know",
    ),
    ("duplicate key", {"key_scales": ["C major", "c"]}, "key_scales: lists the same key twice"),
    (
        "bad time signature",
        {"time_signature": "5/4"},
        "time_signature: ACE-Step cannot do a 5/4 metre",
    ),
    ("bad family", {"family": "polka"}, "family: must be one of"),
    ("bad venue", {"venue_types": ["hotel", "casino"]}, "venue_types[1]: must be one of"),
    ("bad slug", {"id": "Test Lobby"}, "id: must be a slug"),
    (
        "variants",
        {"engine": {"variants_per_call": 9}},
        "engine.variants_per_call: must be at most 8 (got 9)",
    ),
    (
        "energy",
        {"output": {**_valid()["output"], "energy": 11}},
        "output.energy: must be at most 10 (got 11)",
    ),
    (
        "format",
        {"output": {**_valid()["output"], "format": "ogg"}},
        "output.format: must be one of",
    ),
    (
        "pick > pool",
        {"instrument_pick": {"min": 2, "max": 5}},
        "instrument_pick.max: must be at most 4, the number of caption_pools.instruments (got 5)",
    ),
    (
        "comma in tag",
        {"caption_pools": {**_valid()["caption_pools"], "moods": ["warm, elegant"]}},
        "caption_pools.moods[0]: one tag per item",
    ),
    (
        "repeat in pool",
        {"caption_pools": {**_valid()["caption_pools"], "moods": ["warm", "Warm"]}},
        "caption_pools: moods: lists 'Warm' twice",
    ),
    (
        "empty pool",
        {"caption_pools": {**_valid()["caption_pools"], "genres": []}},
        "caption_pools.genres: needs at least 1 item(s)",
    ),
    ("vocal without section", {"kind": "vocal"}, "vocal: a vocal preset needs a vocal section"),
    (
        "vocal language",
        {"kind": "vocal", "vocal": {"language": "xx", "styles": ["soft female vocals"]}},
        "vocal.language: 'xx' is not a language code",
    ),
    (
        "bad daypart time",
        {"dayparts": [{"label": "late", "start": "25:00", "end": "02:00"}]},
        "dayparts[0].start: must be a 24-hour time HH:MM",
    ),
    ("number not text", {"aliases": [2024]}, "aliases[0]: must be text (got 2024)"),
    ("not a list", {"avoid": "vocals"}, "avoid: must be a list"),
    (
        "approval rule without a score",
        {"approval": {"auto": {"min_raters": 2}}},
        "approval.auto.min_score: required field is missing",
    ),
    (
        "approval rule raters",
        {"approval": {"auto": {"min_score": 3, "min_raters": 0}}},
        "approval.auto.min_raters: must be at least 1 (got 0)",
    ),
    (
        "approval rule audio check",
        {"approval": {"auto": {"min_score": 3, "audio_check": "fail"}}},
        "approval.auto.audio_check:",
    ),
    (
        "approval rule typo",
        {"approval": {"auto": {"min_score": 3, "min_rater": 2}}},
        "approval.auto.min_rater:",
    ),
    (
        "title prefix",
        {"output": {**_valid()["output"], "title_prefix": "hotel"}},
        "output.title_prefix: must be 1-8 capital letters",
    ),
]


@pytest.mark.parametrize(
    ("change", "expected"), [row[1:] for row in BROKEN], ids=[r[0] for r in BROKEN]
)
def test_broken_file_names_file_field_and_problem(
    write_preset: PresetWriter, preset_dir: Path, change: dict[str, Any], expected: str
) -> None:
    path = write_preset(_valid(**change), name="test-lobby")
    message = _error(preset_dir)
    assert str(path) in message or path.name in message
    assert expected in message


def test_message_starts_with_the_file(write_preset: PresetWriter, preset_dir: Path) -> None:
    path = write_preset(_valid(tempo={"min_bpm": 12, "max_bpm": 80}))
    message = _error(preset_dir)
    assert message == f"{path}: tempo.min_bpm: must be at least 30 (got 12)"


def test_every_problem_is_listed(write_preset: PresetWriter, preset_dir: Path) -> None:
    write_preset(_valid(tempo={"min_bpm": 12, "max_bpm": 80}, colour="blue"))
    with pytest.raises(PresetError) as caught:
        load_presets(preset_dir)
    assert len(caught.value.problems) == 2


def test_unquoted_time_gets_a_hint(write_preset: PresetWriter, preset_dir: Path) -> None:
    text = Path(write_preset(_valid())).read_text()
    assert "start: 06:30" in text
    write_preset(text.replace("start: 06:30", "start: 10:30"), name="test-lobby")
    assert 'dayparts[0].start: write times in quotes, e.g. "10:30"' in _error(preset_dir)


def test_duplicate_yaml_key_is_an_error(write_preset: PresetWriter, preset_dir: Path) -> None:
    text = Path(write_preset(_valid())).read_text() + "version: 2\n"
    write_preset(text, name="test-lobby")
    assert "not valid YAML: line" in _error(preset_dir)
    assert "'version' is written twice" in _error(preset_dir)


def test_invalid_yaml_names_line(write_preset: PresetWriter, preset_dir: Path) -> None:
    write_preset("id: test\ntempo: {min_bpm: 60\n", name="broken")
    message = _error(preset_dir)
    assert "broken.yaml: not valid YAML: line" in message


def test_file_must_hold_a_mapping(write_preset: PresetWriter, preset_dir: Path) -> None:
    write_preset("- just\n- a list\n", name="listy")
    assert "listy.yaml: must hold one preset" in _error(preset_dir)


def test_id_must_match_file_name(write_preset: PresetWriter, preset_dir: Path) -> None:
    write_preset(_valid(), name="other-name")
    assert "other-name.yaml: id: must match the file name 'other-name' (got 'test-lobby')" in (
        _error(preset_dir)
    )


def test_duplicate_alias_names_both_files(write_preset: PresetWriter, preset_dir: Path) -> None:
    first = write_preset(_valid())
    second = write_preset(_valid(id="second-lobby", aliases=["lobbyish", "Testing"]))
    message = _error(preset_dir)
    assert "alias 'testing' is used by both" in message
    assert str(first) in message or first.name in message
    assert second.name in message


def test_alias_equal_to_another_preset_id(write_preset: PresetWriter, preset_dir: Path) -> None:
    write_preset(_valid())
    write_preset(_valid(id="second-lobby", aliases=["test-lobby"]))
    assert "alias 'test lobby' is used by both" in _error(preset_dir)


def test_empty_and_missing_folders(tmp_path: Path) -> None:
    with pytest.raises(PresetError, match="no preset files"):
        load_presets(tmp_path)
    with pytest.raises(PresetError, match="preset folder not found"):
        load_presets(tmp_path / "nowhere")
