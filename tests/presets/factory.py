"""A valid preset as a dict, for tests to break one field at a time."""

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

VALID: dict[str, Any] = {
    "id": "test-lobby",
    "version": 1,
    "name": "Test Lobby",
    "description": "A preset for tests.",
    "family": "lounge_chill",
    "aliases": ["test lobby", "testing"],
    "venue_types": ["hotel"],
    "dayparts": [{"label": "morning", "start": "06:30", "end": "10:30", "days": "daily"}],
    "caption_pools": {
        "genres": ["lounge jazz", "bossa nova"],
        "sub_genres": ["smooth lounge jazz"],
        "moods": ["warm", "elegant", "mellow"],
        "instruments": ["soft piano", "upright bass", "brushed drums", "vibraphone"],
        "atmospheres": ["hotel lobby ambience"],
        "production": ["warm analog mix"],
    },
    "instrument_pick": {"min": 2, "max": 3},
    "avoid": ["vocals", "distorted guitar"],
    "tempo": {"min_bpm": 60, "max_bpm": 100},
    "key_scales": ["C major", "f#m"],
    "time_signature": "4",
    "duration_s": {"min": 180, "max": 300},
    "output": {
        "collection": "Test Lobby",
        "genre_tag": "Jazz",
        "title_prefix": "TL",
        "energy": 3,
    },
}

PresetWriter = Callable[..., Path]


def valid_preset(**changes: Any) -> dict[str, Any]:
    """A deep copy of VALID with top-level fields replaced (None removes the field)."""
    data = copy.deepcopy(VALID)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data
