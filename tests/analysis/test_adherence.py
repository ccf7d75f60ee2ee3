"""The pure rules of adherence (domain.analysis): folding, tolerances, key matches, the verdict."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.analysis import (
    KEY_MIN_CONFIDENCE,
    TEMPO_MIN_CONFIDENCE,
    TEMPO_TOLERANCE,
    Adherence,
    TrackAnalysis,
    adherence,
    fold_tempo,
    key_matches,
    key_name,
    length_matches,
    tempo_matches,
)
from domain.constants import DURATION_TOLERANCE
from domain.music import MusicError, parse_key


@pytest.mark.parametrize(
    ("measured", "asked", "folded"),
    [
        (60.0, 60, 60.0),
        (120.0, 60, 60.0),  # the tracker counted eighth notes: double time
        (30.0, 60, 60.0),  # half time
        (240.0, 60, 60.0),  # twice doubled
        (90.0, 60, 45.0),  # 3:2 is no octave: the nearer of 90 and 45 (by ratio) is 45
        (80.0, 60, 80.0),
        (61.0, 60, 61.0),
        (123.0, 60, 61.5),
    ],
)
def test_fold_tempo_to_one_asked_tempo(measured: float, asked: int, folded: float) -> None:
    assert fold_tempo(measured, asked) == pytest.approx(folded)


def test_fold_tempo_to_a_range_stays_inside_when_it_can() -> None:
    assert fold_tempo(62.0, 55, 70) == 62.0  # already inside: unchanged
    assert fold_tempo(124.0, 55, 70) == 62.0  # double time of a spa tempo
    assert fold_tempo(230.0, 110, 125) == 115.0
    assert fold_tempo(100.0, 55, 70) == 50.0  # 55/50 is a smaller step than 100/70
    assert fold_tempo(80.0, 55, 70) == 80.0


def test_a_tie_between_folds_keeps_the_measured_tempo() -> None:
    # 30 is 4/3 below 40 and 60 is 4/3 above 45: no fold is the smaller change
    assert fold_tempo(30.0, 40, 45) == 30.0


@pytest.mark.parametrize(
    ("measured", "low", "high"), [(0.0, 60, None), (60.0, -1, None), (60.0, 70, 60)]
)
def test_fold_tempo_refuses_nonsense(measured: float, low: float, high: float | None) -> None:
    with pytest.raises(ValueError, match="positive"):
        fold_tempo(measured, low, high)


def test_tempo_tolerance_is_four_percent_after_folding() -> None:
    assert TEMPO_TOLERANCE == 0.04
    assert tempo_matches(62.4, 60)  # +4 %
    assert not tempo_matches(62.5, 60)
    assert tempo_matches(57.6, 60)  # -4 %
    assert not tempo_matches(57.5, 60)
    assert tempo_matches(2 * 62.0, 60)
    assert not tempo_matches(90.0, 60)
    assert tempo_matches(71.0, 55, 70)  # within 4 % of the range's top
    assert not tempo_matches(75.0, 55, 70)


@given(
    asked=st.integers(min_value=30, max_value=300),
    ratio=st.floats(min_value=0.97, max_value=1.03),
    octave=st.sampled_from([0.25, 0.5, 1.0, 2.0, 4.0]),
)
def test_any_octave_of_a_close_tempo_matches(asked: int, ratio: float, octave: float) -> None:
    assert tempo_matches(asked * ratio * octave, asked)


@pytest.mark.parametrize(
    ("asked", "measured", "same"),
    [
        ("C major", "C major", True),
        ("C major", "A minor", True),  # relative minor
        ("A minor", "C major", True),  # relative major
        ("F# minor", "A major", True),
        ("Eb major", "C minor", True),
        ("Gb minor", "F# minor", True),  # spelling does not matter
        ("f#m", "F# minor", True),  # nor how it was typed
        ("C major", "C minor", False),  # parallel minor: other notes
        ("C major", "G major", False),  # a fifth away
        ("A minor", "E minor", False),
        ("D minor", "D major", False),
    ],
)
def test_key_matches_the_same_key_or_its_relative(asked: str, measured: str, same: bool) -> None:
    assert key_matches(asked, measured) is same


def test_key_matches_refuses_what_is_not_a_key() -> None:
    with pytest.raises(MusicError, match="not a key"):
        key_matches("H major", "C major")


@pytest.mark.parametrize("root", range(12))
def test_key_names_are_canonical_and_relatives_match(root: int) -> None:
    major, minor = key_name(root, "major"), key_name((root + 9) % 12, "minor")
    assert parse_key(major) == major
    assert parse_key(minor) == minor
    assert key_matches(major, minor)


def test_key_names_use_the_usual_spelling() -> None:
    assert [key_name(r, "major") for r in (1, 3, 6, 8, 10)] == [
        "Db major", "Eb major", "F# major", "Ab major", "Bb major"
    ]  # fmt: skip
    assert [key_name(r, "minor") for r in (1, 3, 6, 8, 10)] == [
        "C# minor", "Eb minor", "F# minor", "G# minor", "Bb minor"
    ]  # fmt: skip


def test_length_uses_the_audio_checks_tolerance() -> None:
    assert length_matches(60.0, 60.0 * (1 + DURATION_TOLERANCE))
    assert length_matches(60.0, 60.0 * (1 - DURATION_TOLERANCE))
    assert not length_matches(60.0, 60.0 * (1 + DURATION_TOLERANCE) + 0.01)
    assert not length_matches(60.0, 50.0)


def analysed(**values: object) -> TrackAnalysis:
    fields: dict[str, object] = {
        "analyser": "test 1.0",
        "tempo_bpm": 120.5,
        "tempo_confidence": 0.9,
        "key": "A minor",
        "key_confidence": 0.8,
    }
    return TrackAnalysis(**(fields | values))  # type: ignore[arg-type]


def test_adherence_of_a_track_that_obeys() -> None:
    judged = adherence(
        analysed(), asked_bpm=60, asked_key="C major", asked_duration_s=60, duration_s=60.4
    )
    assert judged == Adherence(
        asked_bpm=60,
        measured_bpm=60.25,
        tempo_ok=True,
        asked_key="C major",
        measured_key="A minor",
        key_ok=True,
        asked_duration_s=60,
        measured_duration_s=60.4,
        length_ok=True,
    )
    assert judged.obeys
    assert judged.judged
    assert judged.missed == ()


def test_adherence_names_every_miss() -> None:
    judged = adherence(
        analysed(tempo_bpm=90.0, key="E minor"),
        asked_bpm=60,
        asked_key="C major",
        asked_duration_s=60,
        duration_s=40.0,
    )
    assert (judged.tempo_ok, judged.key_ok, judged.length_ok) == (False, False, False)
    assert judged.measured_bpm == 90.0  # a miss shows the tempo measured, not a fold of it
    assert not judged.obeys
    assert judged.missed == ("tempo", "key", "length")


def test_nothing_asked_is_not_judged() -> None:
    judged = adherence(
        analysed(), asked_bpm=None, asked_key=None, asked_duration_s=None, duration_s=61.0
    )
    assert (judged.tempo_ok, judged.key_ok, judged.length_ok) == (None, None, None)
    assert judged.measured_bpm is None  # nothing to fold to
    assert judged.measured_key == "A minor"
    assert judged.obeys  # nothing asked was missed
    assert not judged.judged


def test_unsure_or_missing_measurements_never_count_against_a_track() -> None:
    unsure = analysed(
        tempo_bpm=90.0,
        tempo_confidence=TEMPO_MIN_CONFIDENCE / 2,
        key="E minor",
        key_confidence=KEY_MIN_CONFIDENCE / 2,
    )
    for analysis in (unsure, None, analysed(tempo_bpm=None, key=None)):
        judged = adherence(
            analysis, asked_bpm=60, asked_key="C major", asked_duration_s=60, duration_s=None
        )
        assert (judged.tempo_ok, judged.key_ok, judged.length_ok) == (None, None, None)
        assert judged.obeys


def test_analysis_keeps_keys_canonical_and_names_the_mode() -> None:
    assert analysed(key="F# minor").mode == "minor"
    assert analysed(key="Bb major").mode == "major"
    assert analysed(key=None).mode is None
    with pytest.raises(ValueError, match="canonical"):
        analysed(key="f#m")
