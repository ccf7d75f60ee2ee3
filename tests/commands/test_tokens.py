"""The reusable pieces on their own: scan/recognisers, value readers, tempo words, text helpers."""

import pytest

from commands.errors import UsageError
from commands.parsing import Findings, Slot, TempoWord, scan, tempo_for
from commands.parsing import values as v
from commands.parsing.text import clean_words, decades, split_lyrics, strip_command
from commands.parsing.tokens import BLANK


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # thread refinements reuse scan() as is
        ("slower, more piano", [(Slot.TEMPO, TempoWord.SLOW)]),
        ("5min", [(Slot.DURATION, 300)]),
        ("in D minor", [(Slot.KEY, "D minor")]),
        ("x3", [(Slot.VARIANTS, 3)]),
        ("faster x2 in Am 3/4", [(Slot.TEMPO, TempoWord.FAST), (Slot.VARIANTS, 2),
                                 (Slot.KEY, "A minor"), (Slot.TIME_SIGNATURE, "3")]),
        ("seed=9 wav enhance", [(Slot.SEED, 9), (Slot.FORMAT, "wav"), (Slot.ENHANCE, True)]),
        ("vocals please", [(Slot.VOCALS, True)]),
        ("more piano", []),
    ],
)  # fmt: skip
def test_scan_finds_tokens_in_text_order(text: str, expected: list[tuple[Slot, object]]) -> None:
    assert [(hit.slot, hit.value) for hit in scan(text).hits] == expected


def test_scan_blanks_what_it_consumed() -> None:
    result = scan("more piano 5min x2")
    assert result.rest.replace(BLANK, " ").split() == ["more", "piano"]
    assert len(result.rest) == len("more piano 5min x2")


def test_scan_keeps_vocal_words_for_the_caption() -> None:
    result = scan("female vocals")
    assert result.rest == "female vocals"


def test_hits_remember_the_words_typed() -> None:
    hits = scan("jazz  3   min in  D  minor").hits
    assert [hit.words for hit in hits] == ["3 min", "in D minor"]


def test_findings_accept_repeats_and_refuse_contradictions() -> None:
    findings = Findings(scan("3min 180s slow slower").hits)
    assert findings.integer(Slot.DURATION) == 180
    assert findings.tempo() is TempoWord.SLOW
    with pytest.raises(UsageError, match="two different durations: '3min' and '4min'"):
        Findings(scan("3min 4min").hits)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("3min", 180), ("3 minutes", 180), ("90s", 90), ("90 sec", 90), ("2:30", 150),
     ("1m30s", 90), ("1.5min", 90), ("200", 200), ("10", 10), ("600", 600), (" 4 min ", 240)],
)  # fmt: skip
def test_read_duration(text: str, seconds: int) -> None:
    assert v.read_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [("9", "too short"), ("601", "too long"), ("11min", "too long"), ("soon", "not a length")],
)
def test_read_duration_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        v.read_duration(text)


def test_readers() -> None:
    assert v.read_variants("x4") == 4
    assert v.read_tempo("120bpm") == 120
    assert v.read_tempo("Upbeat") is TempoWord.UPBEAT
    assert v.read_key("bb minor") == "Bb minor"
    assert v.read_time_signature("6/8") == "6"
    assert v.read_seed("00042") == 42
    assert v.read_model("acestep-v15-turbo") == "acestep-v15-turbo"
    assert v.read_format("WAV") == "wav"
    assert v.read_steps("50") == 50
    assert v.read_guidance("7.5") == 7.5
    assert v.read_language("Japanese") == "ja"
    assert v.read_language("YUE") == "yue"
    assert v.read_switch("enhance", "on") is True
    assert v.whole_number("9" * 5000) > v.SEED_MAX  # never int() of a huge string


@pytest.mark.parametrize(
    ("word", "preset_range", "bpm"),
    [
        (TempoWord.SLOW, None, 70),
        (TempoWord.RELAXED, None, 85),
        (TempoWord.MEDIUM, None, 100),
        (TempoWord.UPBEAT, None, 120),
        (TempoWord.ENERGETIC, None, 128),
        (TempoWord.FAST, None, 140),
        (TempoWord.SLOW, (50, 80), 53),
        (TempoWord.FAST, (50, 80), 77),
        (TempoWord.MEDIUM, (110, 150), 130),
        (TempoWord.SLOW, (90, 90), 90),
    ],
)
def test_tempo_words(word: TempoWord, preset_range: tuple[int, int] | None, bpm: int) -> None:
    assert tempo_for(word, preset_range) == bpm


def test_tempo_words_are_ordered() -> None:
    levels = list(TempoWord)
    assert [tempo_for(w) for w in levels] == sorted(tempo_for(w) for w in levels)
    assert [tempo_for(w, (60, 100)) for w in levels] == sorted(
        tempo_for(w, (60, 100)) for w in levels
    )


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("  smooth   jazz ", "smooth jazz"),
        ("make me some jazz for the", "jazz"),
        ("jazz, , piano ;; -- strings!!", "jazz, piano, strings"),
        ("music", ""),
        ("some background music please", ""),
        ("world music", "world music"),
        ("r&b, lo-fi, c# minor-ish", "r&b, lo-fi, c# minor-ish"),
        (f"jazz{BLANK * 4}piano", "jazz piano"),
        ("jazz\x07\u200bpiano", "jazz piano"),
        ("(bossa nova)", "bossa nova"),
    ],
)
def test_clean_words(text: str, cleaned: str) -> None:
    assert clean_words(text) == cleaned


def test_lyrics_split_and_prefix() -> None:
    assert split_lyrics("pop lyrics: [verse]\n la la ") == ("pop ", "[verse]\n la la")
    assert split_lyrics("pop LYRIC= hi: there lyrics: again") == ("pop ", "hi: there lyrics: again")
    assert split_lyrics("pop lyricsless") == ("pop lyricsless", None)
    assert strip_command("  /MUSIC spa") == " spa"
    assert strip_command("/musical spa") == "/musical spa"
    assert decades("90s pop, 1980s funk, 80's soul, 95s") == ["90s", "1980s", "80's"]
