"""parse_refinement: a reply in a track's thread -> a request derived from the parent's."""

import random
from typing import Any

import pytest

from commands.errors import NothingAsked, UsageError
from commands.parsing import messages as msg
from commands.parsing.refine import ParsedRefinement, parse_refinement
from commands.parsing.refine_caption import mentions, singular, split_tags
from domain import constants as c
from domain.request import GenerationRequest
from presets import compose_caption, pick_tempo

from .refine_library import (
    CITY_POP,
    LIBRARY,
    LOBBY_TRACK,
    PLAIN_TRACK,
    SPA,
    SPA_TRACK,
    VOCAL_TRACK,
)

SAME = ("same settings, new takes",)
LYRICS_EXAMPLE = "lyrics: [verse] Morning light on the window"


def refine(text: str, parent: GenerationRequest = LOBBY_TRACK, seed: int = 1) -> ParsedRefinement:
    return parse_refinement(text, parent=parent, presets=LIBRARY, rng_seed=seed)


def tags(request: GenerationRequest) -> list[str]:
    return split_tags(request.caption)


# (reply to LOBBY_TRACK — 86 bpm, 3:00, F major, 4/4, x2 — , expected fields, expected changes)
TABLE: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    # again
    ("again", {}, SAME),
    ("another", {}, SAME),
    ("another one", {}, SAME),
    ("one more", {}, SAME),
    ("more like this", {}, SAME),
    ("re-roll", {}, SAME),
    ("reroll", {}, SAME),
    ("redo", {}, SAME),
    ("Again!", {}, SAME),
    ("x2", {"variants": 2}, SAME),  # what the parent had already
    # relative tempo: x0.85 / x1.15, much x0.7 / x1.3, a bit x0.93 / x1.07
    ("slower", {"bpm": 73}, ("tempo 86 → 73 bpm",)),
    ("faster", {"bpm": 99}, ("tempo 86 → 99 bpm",)),
    ("much slower", {"bpm": 60}, ("tempo 86 → 60 bpm",)),
    ("a lot faster", {"bpm": 112}, ("tempo 86 → 112 bpm",)),
    ("way faster", {"bpm": 112}, ()),
    ("a bit slower", {"bpm": 80}, ("tempo 86 → 80 bpm",)),
    ("slightly faster", {"bpm": 92}, ()),
    ("a little slower", {"bpm": 80}, ()),
    ("slow it down", {"bpm": 73}, ()),
    ("speed it up", {"bpm": 99}, ()),
    ("even slower", {"bpm": 73}, ()),
    ("not so fast", {"bpm": 73}, ()),  # not the tempo word "fast"
    ("not too slow", {"bpm": 99}, ()),
    # absolute tempo, as in /music (words land in the preset's 60-100 range)
    ("120bpm", {"bpm": 120}, ("tempo 86 → 120 bpm",)),
    ("bpm=120", {"bpm": 120}, ()),
    ("tempo: 95", {"bpm": 95}, ()),
    ("slow", {"bpm": 64}, ("tempo 86 → 64 bpm", "mood: slow")),
    ("upbeat", {"bpm": 88}, ("tempo 86 → 88 bpm", "mood: upbeat")),
    # length
    ("5min", {"duration_s": 300}, ("length 3:00 → 5:00",)),
    ("90 sec", {"duration_s": 90}, ("length 3:00 → 1:30",)),
    ("2:30", {"duration_s": 150}, ("length 3:00 → 2:30",)),
    ("length=4 min", {"duration_s": 240}, ()),
    ("longer", {"duration_s": 270}, ("length 3:00 → 4:30",)),
    ("shorter", {"duration_s": 120}, ("length 3:00 → 2:00",)),
    ("much longer", {"duration_s": 360}, ("length 3:00 → 6:00",)),
    ("a bit shorter", {"duration_s": 150}, ("length 3:00 → 2:30",)),
    # key, time signature, variants
    ("in D minor", {"key_scale": "D minor"}, ("key F major → D minor",)),
    ("key=F#m", {"key_scale": "F# minor"}, ("key F major → F# minor",)),
    ("in Bb", {"key_scale": "Bb major"}, ()),
    ("3/4", {"time_signature": "3"}, ("time signature 4/4 → 3/4",)),
    ("waltz 3/4", {"time_signature": "3"}, ()),
    ("x3", {"variants": 3}, ("3 variants",)),
    ("x1", {"variants": 1}, ("1 variant",)),
    ("4 takes", {"variants": 4}, ("4 variants",)),
    # engine settings
    ("wav", {"audio_format": "wav"}, ("format mp3 → wav",)),
    ("format=flac", {"audio_format": "flac"}, ("format mp3 → flac",)),
    ("model=acestep-v15-base", {"model": "acestep-v15-base"}, ("model → acestep-v15-base",)),
    ("steps=8", {"inference_steps": 8}, ("steps → 8",)),
    ("seed=42", {"seed": 42}, ("seed → 42",)),
    ("seed=0", {"seed": 0}, ("seed → 0",)),
    ("enhance", {"enhance": True}, ("enhance on (server LLM rewrites the caption)",)),
    ("lang=ja", {"language": "ja"}, ("language en → ja",)),
    ("instrumental", {"instrumental": True}, SAME),
    # caption edits
    ("no drums", {"bpm": 86}, ("drums removed from the description",)),
    ("without the drums", {}, ("drums removed from the description",)),
    ("drop the drums", {}, ("drums removed from the description",)),
    ("less bass", {}, ("bass removed from the description",)),
    ("remove drum", {}, ("drum removed from the description",)),
    ("more piano", {}, ("more piano",)),
    ("piano please", {}, ("more piano",)),
    ("add vibraphone", {}, ("more vibraphone",)),
    ("with strings", {}, ("more strings",)),
    ("calmer", {}, ("mood: calm",)),
    ("more energetic", {"bpm": 86}, ("mood: energetic",)),
    ("rainy evening", {}, ("added 'rainy evening' to the description",)),
    # several at once, in any order
    ("slower, more piano", {"bpm": 73}, ("tempo 86 → 73 bpm", "more piano")),
    (
        "x3 in D minor, no drums, 5min, a bit faster",
        {"variants": 3, "key_scale": "D minor", "duration_s": 300, "bpm": 92},
        (
            "tempo 86 → 92 bpm",
            "length 3:00 → 5:00",
            "key F major → D minor",
            "3 variants",
            "drums removed from the description",
        ),
    ),
    ("again but slower", {"bpm": 73}, ("tempo 86 → 73 bpm",)),
    ("3 more", {"variants": 3}, ("3 variants",)),
    ("2 more like this", {"variants": 2}, SAME),
    # leftover words that describe nothing stay out of the caption
    ("in a minor key", {"key_scale": "A minor", "caption": LOBBY_TRACK.caption}, ()),
    ("faster tempo", {"bpm": 99, "caption": LOBBY_TRACK.caption}, ()),
    ("can you make it a bit slower?", {"bpm": 80, "caption": LOBBY_TRACK.caption}, ()),
    ("make it longer please", {"duration_s": 270, "caption": LOBBY_TRACK.caption}, ()),
    ("one more, x4", {"variants": 4}, ("4 variants",)),
]


@pytest.mark.parametrize(("text", "fields", "changes"), TABLE, ids=[row[0] for row in TABLE])
def test_replies(text: str, fields: dict[str, Any], changes: tuple[str, ...]) -> None:
    """Every field is the parent's unless listed (the caption is checked where listed)."""
    parsed = refine(text)
    expected = LOBBY_TRACK.model_copy(update=fields).model_dump()
    for name, value in parsed.request.model_dump().items():
        if name != "caption" or "caption" in fields:
            assert value == expected[name], name
    if changes:
        assert parsed.changes == changes


@pytest.mark.parametrize(
    "text",
    ["again", "another", "one more", "more like this", "re-roll", "redo", "x2", "for the lobby"],
)
def test_same_settings_are_exactly_the_parent(text: str) -> None:
    parsed = refine(text)
    assert parsed.request == LOBBY_TRACK
    assert parsed.changes == SAME
    assert parsed.notes == ()


# --- mentions and the /music prefix ---


@pytest.mark.parametrize(
    "text",
    [
        "<@U123ABC> slower",
        "<@U123ABC|acemusic> slower",
        "<@U123ABC>: slower",
        "  <@U123ABC>, slower",
        "<@U1> <@U2> slower",
        "/music slower",
        "<@U123ABC> /music slower",
        "/MUSIC  slower",
    ],
)
def test_mentions_and_prefix_are_ignored(text: str) -> None:
    assert refine(text) == refine("slower")


def test_slack_markup_stays_out_of_the_caption() -> None:
    parsed = refine("rainy evening :fire: <https://example.com|link> <#C123|general>")
    assert tags(parsed.request)[-2:] == ["rainy evening", "instrumental"]


def test_slack_escapes_are_read_as_characters() -> None:
    parsed = refine("lyrics: rock &amp; roll &lt;3", parent=VOCAL_TRACK)
    assert parsed.request.lyrics == "rock & roll <3"


# --- caption edits ---


def test_more_strengthens_a_tag_that_is_there_and_moves_it_up_front() -> None:
    request = refine("more piano").request
    assert tags(request) == [
        "smooth lounge jazz",
        "prominent soft piano",
        "warm",
        "elegant",
        "upright bass",
        "brushed drums",
        "warm analog mix",
        "hotel lobby ambience",
        "instrumental",
    ]


def test_more_adds_an_emphasised_tag_after_the_first_when_absent() -> None:
    assert tags(refine("more vibraphone").request)[:3] == [
        "smooth lounge jazz",
        "prominent vibraphone",
        "warm",
    ]


def test_more_of_an_emphasised_tag_only_moves_it() -> None:
    twice = refine("more piano", parent=refine("more piano").request).request
    assert tags(twice)[1] == "prominent soft piano"
    assert twice.caption.count("piano") == 1


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("no drums", ["brushed drums"]),
        ("no drum", ["brushed drums"]),
        ("NO DRUMS", ["brushed drums"]),
        ("without bass", ["upright bass"]),
        ("remove warm", ["warm", "warm analog mix"]),
        ("get rid of the piano", ["soft piano"]),
        ("no drums or bass", ["brushed drums", "upright bass"]),
        ("less piano and drums", ["soft piano", "brushed drums"]),
        ("no more drums", ["brushed drums"]),
    ],
)
def test_removal_takes_out_every_tag_that_mentions_it(text: str, gone: list[str]) -> None:
    request = refine(text).request
    assert tags(request) == [tag for tag in tags(LOBBY_TRACK) if tag not in gone]
    assert "no " not in request.caption.lower()
    assert "without" not in request.caption.lower()


def test_removing_what_is_not_there_says_so_and_adds_no_negation() -> None:
    parsed = refine("no strings")
    assert parsed.request == LOBBY_TRACK
    assert parsed.changes == SAME
    assert parsed.notes == (
        "the description had no strings to remove; ACE-Step cannot be told what to leave out",
    )


def test_everything_missing_is_named_in_one_note() -> None:
    assert refine("no strings, no harp").notes == (
        "the description had no strings or harp to remove; ACE-Step cannot be told what to "
        "leave out",
    )


def test_moods_go_up_front_and_replace_their_opposites() -> None:
    energetic = LOBBY_TRACK.model_copy(
        update={"caption": "lounge jazz, energetic, upbeat, soft piano, instrumental"}
    )
    assert tags(refine("calmer", parent=energetic).request) == [
        "lounge jazz",
        "calm",
        "soft piano",
        "instrumental",
    ]
    assert tags(refine("less energetic", parent=energetic).request)[1] == "calm"
    assert tags(refine("darker, warmer").request)[:4] == [
        "smooth lounge jazz",
        "dark",
        "warm",
        "elegant",
    ]


def test_free_words_are_added_before_the_closing_instrumental_tag() -> None:
    request = refine("rainy evening, like a jazz bar").request
    assert tags(request)[-3:] == ["rainy evening", "jazz bar", "instrumental"]


def test_free_words_already_in_the_caption_are_not_repeated() -> None:
    parsed = refine("soft piano")
    assert parsed.request.caption == LOBBY_TRACK.caption
    assert parsed.changes == SAME


def test_negations_never_reach_the_caption() -> None:
    parsed = refine("drum-free groove")
    assert "free" not in parsed.request.caption
    assert any("no negative prompt" in note for note in parsed.notes)


def test_comments_next_to_a_change_are_left_out() -> None:
    parsed = refine("nice! now a bit slower, thanks")
    assert parsed.request.caption == LOBBY_TRACK.caption
    assert parsed.changes == ("tempo 86 → 80 bpm",)


def test_the_caption_stays_within_the_limit_keeping_the_new_words() -> None:
    long_caption = ", ".join(f"layer {n} texture" for n in range(55)) + ", instrumental"
    parent = PLAIN_TRACK.model_copy(update={"caption": long_caption})
    parsed = refine("rainy evening, more piano", parent=parent)
    caption = parsed.request.caption
    assert len(caption) <= c.CAPTION_MAX_CHARS
    assert tags(parsed.request)[:2] == ["layer 0 texture", "prominent piano"]
    assert tags(parsed.request)[-2:] == ["rainy evening", "instrumental"]
    assert any(
        note.startswith("the description would pass 1000 characters") for note in parsed.notes
    )
    assert "layer 54 texture" in parsed.notes[-1]


def test_mentions_match_whole_words_singular_or_plural() -> None:
    assert mentions("drum").search("brushed drums")
    assert mentions("drums").search("Drum machine")
    assert mentions("strings").search("soft string ensemble")
    assert mentions("melodies").search("simple melody")
    assert mentions("bass").search("upright bass")
    assert not mentions("bass").search("bassoon")
    assert not mentions("drum").search("drumming")
    assert not mentions("piano").search("pianola")
    assert [singular(w) for w in ("drums", "bass", "melodies", "boxes", "chorus")] == [
        "drum",
        "bass",
        "melody",
        "box",
        "chorus",
    ]


# --- limits ---


@pytest.mark.parametrize(
    ("parent_fields", "text", "field", "value", "note"),
    [
        ({"bpm": 30}, "slower", "bpm", 30, "tempo stops at 30 bpm"),
        ({"bpm": 32}, "much slower", "bpm", 30, "tempo stops at 30 bpm"),
        ({"bpm": 300}, "faster", "bpm", 300, "tempo stops at 300 bpm"),
        ({"bpm": 280}, "much faster", "bpm", 300, "tempo stops at 300 bpm"),
        ({"duration_s": 600}, "longer", "duration_s", 600, "length stops at 10:00"),
        ({"duration_s": 500}, "much longer", "duration_s", 600, "length stops at 10:00"),
        ({"duration_s": 10}, "shorter", "duration_s", 10, "length stops at 0:10"),
        ({"duration_s": 12}, "much shorter", "duration_s", 10, "length stops at 0:10"),
    ],
)
def test_relative_changes_stop_at_the_limits(
    parent_fields: dict[str, Any], text: str, field: str, value: int, note: str
) -> None:
    parsed = refine(text, parent=LOBBY_TRACK.model_copy(update=parent_fields))
    assert getattr(parsed.request, field) == value
    assert any(n.startswith(note) for n in parsed.notes), parsed.notes


def test_a_small_step_always_moves_the_length() -> None:
    parent = LOBBY_TRACK.model_copy(update={"duration_s": 20})
    assert refine("a bit longer", parent=parent).request.duration_s == 25


@pytest.mark.parametrize(
    ("parent", "text", "bpm", "change"),
    [
        (PLAIN_TRACK, "slower", 85, "tempo → 85 bpm"),  # no bpm, no preset: from 100
        (PLAIN_TRACK, "faster", 115, "tempo → 115 bpm"),
        (SPA_TRACK, "slower", 55, "tempo → 55 bpm"),  # no bpm: the spa range's middle, 65
        (SPA_TRACK, "slow", 53, "tempo → 53 bpm"),  # a tempo word inside the spa range
        (PLAIN_TRACK, "slow", 70, "tempo → 70 bpm"),
    ],
)
def test_tempo_without_a_parent_bpm(
    parent: GenerationRequest, text: str, bpm: int, change: str
) -> None:
    parsed = refine(text, parent=parent)
    assert parsed.request.bpm == bpm
    assert parsed.changes[0] == change


# --- preset switch ---


@pytest.mark.parametrize(
    "text", ["for the spa", "spa version", "make it for the spa", "preset=spa", "wellness"]
)
def test_switching_preset_draws_from_the_new_preset(text: str) -> None:
    parsed = refine(text, seed=7)
    request = parsed.request
    assert (request.preset_id, request.preset_version) == ("spa", 3)
    assert SPA.tempo.min_bpm <= (request.bpm or 0) <= SPA.tempo.max_bpm
    assert SPA.duration_s.min <= request.duration_s <= SPA.duration_s.max
    assert request.key_scale in SPA.key_scales
    assert request.time_signature is None  # the spa preset leaves it to the server
    assert tags(request)[0] in SPA.caption_pools.genres
    assert tags(request)[-1] == "instrumental"
    assert "lounge jazz" not in request.caption
    assert (request.variants, request.audio_format, request.model) == (2, "mp3", None)
    assert parsed.changes[0] == "preset hotel-lobby → spa"


def test_preset_switch_is_deterministic_for_a_seed() -> None:
    assert refine("for the spa", seed=3) == refine("for the spa", seed=3)
    assert len({refine("for the spa", seed=seed).request for seed in range(12)}) > 1


def test_explicit_settings_win_over_the_new_preset() -> None:
    request = refine("spa version 120bpm in E minor 2min 3/4 x4").request
    assert request.preset_id == "spa"
    assert (request.bpm, request.key_scale, request.duration_s) == (120, "E minor", 120)
    assert (request.time_signature, request.variants) == ("3", 4)


def test_preset_switch_composes_a_caption_led_by_the_reply() -> None:
    request = refine("for the spa: rainy, calmer, more piano, no harp", seed=5).request
    caption_tags = tags(request)
    assert caption_tags[0] == "rainy"
    assert "calm" in caption_tags
    assert any(tag.startswith("prominent") and "piano" in tag for tag in caption_tags[:4])
    assert "harp" not in request.caption


def test_relative_tempo_after_a_switch_starts_from_the_new_preset() -> None:
    rng = random.Random(9)
    compose_caption(SPA, rng, instrumental=True)
    drawn = pick_tempo(SPA, rng)
    assert refine("slower for the spa", seed=9).request.bpm == round(drawn * 0.85)


def test_switching_the_other_way_and_to_the_same_preset() -> None:
    assert refine("make it for the hotel lobby", parent=SPA_TRACK).request.preset_id == (
        "hotel-lobby"
    )
    assert refine("spa version", parent=SPA_TRACK).request == SPA_TRACK


# --- vocals ---


@pytest.mark.parametrize("text", ["again", "slower", "more piano", "for the spa", "x3"])
def test_vocal_parents_keep_their_lyrics(text: str) -> None:
    request = refine(text, parent=VOCAL_TRACK).request
    assert not request.instrumental
    assert request.lyrics == VOCAL_TRACK.lyrics
    assert request.language == "ja"


@pytest.mark.parametrize(
    "text", ["instrumental", "no vocals", "without vocals", "remove the vocals", "drop vocals"]
)
def test_instrumental_drops_lyrics_and_vocal_tags(text: str) -> None:
    parsed = refine(text, parent=VOCAL_TRACK)
    assert parsed.request.instrumental
    assert parsed.request.lyrics == ""
    assert tags(parsed.request) == ["city pop", "bright", "synth bass", "instrumental"]
    assert parsed.changes == ("instrumental now (lyrics dropped)",)


def test_new_lyrics_replace_the_old_ones() -> None:
    parsed = refine("slower lyrics: [chorus] new words\nsecond line", parent=VOCAL_TRACK)
    assert parsed.request.lyrics == "[chorus] new words\nsecond line"
    assert parsed.changes == ("tempo 110 → 94 bpm", "new lyrics")


def test_lyrics_turn_an_instrumental_into_a_song() -> None:
    parsed = refine("lyrics: la la la", parent=PLAIN_TRACK)
    assert not parsed.request.instrumental
    assert parsed.request.caption == "jazz, vocals"
    assert parsed.changes == ("vocals, with the new lyrics",)


def test_a_vocal_preset_sings_only_with_lyrics() -> None:
    request = refine("city pop version").request
    assert request.preset_id == CITY_POP.id
    assert request.instrumental  # the parent was instrumental; the preset does not change that
    assert tags(request)[-1] == "instrumental"
    song = refine("city pop version lyrics: hello").request
    assert not song.instrumental
    assert "airy female vocals" in tags(song)


# --- errors ---


@pytest.mark.parametrize(
    ("text", "fragments", "example"),
    [
        ("slower faster", ("two different tempos", "'slower'", "'faster'"), "a bit slower"),
        ("120bpm slower", ("two different tempos", "'120bpm'", "'slower'"), "a bit slower"),
        ("slow, much slower", ("'slow'", "'much slower'"), "a bit slower"),
        ("x2 x4", ("two different variant counts", "'x2'", "'x4'"), "x3"),
        ("3min 5min", ("two different durations", "'3min'", "'5min'"), "5min"),
        ("longer 5min", ("two different durations", "'longer'", "'5min'"), "5min"),
        ("in D minor key=E", ("two different keys",), "in D minor"),
        ("more piano, no piano", ("both 'more piano' and 'no piano'",), msg.REFINE_EXAMPLE),
        ("no drums, more drum", ("both 'no drums' and 'more drum'",), msg.REFINE_EXAMPLE),
        ("calmer, more energetic", ("both 'calmer' and 'more energetic'",), msg.REFINE_EXAMPLE),
        ("15min", ("Duration 15min is too long",), "5min"),
        ("x12", ("'x12'", "1 to 8"), "x3"),
        ("400 bpm", ("Tempo 400 bpm is outside",), "a bit slower"),
        ("in H minor", ("'H minor' is not a key I know",), "in D minor"),
        ("5/4", ("cannot do a 5/4",), "waltz 3/4"),
        ("ogg", ("cannot make 'ogg'",), "wav"),
        ("preset=nope", ("There is no preset 'nope'", "spa"), "for the spa"),
        ("foo=bar", ("I don't know the setting 'foo='",), "5min bpm=60 key=D minor"),
        ("vocals", ("'vocals' needs lyrics",), LYRICS_EXAMPLE),
        ("instrumental lyrics: la", ("also gave lyrics",), LYRICS_EXAMPLE),
        ("lyrics:", ("'lyrics:' is followed by nothing",), LYRICS_EXAMPLE),
    ],
)
def test_errors_name_the_problem_and_show_a_reply_that_works(
    text: str, fragments: tuple[str, ...], example: str
) -> None:
    with pytest.raises(UsageError) as caught:
        refine(text)
    for fragment in fragments:
        assert fragment in caught.value.message
    assert caught.value.example == example


@pytest.mark.parametrize(
    "text", ["", "   ", "<@U123ABC>", "<@U123ABC>  ", "/music", "please", "?!"]
)
def test_an_empty_reply_explains_what_replies_can_say(text: str) -> None:
    with pytest.raises(NothingAsked) as caught:
        refine(text)
    message = caught.value.message
    for example in ("'slower, more piano'", "'5min'", "'in D minor'", "'no drums'", "'again'"):
        assert example in message
    assert caught.value.example == "slower, more piano"


@pytest.mark.parametrize("text", ["thanks!", "love it", "<@U123ABC> nice, thank you", "ok"])
def test_a_comment_makes_nothing(text: str) -> None:
    with pytest.raises(NothingAsked, match="reads like a comment"):
        refine(text)


def test_removing_every_tag_is_refused() -> None:
    with pytest.raises(UsageError, match="would leave the track's description empty") as caught:
        refine("no jazz", parent=PLAIN_TRACK.model_copy(update={"caption": "jazz"}))
    assert not isinstance(caught.value, NothingAsked)  # a real request, answered even in threads


def test_free_words_longer_than_a_caption_are_refused() -> None:
    with pytest.raises(UsageError, match="characters long; ACE-Step takes at most 1000"):
        refine("lush " * 250)


# --- notes ---


def test_notes_as_in_music() -> None:
    assert refine("seed=7").notes == (msg.seed_ignored(7),)
    assert refine("steps=50").notes == (msg.steps_capped(50),)
    assert refine("lang=ja").notes == (msg.language_unused("ja"),)
    assert refine("upbeat").notes == (
        "'upbeat' read as 88 bpm (preset hotel-lobby plays 60–100 bpm)",
    )
    assert refine("90s vibes").notes == (msg.decade("90s"),)
    assert refine("hotel lobby spa").notes == (
        "'spa' also names preset spa; I used hotel-lobby (use preset=spa to choose it)",
    )
