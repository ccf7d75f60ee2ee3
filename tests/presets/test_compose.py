"""Caption composition and value picks: deterministic per rng, varied across seeds."""

import random
from collections.abc import Callable
from typing import Any

import pytest

from domain.constants import CAPTION_MAX_CHARS
from presets import (
    PresetLibrary,
    compose_caption,
    join_tags,
    load_presets,
    pick_duration,
    pick_key,
    pick_tempo,
)
from presets.lint import negation_in
from presets.schema import Preset

MakePreset = Callable[..., dict[str, Any]]


@pytest.fixture(scope="module")
def library() -> PresetLibrary:
    return load_presets()


def _presets() -> list[Preset]:
    return list(load_presets().all())


@pytest.mark.parametrize("preset", _presets(), ids=lambda p: p.id)
def test_captions_vary_across_seeds_and_repeat_per_seed(preset: Preset) -> None:
    captions = [compose_caption(preset, random.Random(seed)) for seed in range(20)]
    assert len(set(captions)) > 1
    again = [compose_caption(preset, random.Random(seed)) for seed in range(20)]
    assert captions == again


@pytest.mark.parametrize("preset", _presets(), ids=lambda p: p.id)
def test_captions_are_clean_tag_lists(preset: Preset) -> None:
    pools = preset.caption_pools
    for seed in range(30):
        caption = compose_caption(preset, random.Random(seed))
        tags = caption.split(", ")
        assert len(tags) == len({t.lower() for t in tags}), caption
        assert tags[0] in pools.sub_genres + pools.genres
        assert tags[-1] == "instrumental"
        assert negation_in(caption) is None
        for word in preset.avoid:
            assert word.lower() not in caption.lower()
        count = sum(tag in pools.instruments for tag in tags)
        assert preset.instrument_pick.min <= count <= preset.instrument_pick.max


def test_user_words_lead_and_replace_the_genre(library: PresetLibrary) -> None:
    preset = library.get("hotel-lobby")
    assert preset is not None
    plain = compose_caption(preset, random.Random(7))
    mine = compose_caption(preset, random.Random(7), user_words="  bossa   nova ")
    assert mine.startswith("bossa nova, ")
    assert not any(g in mine for g in preset.caption_pools.genres if g != "bossa nova")
    # everything after the genre part is the same draw
    assert mine.split(", ")[1:] == [
        t
        for t in plain.split(", ")
        if t not in preset.caption_pools.genres + preset.caption_pools.sub_genres
    ]


def test_mood_words_replace_the_mood_draw(library: PresetLibrary) -> None:
    preset = library.get("spa")
    assert preset is not None
    caption = compose_caption(preset, random.Random(3), mood_words=["slow"])
    tags = caption.split(", ")
    assert "slow" in tags
    assert not set(tags) & set(preset.caption_pools.moods)


def test_pool_words_already_said_are_not_repeated(make_preset: MakePreset) -> None:
    data = make_preset()
    data["caption_pools"]["instruments"] = ["piano", "upright bass"]
    data["instrument_pick"] = {"min": 2, "max": 2}
    preset = Preset.model_validate(data)
    caption = compose_caption(preset, random.Random(1), user_words="jazz piano")
    assert caption.count("piano") == 1


def test_vocal_captions(make_preset: MakePreset) -> None:
    data = make_preset(kind="vocal", vocal={"language": "ja", "styles": ["soft female vocal"]})
    data["avoid"] = []
    preset = Preset.model_validate(data)
    caption = compose_caption(preset, random.Random(1))
    assert "soft female vocal" in caption
    assert "instrumental" not in caption
    instrumental = compose_caption(preset, random.Random(1), instrumental=True)
    assert instrumental.endswith(", instrumental")
    assert "vocal" not in instrumental


def test_caption_never_exceeds_the_limit(library: PresetLibrary) -> None:
    preset = library.get("cafe")
    assert preset is not None
    long_words = "word " * 400
    caption = compose_caption(preset, random.Random(1), user_words=long_words)
    assert len(caption) <= CAPTION_MAX_CHARS
    assert join_tags(["a" * 990, "bb", "cccccccc"]) == "a" * 990 + ", bb"


@pytest.mark.parametrize("preset", _presets(), ids=lambda p: p.id)
def test_picks_stay_in_range(preset: Preset) -> None:
    for seed in range(50):
        rng = random.Random(seed)
        assert preset.tempo.min_bpm <= pick_tempo(preset, rng) <= preset.tempo.max_bpm
        duration = pick_duration(preset, rng)
        assert preset.duration_s.min <= duration <= preset.duration_s.max
        assert duration % 5 == 0
        key = pick_key(preset, rng)
        assert key in preset.key_scales


def test_narrow_ranges_and_no_keys(make_preset: MakePreset) -> None:
    preset = Preset.model_validate(
        make_preset(
            duration_s={"min": 61, "max": 63}, key_scales=[], tempo={"min_bpm": 90, "max_bpm": 90}
        )
    )
    rng = random.Random(0)
    assert 61 <= pick_duration(preset, rng) <= 63
    assert pick_key(preset, rng) is None
    assert pick_tempo(preset, rng) == 90
