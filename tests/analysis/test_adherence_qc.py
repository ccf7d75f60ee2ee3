"""QC_ADHERENCE: a tempo or key miss as a warning, a failure (strict) or nothing (off)."""

import pytest

from bot.engine.audio.rules import AdherenceMode, judge_adherence
from domain.adherence_words import adherence_words, key_words, misses, tempo_words
from domain.analysis import Adherence, TrackAnalysis, adherence

MEASURED = TrackAnalysis(
    analyser="test", tempo_bpm=90.0, tempo_confidence=0.9, key="F# minor", key_confidence=0.8
)
ON_TEMPO = TrackAnalysis(
    analyser="test", tempo_bpm=122.0, tempo_confidence=0.9, key="A minor", key_confidence=0.8
)


def judged(
    analysis: TrackAnalysis, bpm: float | None = 60, key: str | None = "C major"
) -> Adherence:
    return adherence(analysis, asked_bpm=bpm, asked_key=key, asked_duration_s=None, duration_s=None)


def test_an_obeying_track_is_worded_asked_then_measured_without_a_mark() -> None:
    obeyed = judged(ON_TEMPO)  # 122 folds to 61; A minor is C major's relative minor
    assert tempo_words(ON_TEMPO, obeyed) == "asked 60 BPM, measured 61"
    assert key_words(ON_TEMPO, obeyed) == "asked C major, measured A minor"
    assert adherence_words(ON_TEMPO, obeyed) == (
        "asked 60 BPM, measured 61 · asked C major, measured A minor"
    )
    assert misses(obeyed) == ()


def test_a_miss_is_marked_and_becomes_a_problem_sentence() -> None:
    missed = judged(MEASURED)
    assert tempo_words(MEASURED, missed) == "❌ asked 60 BPM, measured 90 (tempo missed)"
    assert key_words(MEASURED, missed) == "❌ asked C major, measured F# minor (key missed)"
    assert misses(missed) == (
        "tempo off the request: asked 60 BPM, measured 90",
        "key off the request: asked C major, measured F# minor",
    )


def test_no_analysis_says_nothing_and_never_none() -> None:
    assert adherence_words(None, None) == ""
    assert adherence_words(None, Adherence(asked_bpm=60)) == ""
    assert misses(None) == ()


def test_nothing_asked_shows_what_was_measured() -> None:
    free = judged(MEASURED, bpm=None, key=None)
    assert adherence_words(MEASURED, free) == "measured 90 BPM · measured F# minor"


def test_an_unsure_measurement_is_said_so_and_not_held_against_the_track() -> None:
    unsure = TrackAnalysis(analyser="test", tempo_bpm=90.0, tempo_confidence=0.05)
    result = judged(unsure)
    assert tempo_words(unsure, result) == "asked 60 BPM, no clear beat to measure"
    assert key_words(unsure, result) == "asked C major, key not clear enough to measure"
    assert misses(result) == ()


@pytest.mark.parametrize(
    ("verdict", "mode", "expected"),
    [
        ("pass", "warn", "warn"),
        ("warn", "warn", "warn"),
        ("fail", "warn", "fail"),
        ("pass", "strict", "fail"),
        ("warn", "strict", "fail"),
        ("pass", "off", "pass"),
        ("warn", "off", "warn"),
    ],
)
def test_a_miss_changes_the_verdict_by_mode(
    verdict: str, mode: AdherenceMode, expected: str
) -> None:
    problems = ("too quiet: -30.0 LUFS",) if verdict != "pass" else ()
    new_verdict, new_problems = judge_adherence(verdict, problems, judged(MEASURED), mode)
    assert new_verdict == expected
    if mode == "off":
        assert new_problems == problems
    else:
        assert new_problems == (*problems, *misses(judged(MEASURED)))


@pytest.mark.parametrize("mode", ["warn", "strict", "off"])
def test_no_analysis_or_an_obeying_take_changes_nothing(mode: AdherenceMode) -> None:
    for given in (None, judged(ON_TEMPO), Adherence(asked_bpm=60.0)):
        assert judge_adherence("pass", (), given, mode) == ("pass", ())
        assert judge_adherence("fail", ("silent",), given, mode) == ("fail", ("silent",))


def test_a_length_miss_is_left_to_the_duration_check() -> None:
    short = Adherence(asked_duration_s=180.0, measured_duration_s=120.0, length_ok=False)
    assert judge_adherence("warn", ("duration 120 s",), short, "strict") == (
        "warn",
        ("duration 120 s",),
    )
