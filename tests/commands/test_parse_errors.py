"""Bad input gets a specific UsageError: what was wrong, and a command that works."""

import pytest

from commands.errors import UsageError
from commands.parsing import GenerationDefaults
from commands.parsing import messages as msg

from .helpers import Parse

# (text, fragments the message must contain, the example shown)
ERRORS: list[tuple[str, tuple[str, ...], str]] = [
    # nothing to make
    ("", ("Tell me what to make", "hotel-lobby", "spa"), msg.EXAMPLE_BASIC),
    ("/music", ("Tell me what to make",), msg.EXAMPLE_BASIC),
    ("   3min x2 ", ("Tell me what to make",), msg.EXAMPLE_BASIC),
    ("make me some music please", ("Tell me what to make",), msg.EXAMPLE_BASIC),
    # duration limits
    (
        "spa 15min",
        ("Duration 15min is too long: ACE-Step makes 10 s to 10 min.",),
        msg.EXAMPLE_DURATION,
    ),
    ("jazz 601s", ("Duration 601s is too long",), msg.EXAMPLE_DURATION),
    ("jazz 10:01", ("Duration 10:01 is too long",), msg.EXAMPLE_DURATION),
    (
        "jazz 5s",
        ("Duration 5s is too short: ACE-Step makes 10 s to 10 min.",),
        msg.EXAMPLE_DURATION,
    ),
    ("jazz 0 min", ("Duration 0 min is too short",), msg.EXAMPLE_DURATION),
    ("jazz 99999999999999999999min", ("is too long",), msg.EXAMPLE_DURATION),
    ("jazz duration=forever", ("'forever' is not a length I can read",), msg.EXAMPLE_DURATION),
    # variants
    ("jazz x0", ("'x0' asks for a number of variants", "1 to 8"), msg.EXAMPLE_VARIANTS),
    ("jazz x12", ("'x12'", "1 to 8"), msg.EXAMPLE_VARIANTS),
    ("jazz 9 variants", ("'9 variants'",), msg.EXAMPLE_VARIANTS),
    ("jazz variants=many", ("'many'",), msg.EXAMPLE_VARIANTS),
    # tempo
    (
        "jazz 12bpm",
        ("Tempo 12bpm is outside what ACE-Step takes: 30 to 300 bpm.",),
        msg.EXAMPLE_TEMPO,
    ),
    ("jazz 400 bpm", ("Tempo 400 bpm is outside",), msg.EXAMPLE_TEMPO),
    ("jazz bpm=12", ("Tempo 12 is outside",), msg.EXAMPLE_TEMPO),
    ("jazz 120.5bpm", ("not a whole number",), msg.EXAMPLE_TEMPO),
    ("jazz tempo=zippy", ("'zippy' is not a tempo I can read",), msg.EXAMPLE_TEMPO),
    # keys and time signatures
    ("jazz key=H", ("'H' is not a key I know", "'D minor'"), msg.EXAMPLE_KEY),
    ("jazz in H minor", ("'H minor' is not a key I know",), msg.EXAMPLE_KEY),
    ("jazz key=xyz", ("'xyz' is not a key I know",), msg.EXAMPLE_KEY),
    (
        "jazz 5/4",
        ("ACE-Step cannot do a 5/4 time signature. It knows 2/4, 2/2, 3/4, 4/4, 6/8.",),
        msg.EXAMPLE_TIME_SIGNATURE,
    ),
    ("jazz 7/8", ("cannot do a 7/8",), msg.EXAMPLE_TIME_SIGNATURE),
    ("jazz time=12/8", ("cannot do a 12/8",), msg.EXAMPLE_TIME_SIGNATURE),
    # engine settings
    ("jazz seed=-1", ("'-1' is not a seed", "4294967295"), msg.EXAMPLE_SEED),
    ("jazz seed=4294967296", ("'4294967296' is not a seed",), msg.EXAMPLE_SEED),
    ("jazz seed=abc", ("'abc' is not a seed",), msg.EXAMPLE_SEED),
    ("jazz model=!!", ("'!!' is not a model name",), msg.EXAMPLE_MODEL),
    ("jazz format=ogg", ("it cannot make 'ogg'", "mp3, wav, flac"), msg.EXAMPLE_FORMAT),
    ("jazz m4a", ("it cannot make 'm4a'",), msg.EXAMPLE_FORMAT),
    ("jazz steps=0", ("'0' is not a step count", "1 to 200"), msg.EXAMPLE_STEPS),
    ("jazz steps=201", ("'201' is not a step count",), msg.EXAMPLE_STEPS),
    ("jazz steps=8.5", ("'8.5' is not a step count",), msg.EXAMPLE_STEPS),
    ("jazz guidance=0.5", ("'0.5' is not a guidance", "1.0 to 30.0"), msg.EXAMPLE_GUIDANCE),
    ("jazz guidance=31", ("'31' is not a guidance",), msg.EXAMPLE_GUIDANCE),
    ("jazz lang=jp", ("'jp' is not a vocal language", "Did you mean ja?"), msg.EXAMPLE_LANGUAGE),
    ("jazz language=klingon", ("'klingon' is not a vocal language",), msg.EXAMPLE_LANGUAGE),
    ("jazz lang=unknown", ("'unknown' is not a vocal language",), msg.EXAMPLE_LANGUAGE),
    ("jazz enhance=maybe", ("enhance= takes yes or no (got 'maybe')",), msg.EXAMPLE_ENHANCE),
    (
        "jazz bmp=120",
        ("I don't know the setting 'bmp='", "Did you mean bpm=?"),
        msg.EXAMPLE_SETTINGS,
    ),
    ("jazz foo=bar", ("I don't know the setting 'foo='",), msg.EXAMPLE_SETTINGS),
    # contradictions name both
    ("jazz 3min 5min", ("two different durations: '3min' and '5min'",), msg.EXAMPLE_DURATION),
    ("jazz x2 x4", ("two different variant counts: 'x2' and 'x4'",), msg.EXAMPLE_VARIANTS),
    ("jazz 90bpm 120bpm", ("two different tempos: '90bpm' and '120bpm'",), msg.EXAMPLE_TEMPO),
    ("slow jazz 120bpm", ("two different tempos: 'slow' and '120bpm'",), msg.EXAMPLE_TEMPO),
    ("upbeat relaxed jazz", ("two different tempos: 'upbeat' and 'relaxed'",), msg.EXAMPLE_TEMPO),
    ("jazz in D minor key=E", ("two different keys: 'in D minor' and 'key=E'",), msg.EXAMPLE_KEY),
    (
        "jazz 3/4 6/8",
        ("two different time signatures: '3/4' and '6/8'",),
        msg.EXAMPLE_TIME_SIGNATURE,
    ),
    ("jazz wav flac", ("two different formats: 'wav' and 'flac'",), msg.EXAMPLE_FORMAT),
    ("jazz seed=1 seed=2", ("two different seeds",), msg.EXAMPLE_SEED),
    ("jazz enhance enhance=no", ("two different enhance settings",), msg.EXAMPLE_ENHANCE),
    (
        "preset=spa preset=cafe",
        ("two different presets: 'preset=spa' and 'preset=cafe'",),
        msg.EXAMPLE_PRESET,
    ),
    # vocals and lyrics
    ("jazz vocals", ("'vocals' needs lyrics", "after 'lyrics:'"), msg.EXAMPLE_LYRICS),
    ("vocal jazz 3min", ("'vocal' needs lyrics",), msg.EXAMPLE_LYRICS),
    (
        "jazz instrumental lyrics: la la",
        ("You asked for 'instrumental' and also gave lyrics",),
        msg.EXAMPLE_LYRICS,
    ),
    ("jazz no vocals lyrics: la", ("'no vocals' and also gave lyrics",), msg.EXAMPLE_LYRICS),
    ("jazz instrumental vocals", ("two different vocal settings",), msg.EXAMPLE_LYRICS),
    ("jazz lyrics:   ", ("'lyrics:' is followed by nothing",), msg.EXAMPLE_LYRICS),
    (
        "jazz lyrics: " + "la " * 1500,
        ("The lyrics are 4499 characters long", "at most 4096"),
        msg.EXAMPLE_LYRICS,
    ),
    # presets and caption length
    (
        "preset=nope",
        ("There is no preset 'nope'. Presets: cafe, fashion-retail",),
        msg.EXAMPLE_PRESET,
    ),
    ("jazz " + "word " * 250, ("The description is", "at most 1000"), msg.EXAMPLE_BASIC),
]


@pytest.mark.parametrize(
    ("text", "fragments", "example"), ERRORS, ids=[row[0][:40] for row in ERRORS]
)
def test_usage_errors(parse: Parse, text: str, fragments: tuple[str, ...], example: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse(text)
    for fragment in fragments:
        assert fragment in caught.value.message
    assert caught.value.example == example
    assert str(caught.value) == caught.value.message


def test_examples_really_work(parse: Parse) -> None:
    examples = {example for _, _, example in ERRORS} | set(msg.SLOT_EXAMPLES.values())
    for example in examples:
        assert parse(example).request


def test_bad_defaults_become_a_usage_error(parse: Parse) -> None:
    with pytest.raises(UsageError, match="I could not build that request: language"):
        parse("jazz lyrics: la", defaults=GenerationDefaults(language="xx"))
