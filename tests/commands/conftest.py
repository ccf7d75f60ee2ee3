"""Fixtures for parser tests: the shipped preset library and a one-call `parse` helper."""

import pytest

from commands.parsing import GenerationDefaults, ParsedGeneration, parse_generation
from presets import PresetLibrary, load_presets

from .helpers import DEFAULTS, Parse


@pytest.fixture(scope="session")
def library() -> PresetLibrary:
    return load_presets()


@pytest.fixture
def parse(library: PresetLibrary) -> Parse:
    """`parse(text, seed=1, defaults=DEFAULTS)` with the shipped presets."""

    def run(text: str, seed: int = 1, defaults: GenerationDefaults = DEFAULTS) -> ParsedGeneration:
        return parse_generation(text, presets=library, defaults=defaults, rng_seed=seed)

    return run
