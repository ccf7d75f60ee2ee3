"""parse_generation: every token form, presets, defaults, notes — table-driven."""

from typing import Any

import pytest

from commands.parsing import GenerationDefaults
from presets import PresetLibrary

from .helpers import Parse

# (text, expected request fields) — no preset named, so everything else is a default.
FORMS: list[tuple[str, dict[str, Any]]] = [
    # durations
    ("jazz 3min", {"duration_s": 180}),
    ("jazz 3 min", {"duration_s": 180}),
    ("jazz 3 minutes", {"duration_s": 180}),
    ("jazz 1 minute", {"duration_s": 60}),
    ("jazz 3-minute", {"duration_s": 180}),
    ("jazz 3m", {"duration_s": 180}),
    ("jazz 90s", {"duration_s": 90}),
    ("jazz 90 sec", {"duration_s": 90}),
    ("jazz 90 seconds", {"duration_s": 90}),
    ("jazz 2:30", {"duration_s": 150}),
    ("jazz 10:00", {"duration_s": 600}),
    ("jazz 1m30s", {"duration_s": 90}),
    ("jazz 1 min 30 sec", {"duration_s": 90}),
    ("jazz 1m30", {"duration_s": 90}),
    ("jazz 1.5min", {"duration_s": 90}),
    ("jazz 0.25 min", {"duration_s": 15}),
    ("JAZZ 3MIN", {"duration_s": 180, "caption": "JAZZ, instrumental"}),
    ("jazz 3min 180s", {"duration_s": 180}),  # the same length twice is fine
    ("jazz duration=200", {"duration_s": 200}),
    ("jazz length: 4 min", {"duration_s": 240}),
    ("jazz duration=2:45", {"duration_s": 165}),
    # variants
    ("jazz x4", {"variants": 4}),
    ("jazz ×3", {"variants": 3}),
    ("jazz X 5", {"variants": 5}),
    ("jazz 4 variants", {"variants": 4}),
    ("jazz 1 version", {"variants": 1}),
    ("jazz 6 takes", {"variants": 6}),
    ("jazz variants=8", {"variants": 8}),
    # tempo
    ("jazz 120bpm", {"bpm": 120}),
    ("jazz 120 BPM", {"bpm": 120}),
    ("jazz bpm=96", {"bpm": 96}),
    ("jazz bpm = 96", {"bpm": 96}),
    ("jazz tempo=140", {"bpm": 140}),
    ("jazz tempo: 80", {"bpm": 80}),
    ("jazz 120.0bpm", {"bpm": 120}),
    ("slow jazz", {"bpm": 70, "caption": "jazz, slow, instrumental"}),
    ("jazz slower", {"bpm": 70, "caption": "jazz, instrumental"}),
    ("relaxed jazz", {"bpm": 85}),
    ("jazz medium", {"bpm": 100, "caption": "jazz, instrumental"}),
    ("jazz mid-tempo", {"bpm": 100}),
    ("upbeat jazz", {"bpm": 120, "caption": "jazz, upbeat, instrumental"}),
    ("energetic jazz", {"bpm": 128}),
    ("fast jazz", {"bpm": 140}),
    ("jazz tempo=upbeat", {"bpm": 120}),
    # keys
    ("jazz in D minor", {"key_scale": "D minor"}),
    ("jazz in d minor", {"key_scale": "D minor"}),
    ("jazz in F#m", {"key_scale": "F# minor"}),
    ("jazz in Bb", {"key_scale": "Bb major"}),
    ("jazz in Eb major", {"key_scale": "Eb major"}),
    ("jazz in B flat minor", {"key_scale": "Bb minor"}),
    ("jazz in am", {"key_scale": "A minor"}),
    ("jazz in C", {"key_scale": "C major"}),
    ("jazz key=F#m", {"key_scale": "F# minor"}),
    ("jazz key: Bb major", {"key_scale": "Bb major"}),
    ("jazz KEY=c minor", {"key_scale": "C minor"}),
    ("jazz scale=G", {"key_scale": "G major"}),
    ("jazz in a relaxed mood", {"key_scale": None}),  # "in a" is not a key
    ("jazz played in e", {"key_scale": None}),
    # time signatures
    ("jazz waltz 3/4", {"time_signature": "3", "caption": "jazz waltz, instrumental"}),
    ("jazz 6/8", {"time_signature": "6"}),
    ("jazz 4/4", {"time_signature": "4"}),
    ("jazz 2/4", {"time_signature": "2"}),
    ("jazz time=3/4", {"time_signature": "3"}),
    ("jazz 24/7", {"time_signature": None, "caption": "jazz 24/7, instrumental"}),
    # engine settings
    ("jazz seed=42", {"seed": 42}),
    ("jazz seed=0", {"seed": 0}),
    ("jazz model=acestep-v15-turbo", {"model": "acestep-v15-turbo"}),
    ("jazz model=turbo", {"model": "turbo"}),
    ("jazz format=wav", {"audio_format": "wav"}),
    ("jazz format=FLAC", {"audio_format": "flac"}),
    ("jazz wav", {"audio_format": "wav", "caption": "jazz, instrumental"}),
    ("jazz flac", {"audio_format": "flac"}),
    ("jazz mp3", {"audio_format": "mp3"}),
    ("jazz steps=8", {"inference_steps": 8}),
    ("jazz steps=200", {"inference_steps": 200}),
    ("jazz guidance=7.5", {"guidance_scale": 7.5}),
    ("jazz cfg=1", {"guidance_scale": 1.0}),
    ("jazz enhance", {"enhance": True, "caption": "jazz, instrumental"}),
    ("jazz enhance=yes", {"enhance": True}),
    ("jazz enhance=off", {"enhance": False}),
    # vocals and lyrics
    ("jazz", {"instrumental": True, "lyrics": "", "caption": "jazz, instrumental"}),
    ("jazz instrumental", {"instrumental": True, "caption": "jazz, instrumental"}),
    ("jazz no vocals", {"instrumental": True, "caption": "jazz, instrumental"}),
    (
        "pop female vocals lyrics: [verse]\nMorning light",
        {"instrumental": False, "lyrics": "[verse]\nMorning light", "caption": "pop female vocals"},
    ),
    ("city pop lyrics: hello", {"instrumental": False, "lyrics": "hello", "language": "en"}),
    ("city pop lang=ja lyrics: asa no hikari", {"language": "ja", "instrumental": False}),
    ("city pop language=Korean lyrics: annyeong", {"language": "ko"}),
    ("pop Lyrics= la la 3min x4", {"lyrics": "la la 3min x4", "variants": 2, "duration_s": 120}),
    # caption cleaning
    ("/music   smooth   jazz  ", {"caption": "smooth jazz, instrumental"}),
    ("make me some chill jazz please", {"caption": "chill jazz, instrumental"}),
    ("jazz, , piano;; strings!", {"caption": "jazz, piano, strings, instrumental"}),
    ("lo-fi r&b 80s", {"caption": "lo-fi r&b, instrumental", "duration_s": 80}),
    ("90s r&b", {"caption": "90s r&b, instrumental", "duration_s": 120}),
    ("jazz 20s x1", {"caption": "jazz, instrumental", "duration_s": 20, "variants": 1}),
    ("jazz 90s slow in D minor", {"caption": "jazz, slow, instrumental", "duration_s": 90}),
    ("jazz 90s vocals lyrics: la", {"caption": "jazz 90s vocals", "duration_s": 120}),
    ("1990s house", {"caption": "1990s house, instrumental"}),
    # defaults with nothing said
    (
        "ambient",
        {
            "duration_s": 120,
            "variants": 2,
            "audio_format": "mp3",
            "bpm": None,
            "key_scale": None,
            "time_signature": None,
            "seed": None,
            "model": None,
            "inference_steps": None,
            "guidance_scale": None,
            "enhance": False,
            "preset_id": None,
            "preset_version": None,
            "language": "en",
        },
    ),
    # everything at once, in any order
    (
        "x3 in G major 6/8 folk 95bpm 2:00 wav seed=7 steps=8",
        {
            "variants": 3,
            "key_scale": "G major",
            "time_signature": "6",
            "caption": "folk, instrumental",
            "bpm": 95,
            "duration_s": 120,
            "audio_format": "wav",
            "seed": 7,
            "inference_steps": 8,
        },
    ),
]


@pytest.mark.parametrize(("text", "expected"), FORMS, ids=[row[0] for row in FORMS])
def test_forms(parse: Parse, text: str, expected: dict[str, Any]) -> None:
    request = parse(text).request
    for name, value in expected.items():
        assert getattr(request, name) == value, name


def test_defaults_are_used(parse: Parse) -> None:
    defaults = GenerationDefaults(duration_s=200, variants=4, audio_format="flac", language="ja")
    request = parse("ambient lyrics: la", defaults=defaults).request
    assert (request.duration_s, request.variants, request.audio_format) == (200, 4, "flac")
    assert request.language == "ja"


# --- presets ---


@pytest.mark.parametrize(
    ("text", "preset_id"),
    [
        ("/music hotel lobby jazz 3min", "hotel-lobby"),
        ("lobby", "hotel-lobby"),
        ("hotel-lobby", "hotel-lobby"),
        ("restaurant dinner", "restaurant-dinner"),
        ("fine dining piano trio", "restaurant-dinner"),
        ("coffee shop", "cafe"),
        ("spa ambient 8min", "spa"),
        ("fashion retail", "fashion-retail"),
        ("fast food pop", "quick-service"),
        ("preset=spa", "spa"),
        ("preset: hotel lobby", "hotel-lobby"),
    ],
)
def test_preset_is_found(parse: Parse, text: str, preset_id: str) -> None:
    request = parse(text).request
    assert request.preset_id == preset_id
    assert request.preset_version == 1


@pytest.mark.parametrize("seed", range(15))
def test_preset_fills_what_was_left_out(parse: Parse, library: PresetLibrary, seed: int) -> None:
    spa = library.get("spa")
    assert spa is not None
    request = parse("spa", seed=seed).request
    assert spa.tempo.min_bpm <= (request.bpm or 0) <= spa.tempo.max_bpm
    assert spa.duration_s.min <= request.duration_s <= spa.duration_s.max
    assert request.key_scale in spa.key_scales
    assert request.time_signature == spa.time_signature
    assert request.variants == spa.engine.variants_per_call
    assert request.audio_format == spa.output.format
    assert request.caption.endswith("instrumental")


def test_what_was_said_beats_the_preset(parse: Parse) -> None:
    request = parse("spa 2min 90bpm in E minor 3/4 x5 wav model=acestep-v15-base steps=40").request
    assert (request.duration_s, request.bpm, request.key_scale) == (120, 90, "E minor")
    assert (request.time_signature, request.variants, request.audio_format) == ("3", 5, "wav")
    assert (request.model, request.inference_steps) == ("acestep-v15-base", 40)


def test_user_words_lead_the_preset_caption(parse: Parse, library: PresetLibrary) -> None:
    lobby = library.get("hotel-lobby")
    assert lobby is not None
    caption = parse("hotel lobby jazz 3min").request.caption
    assert caption.startswith("jazz, ")
    assert "hotel lobby" not in caption.split(", ")[0]
    assert any(instrument in caption for instrument in lobby.caption_pools.instruments)


def test_tempo_words_follow_the_preset_range(parse: Parse) -> None:
    assert parse("spa slow").request.bpm == 53
    assert parse("quick service slow").request.bpm == 114
    assert parse("quick service fast").request.bpm == 146
    parsed = parse("hotel lobby upbeat")
    assert parsed.request.bpm == 88
    assert "'upbeat' read as 88 bpm (preset hotel-lobby plays 60–100 bpm)" in parsed.notes
    assert "upbeat" in parsed.request.caption.split(", ")


def test_same_seed_same_request_other_seeds_vary(parse: Parse) -> None:
    assert parse("cafe", seed=5).request == parse("cafe", seed=5).request
    captions = {parse("cafe", seed=seed).request.caption for seed in range(20)}
    assert len(captions) > 1


def test_the_longest_alias_wins_and_others_are_noted(parse: Parse) -> None:
    parsed = parse("hotel lobby cafe vibes")
    assert parsed.request.preset_id == "hotel-lobby"
    assert parsed.request.caption.startswith("cafe vibes, ")
    assert parsed.notes == (
        "'cafe' also names preset cafe; I used hotel-lobby (use preset=cafe to choose it)",
    )


def test_every_mention_of_the_chosen_preset_leaves_the_caption(parse: Parse) -> None:
    caption = parse("lobby jazz for the hotel lobby").request.caption
    assert caption.startswith("jazz, ")


def test_venue_words_before_tokens(parse: Parse) -> None:
    request = parse("fast food 3min").request
    assert request.preset_id == "quick-service"
    assert request.duration_s == 180
    assert 110 <= (request.bpm or 0) <= 150


# --- notes ---


@pytest.mark.parametrize(
    ("text", "note"),
    [
        (
            "jazz seed=42",
            "seed=42: the ACE-Step server ignores seeds; the seeds it used are reported with each "
            "track",
        ),
        (
            "jazz steps=50",
            "steps=50: turbo models stop at 8 steps; more applies to base/SFT models",
        ),
        (
            "jazz guidance=7",
            "guidance=7: turbo models ignore guidance; it applies to base/SFT models",
        ),
        ("jazz lang=ja", "lang=ja only matters for vocals; this track is instrumental"),
        ("slow jazz", "'slow' read as 70 bpm"),
        ("90s pop", "'90s' read as a decade (style); for a length write e.g. '90 sec'"),
        ("jazz no drums", "'no drums': ACE-Step has no negative prompt"),
    ],
)
def test_notes(parse: Parse, text: str, note: str) -> None:
    notes = parse(text).notes
    assert any(n.startswith(note) for n in notes), notes


@pytest.mark.parametrize(
    "text", ["jazz", "spa 3min", "jazz model=acestep-v15-base steps=50 guidance=7", "90s pop 3min"]
)
def test_no_needless_notes(parse: Parse, text: str) -> None:
    assert parse(text).notes == ()
