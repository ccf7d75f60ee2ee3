"""Caption lint: negations, avoid-words and artist names never reach ACE-Step captions."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from presets import PresetError, load_presets
from presets.lint import lint_preset, negation_in
from presets.schema import Preset

from .factory import PresetWriter

MakePreset = Callable[..., dict[str, Any]]


def _with_moods(make_preset: MakePreset, *moods: str, **changes: Any) -> Preset:
    data = make_preset(**changes)
    data["caption_pools"]["moods"] = list(moods)
    return Preset.model_validate(data)


@pytest.mark.parametrize(
    ("mood", "problem"),
    [
        ("no drums", "'no drums' is a negation"),
        ("without bass", "'without bass' is a negation"),
        ("vocal-free", "'vocal-free' is a negation"),
        ("not too busy", "is a negation"),
        ("soft vocals", "'soft vocals' contains 'vocals', which this preset lists under avoid"),
        ("a vocal hook", "contains 'vocals'"),
        ("Distorted  Guitar riff", "contains 'distorted guitar'"),
        ("Miles Davis cool", "names an artist (Miles Davis)"),
        ("chopin-like nocturne", "names an artist (chopin)"),
        ("in the style of an old master", "refers to someone's style"),
    ],
)
def test_lint_catches(make_preset: MakePreset, mood: str, problem: str) -> None:
    problems = lint_preset(_with_moods(make_preset, "warm", mood))
    assert problems
    assert all(p.startswith("caption_pools.moods[1]: ") for p in problems)
    assert any(problem in p for p in problems)


@pytest.mark.parametrize(
    "mood", ["nocturnal", "nostalgic", "carefree", "notable", "vocalese-ish warmth", "à la carte"]
)
def test_lint_leaves_ordinary_words(make_preset: MakePreset, mood: str) -> None:
    preset = _with_moods(make_preset, mood, avoid=["vocals"])
    assert lint_preset(preset) == []


def test_vocal_styles_are_linted(make_preset: MakePreset) -> None:
    data = make_preset(kind="vocal", vocal={"language": "en", "styles": ["breathy vocals"]})
    problems = lint_preset(Preset.model_validate(data))
    assert problems == [
        "vocal.styles[0]: 'breathy vocals' contains 'vocals', which this preset lists under avoid"
    ]


def test_loader_refuses_a_negation(
    write_preset: PresetWriter, preset_dir: Path, make_preset: MakePreset
) -> None:
    data = make_preset()
    data["caption_pools"]["instruments"].append("no drums")
    path = write_preset(data)
    with pytest.raises(PresetError) as caught:
        load_presets(preset_dir)
    assert str(caught.value).endswith(
        "caption_pools.instruments[4]: 'no drums' is a negation; ACE-Step has no negative "
        "prompt, so it would ask for what it names. Describe what you want instead and list "
        "unwanted words under avoid"
    )
    assert path.name in str(caught.value)


def test_loader_refuses_an_avoid_word(
    write_preset: PresetWriter, preset_dir: Path, make_preset: MakePreset
) -> None:
    data = make_preset(avoid=["drums"])
    write_preset(data)
    with pytest.raises(PresetError, match=r"instruments\[2\]: 'brushed drums' contains 'drums'"):
        load_presets(preset_dir)


def test_negation_in_quotes_the_phrase() -> None:
    assert negation_in("jazz, no drums please") == "no drums"
    assert negation_in("smooth jazz") is None
