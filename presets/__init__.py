"""Venue presets: data files in `presets/data/`, their schema, the loader and caption composition.

`load_presets()` returns a `PresetLibrary`; `compose_caption` and the `pick_*` helpers draw concrete
values from one preset with a caller-supplied `random.Random`, so every draw is reproducible.
"""

from presets.compose import compose_caption, join_tags, pick_duration, pick_key, pick_tempo
from presets.errors import PresetError
from presets.library import AliasMatch, PresetLibrary
from presets.loader import load_preset_file, load_presets
from presets.schema import Preset

__all__ = [
    "AliasMatch",
    "Preset",
    "PresetError",
    "PresetLibrary",
    "compose_caption",
    "join_tags",
    "load_preset_file",
    "load_presets",
    "pick_duration",
    "pick_key",
    "pick_tempo",
]
