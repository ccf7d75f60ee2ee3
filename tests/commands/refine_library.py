"""A small, fixed preset library and parent requests for the refinement tests.

The tests own these presets, so they do not move when the shipped preset files are edited.
"""

from typing import Any

from domain.request import GenerationRequest
from presets import Preset, PresetLibrary


def _preset(preset_id: str, **fields: Any) -> Preset:
    data: dict[str, Any] = {
        "id": preset_id,
        "version": 3,
        "name": preset_id.title(),
        "description": f"{preset_id} for tests.",
        "family": "lounge_chill",
        "venue_types": ["hotel"],
        "output": {"collection": "Tests", "genre_tag": "Test", "title_prefix": "TS", "energy": 3},
    }
    return Preset.model_validate(data | fields)


SPA = _preset(
    "spa",
    family="spa",
    aliases=["spa", "wellness"],
    caption_pools={
        "genres": ["ambient", "new age"],
        "moods": ["calm", "serene", "peaceful"],
        "instruments": ["soft synth pads", "warm felt piano", "gentle harp", "airy flute"],
        "contexts": ["spa treatment room"],
        "production": ["spacious reverb"],
    },
    tempo={"min_bpm": 50, "max_bpm": 80},
    key_scales=["C major", "A minor", "E minor"],
    duration_s={"min": 240, "max": 600},
)
LOBBY = _preset(
    "hotel-lobby",
    aliases=["hotel lobby", "lobby"],
    caption_pools={
        "genres": ["lounge jazz"],
        "sub_genres": ["smooth lounge jazz"],
        "moods": ["warm", "elegant"],
        "instruments": ["soft piano", "upright bass", "brushed drums"],
        "atmospheres": ["hotel lobby ambience"],
        "production": ["warm analog mix"],
    },
    tempo={"min_bpm": 60, "max_bpm": 100},
    key_scales=["F major", "D minor"],
    time_signature="4",
    duration_s={"min": 180, "max": 300},
)
CITY_POP = _preset(
    "city-pop",
    family="pop",
    aliases=["city pop"],
    kind="vocal",
    vocal={"language": "ja", "styles": ["airy female vocals"]},
    caption_pools={
        "genres": ["city pop"],
        "moods": ["bright", "nostalgic"],
        "instruments": ["synth bass", "electric piano", "funky guitar"],
    },
    tempo={"min_bpm": 100, "max_bpm": 120},
    duration_s={"min": 150, "max": 240},
)
LIBRARY = PresetLibrary([SPA, LOBBY, CITY_POP])

LOBBY_TRACK = GenerationRequest(
    caption=(
        "smooth lounge jazz, warm, elegant, soft piano, upright bass, brushed drums, "
        "warm analog mix, hotel lobby ambience, instrumental"
    ),
    duration_s=180,
    bpm=86,
    key_scale="F major",
    time_signature="4",
    preset_id="hotel-lobby",
    preset_version=3,
)
PLAIN_TRACK = GenerationRequest(caption="jazz, instrumental", duration_s=120)
SPA_TRACK = GenerationRequest(
    caption="ambient, calm, soft synth pads, gentle harp, spacious reverb, instrumental",
    duration_s=300,
    preset_id="spa",
    preset_version=3,
)
VOCAL_TRACK = GenerationRequest(
    caption="city pop, bright, airy female vocals, synth bass",
    instrumental=False,
    lyrics="[verse] neon lights on the bay",
    language="ja",
    duration_s=150,
    bpm=110,
    preset_id="city-pop",
    preset_version=3,
)
EXTREME_TRACK = GenerationRequest(
    caption=", ".join(f"layer {n} texture" for n in range(55)) + ", instrumental",
    duration_s=600,
    bpm=300,
    variants=8,
    audio_format="flac",
    model="acestep-v15-base",
    inference_steps=200,
    guidance_scale=30.0,
    seed=2**32 - 1,
    enhance=True,
)
PARENTS = (LOBBY_TRACK, PLAIN_TRACK, SPA_TRACK, VOCAL_TRACK, EXTREME_TRACK)
