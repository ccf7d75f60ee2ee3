"""PresetLibrary: lookup, and finding the preset a text names (longest alias wins)."""

from collections.abc import Callable
from typing import Any

import pytest

from presets import PresetError, PresetLibrary, load_presets
from presets.schema import Preset

MakePreset = Callable[..., dict[str, Any]]


@pytest.fixture(scope="module")
def library() -> PresetLibrary:
    return load_presets()


@pytest.mark.parametrize(
    ("text", "preset_id", "words"),
    [
        ("hotel lobby jazz 3min", "hotel-lobby", "hotel lobby"),
        ("jazz for the lobby", "hotel-lobby", "lobby"),
        ("Hotel-Lobby", "hotel-lobby", "Hotel-Lobby"),
        ("HOTEL   LOBBY", "hotel-lobby", "HOTEL   LOBBY"),
        ("fast food pop", "quick-service", "fast food"),
        ("quick service restaurant beats", "quick-service", "quick service restaurant"),
        ("restaurant dinner", "restaurant-dinner", "restaurant dinner"),
        ("a coffee shop morning", "cafe", "coffee shop"),
        ("café", "cafe", "café"),
        ("spa", "spa", "spa"),
        ("ambient for the spa, 8min", "spa", "spa"),
        ("fashion store", "fashion-retail", "fashion store"),
    ],
)
def test_match_alias(library: PresetLibrary, text: str, preset_id: str, words: str) -> None:
    match = library.match_alias(text)
    assert match is not None
    preset, (start, end), _ = match
    assert preset.id == preset_id
    assert text[start:end] == words


@pytest.mark.parametrize(
    "text", ["spanish guitar", "lobbying", "model=cafe", "key:spa", "hotels", "", "jazz"]
)
def test_no_alias_inside_other_words(library: PresetLibrary, text: str) -> None:
    assert library.match_alias(text) is None


def test_longest_alias_wins_wherever_it_is(library: PresetLibrary) -> None:
    match = library.match_alias("lobby music like a hotel lobby")
    assert match is not None
    assert match.alias == "hotel lobby"


def test_lookup(library: PresetLibrary) -> None:
    spa = library.get("spa")
    assert spa is not None
    assert library.get("nope") is None
    assert library.find("Wellness") is spa
    assert library.find("hotel lobby") is library.get("hotel-lobby")
    assert "spa" in library
    assert [p.id for p in library.all()] == sorted(p.id for p in library)
    assert len(library) == len(library.all())


def test_duplicate_ids_and_aliases_are_refused(make_preset: MakePreset) -> None:
    one = Preset.model_validate(make_preset())
    other = Preset.model_validate(make_preset(id="other", aliases=["testing"]))
    with pytest.raises(PresetError, match="id 'test-lobby' is used by both"):
        PresetLibrary([one, one])
    with pytest.raises(PresetError, match="alias 'testing' is used by both test-lobby and other"):
        PresetLibrary([one, other], sources={})
