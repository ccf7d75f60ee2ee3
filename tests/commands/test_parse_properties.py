"""Property tests: any text gives a valid request or a UsageError — never another exception."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.errors import UsageError
from commands.parsing import GenerationDefaults, ParsedGeneration, parse_generation
from domain import constants as c
from presets import PresetLibrary, load_presets

LIBRARY: PresetLibrary = load_presets()
TOKENS = [
    "3min", "3 min", "10 minutes", "90s", "90 sec", "2:30", "12:00", "1m30s", "1.5min", "0s",
    "x4", "x0", "x12", "×2", "4 variants", "9 versions", "120bpm", "500 bpm", "bpm=60", "tempo=",
    "slow", "slower", "relaxed", "medium", "upbeat", "fast", "energetic", "in D minor", "in F#m",
    "in a", "in H minor", "in", "key=H", "key: Bb major", "key=", "3/4", "5/4", "6/8", "24/7",
    "seed=42", "seed=-3", "seed=99999999999999999999999", "model=turbo", "model=", "format=wav",
    "wav", "flac", "ogg", "steps=8", "steps=999", "guidance=7.5", "guidance=nan", "lang=ja",
    "lang=zz", "enhance", "enhance=maybe", "instrumental", "vocals", "no vocals", "lyrics: la la",
    "lyrics:", "hotel lobby", "hotel-lobby", "lobby", "spa", "fast food", "cafe", "café",
    "preset=cafe", "preset=nope", "preset=", "jazz", "ambient", "soft piano", "no drums", ",", ";",
    "/music", "=", ":", "a", "the", "90s", "1990s", "foo=bar", "note:", "\n", "#", "-", "'", "٣min",
    "３min", "ſeed=1", "\x00", "İ", "x", "min", "bpm",
]  # fmt: skip
DEFAULTS = GenerationDefaults()

token_soup = st.lists(
    st.one_of(st.sampled_from(TOKENS), st.text(max_size=6)), min_size=0, max_size=12
).flatmap(lambda parts: st.sampled_from([" ", "", ", ", "\t"]).map(lambda sep: sep.join(parts)))


def _outcome(text: str, seed: int) -> ParsedGeneration | UsageError:
    try:
        return parse_generation(text, presets=LIBRARY, defaults=DEFAULTS, rng_seed=seed)
    except UsageError as error:
        return error


def _check(text: str, seed: int) -> None:
    outcome = _outcome(text, seed)
    if isinstance(outcome, UsageError):
        assert outcome.message.strip()
        assert outcome.example.startswith("/music ")
        return
    _assert_within_limits(outcome)
    assert _outcome(text, seed) == outcome  # deterministic for a seed


def _assert_within_limits(parsed: ParsedGeneration) -> None:
    request = parsed.request
    assert 1 <= len(request.caption) <= c.CAPTION_MAX_CHARS
    assert request.caption == request.caption.strip()
    assert c.DURATION_MIN_S <= request.duration_s <= c.DURATION_MAX_S
    assert request.bpm is None or c.BPM_MIN <= request.bpm <= c.BPM_MAX
    assert c.VARIANTS_MIN <= request.variants <= c.VARIANTS_MAX
    assert request.audio_format in c.AUDIO_FORMATS
    assert request.language in c.LANGUAGES
    assert request.instrumental == (request.lyrics == "")
    assert request.time_signature is None or request.time_signature in c.TIME_SIGNATURES.values()
    assert (request.preset_id is None) == (request.preset_version is None)
    assert all(isinstance(note, str) and note for note in parsed.notes)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(), seed=st.integers(min_value=0, max_value=2**31))
def test_any_text_parses_or_is_a_usage_error(text: str, seed: int) -> None:
    _check(text, seed)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=token_soup, seed=st.integers(min_value=0, max_value=2**31))
def test_token_soup_parses_or_is_a_usage_error(text: str, seed: int) -> None:
    _check(text, seed)
