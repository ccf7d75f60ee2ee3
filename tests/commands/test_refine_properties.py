"""Property tests: any reply to any parent gives a valid request or a UsageError — nothing else."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.errors import UsageError
from commands.parsing.refine import ParsedRefinement, parse_refinement
from domain import constants as c
from domain.request import GenerationRequest
from presets import PresetLibrary, load_presets
from presets.lint import negation_in

from .refine_library import LIBRARY, PARENTS

SHIPPED: PresetLibrary = load_presets()
TOKENS = [
    "again", "another", "one more", "more like this", "re-roll", "redo", "same",
    "slower", "faster", "much slower", "a bit faster", "slightly", "a lot", "speed it up",
    "slow it down", "slow", "upbeat", "energetic", "longer", "shorter", "much longer",
    "5min", "90 sec", "2:30", "0s", "15min", "120bpm", "bpm=500", "tempo=", "in D minor",
    "key=F#m", "in H minor", "3/4", "5/4", "x3", "x0", "x12", "no drums", "without piano",
    "less bass", "no more", "remove the vocals", "drop the", "get rid of", "more piano",
    "add strings", "with", "piano please", "more", "less", "no", "not", "calmer", "darker",
    "more energetic", "less dark", "warmer", "more chill", "for the spa", "spa version",
    "make it for the hotel lobby", "preset=spa", "preset=nope", "preset=", "hotel", "city pop",
    "instrumental", "vocals", "no vocals", "lyrics: la la", "lyrics:", "seed=42", "seed=-1",
    "model=turbo", "wav", "ogg", "steps=999", "guidance=7", "enhance", "enhance=maybe",
    "lang=ja", "lang=zz", "<@U123ABC>", "<@U1|bot>", "/music", "thanks", "nice", "love it",
    "drum-free", "non stop", "90s", "rainy evening", ",", ";", "\n", "\x00", ":fire:",
    "&amp;", "<https://x.y|z>", "and", "or", "&", "please", "it", "the", "=", ":", "ſeed=1",
    "İ", "٣min", "x", "min", "bpm",
]  # fmt: skip

token_soup = st.lists(
    st.one_of(st.sampled_from(TOKENS), st.text(max_size=6)), min_size=0, max_size=12
).flatmap(lambda parts: st.sampled_from([" ", "", ", ", "\t"]).map(lambda sep: sep.join(parts)))
parents = st.sampled_from(PARENTS)
libraries = st.sampled_from([LIBRARY, SHIPPED])
seeds = st.integers(min_value=0, max_value=2**31)


def _outcome(
    text: str, parent: GenerationRequest, presets: PresetLibrary, seed: int
) -> ParsedRefinement | UsageError:
    try:
        return parse_refinement(text, parent=parent, presets=presets, rng_seed=seed)
    except UsageError as error:
        return error


def _check(text: str, parent: GenerationRequest, presets: PresetLibrary, seed: int) -> None:
    outcome = _outcome(text, parent, presets, seed)
    if isinstance(outcome, UsageError):
        assert outcome.message.strip()
        assert outcome.example.strip()
        assert not outcome.example.startswith("/music")  # a reply, not a command
        return
    _assert_within_limits(outcome, parent)
    assert _outcome(text, parent, presets, seed) == outcome  # deterministic for a seed


def _assert_within_limits(parsed: ParsedRefinement, parent: GenerationRequest) -> None:
    request = parsed.request
    assert GenerationRequest.model_validate(request.model_dump()) == request
    assert 1 <= len(request.caption) <= c.CAPTION_MAX_CHARS
    assert c.DURATION_MIN_S <= request.duration_s <= c.DURATION_MAX_S
    assert request.bpm is None or c.BPM_MIN <= request.bpm <= c.BPM_MAX
    assert c.VARIANTS_MIN <= request.variants <= c.VARIANTS_MAX
    assert request.instrumental == (request.lyrics == "")
    assert (request.preset_id is None) == (request.preset_version is None)
    assert negation_in(request.caption) is None or negation_in(parent.caption) is not None
    assert parsed.changes
    assert all(isinstance(line, str) and line for line in (*parsed.changes, *parsed.notes))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(), parent=parents, presets=libraries, seed=seeds)
def test_any_reply_refines_or_is_a_usage_error(
    text: str, parent: GenerationRequest, presets: PresetLibrary, seed: int
) -> None:
    _check(text, parent, presets, seed)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=token_soup, parent=parents, presets=libraries, seed=seeds)
def test_token_soup_refines_or_is_a_usage_error(
    text: str, parent: GenerationRequest, presets: PresetLibrary, seed: int
) -> None:
    _check(text, parent, presets, seed)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=token_soup, parent=parents, seed=seeds)
def test_a_mention_or_prefix_changes_nothing(
    text: str, parent: GenerationRequest, seed: int
) -> None:
    plain = _outcome(text, parent, LIBRARY, seed)
    for prefixed in (f"<@U123ABC> {text}", f"/music {text}", f"<@U123ABC> /music {text}"):
        again = _outcome(prefixed, parent, LIBRARY, seed)
        if isinstance(plain, UsageError):
            assert isinstance(again, UsageError)
        else:
            assert again == plain


def test_an_emoji_after_a_mention_is_still_an_emoji() -> None:
    # Found by the property above: the mention's trailing colon took the emoji's opening colon.
    parent = PARENTS[0]
    plain = _outcome(":fire:", parent, LIBRARY, 1)
    assert isinstance(plain, UsageError)
    assert isinstance(_outcome("<@U123ABC> :fire:", parent, LIBRARY, 1), UsageError)
    slower = _outcome("<@U123ABC>: slower", parent, LIBRARY, 1)
    assert slower == _outcome("slower", parent, LIBRARY, 1)


def test_a_doubled_command_prefix_is_one_prefix() -> None:
    # Found by the property above: '/music /music İ' kept the second '/music' as words.
    parent = PARENTS[0]
    assert _outcome("/music /music İ", parent, LIBRARY, 0) == _outcome("İ", parent, LIBRARY, 0)
