"""The analysis measures synthesised signals of known tempo, key, tonal balance and loudness
range as they were made; the stand-in's placeholder music measures as it was asked; and the
analysis rides on the audio check's own decoding pass."""

from pathlib import Path

import numpy as np
import pytest
import soundfile

from audiofile.codec import write_audio
from bot.engine.audio.analysis import analyse, analyse_file, check_and_analyse, warm_up
from bot.engine.audio.qc import check_audio
from domain.analysis import KEY_MIN_CONFIDENCE, TEMPO_MIN_CONFIDENCE, adherence, tempo_matches
from domain.music import key_is_minor, key_root_semitone
from standin.audio.synth import Arrangement, render_placeholder
from tests.analysis import signals

RATE = signals.SAMPLE_RATE
BEAT_PRECISION = 0.01  # a steady beat measures within 1 % (the adherence tolerance is 4 %)


def same_key(measured: str | None, known: str) -> bool:
    return (
        measured is not None
        and key_root_semitone(measured) == key_root_semitone(known)
        and key_is_minor(measured) == key_is_minor(known)
    )


@pytest.mark.parametrize("bpm", [60, 72, 90, 120, 128, 140, 174])
def test_click_tracks_measure_their_tempo(bpm: int) -> None:
    measured = analyse(signals.clicks(bpm, 30), RATE)
    assert measured.tempo_bpm == pytest.approx(bpm, rel=BEAT_PRECISION)
    assert measured.tempo_confidence is not None
    assert measured.tempo_confidence >= TEMPO_MIN_CONFIDENCE


@pytest.mark.parametrize(
    "key",
    ["C major", "A minor", "F# minor", "Eb major", "G major", "B minor", "Bb minor", "E major",
     "Ab major", "C# minor"],
)  # fmt: skip
def test_chord_pads_measure_their_key_and_mode(key: str) -> None:
    measured = analyse(signals.pad(key, 30), RATE)
    assert same_key(measured.key, key), measured.key
    assert measured.key_confidence is not None
    assert measured.key_confidence >= KEY_MIN_CONFIDENCE


@pytest.mark.parametrize(
    ("bpm", "key"), [(64, "D minor"), (100, "A major"), (124, "F minor"), (96, "C# minor")]
)
def test_grooves_measure_tempo_and_key_together(bpm: int, key: str) -> None:
    measured = analyse(signals.groove(bpm, key, 30), RATE)
    assert same_key(measured.key, key), measured.key
    assert measured.tempo_bpm is not None
    assert tempo_matches(measured.tempo_bpm, bpm, tolerance=BEAT_PRECISION)


@pytest.mark.parametrize(
    ("bpm", "feel"),
    [(140, {"kick_every": 2}), (70, {"hats_per_beat": 4}), (64, {"hats_per_beat": 2})],
    ids=["half-time kick", "double-time hats", "eighth hats at 64"],
)
def test_half_and_double_time_fold_to_the_asked_tempo(bpm: int, feel: dict[str, int]) -> None:
    measured = analyse(signals.groove(bpm, "G major", 30, **feel), RATE)  # type: ignore[arg-type]
    assert measured.tempo_bpm is not None
    octave = measured.tempo_bpm / bpm
    assert min(abs(octave - ratio) for ratio in (0.5, 1.0, 2.0)) < 2 * BEAT_PRECISION
    judged = adherence(
        measured, asked_bpm=bpm, asked_key="G major", asked_duration_s=30, duration_s=30.0
    )
    assert judged.tempo_ok is True
    assert judged.measured_bpm == pytest.approx(bpm, rel=BEAT_PRECISION)


def test_a_low_passed_render_measures_dull() -> None:
    bright = analyse(signals.groove(100, "A major", 30), RATE)
    dull = analyse(signals.low_passed(signals.groove(100, "A major", 30), 4_000), RATE)
    assert bright.hf_energy_ratio is not None
    assert dull.hf_energy_ratio is not None
    assert bright.hf_energy_ratio > 0.01  # the hi-hats reach past 8 kHz
    assert dull.hf_energy_ratio < 1e-5  # nothing left there
    assert dull.rolloff_hz is not None
    assert dull.rolloff_hz < 4_000
    assert dull.key == bright.key  # the same music otherwise


def test_rolloff_and_high_frequency_share_of_white_noise() -> None:
    noise = np.random.default_rng(1).standard_normal((RATE * 10, 2)).astype(np.float32) * 0.1
    measured = analyse(noise, RATE)
    # flat spectrum to 24 kHz: 85 % of it lies below 20.4 kHz, 2/3 of it above 8 kHz
    assert measured.rolloff_hz == pytest.approx(0.85 * RATE / 2, rel=0.01)
    assert measured.hf_energy_ratio == pytest.approx(16 / 24, abs=0.01)
    # nothing to judge in noise: neither tempo nor key is confident enough
    assert measured.tempo_confidence is not None
    assert measured.tempo_confidence < TEMPO_MIN_CONFIDENCE
    assert measured.key_confidence is not None
    assert measured.key_confidence < KEY_MIN_CONFIDENCE
    judged = adherence(
        measured, asked_bpm=90, asked_key="D minor", asked_duration_s=10, duration_s=10.0
    )
    assert (judged.tempo_ok, judged.key_ok) == (None, None)


@pytest.mark.parametrize("step_lu", [0.0, 6.0, 10.0])
def test_loudness_range_of_level_steps(step_lu: float) -> None:
    measured = analyse(signals.loudness_steps(120, step_lu), RATE)
    assert measured.loudness_range_lu == pytest.approx(step_lu, abs=1.0)


def test_silence_and_very_short_audio_measure_nothing_and_break_nothing() -> None:
    silent = analyse(np.zeros((RATE * 10, 2), np.float32), RATE)
    assert (silent.tempo_bpm, silent.key, silent.rolloff_hz, silent.hf_energy_ratio) == (
        None, None, None, None
    )  # fmt: skip
    blip = analyse(signals.pad("C major", 1.0), RATE)  # too short for tempo, key or range
    assert (blip.tempo_bpm, blip.key, blip.loudness_range_lu) == (None, None, None)
    assert blip.rolloff_hz is not None
    tiny = analyse(np.full((100, 1), 0.1, np.float32), RATE)  # shorter than one spectrum slice
    assert tiny.tempo_bpm is None


def test_low_sample_rates_have_no_share_above_8_khz() -> None:
    pad = signals.pad("C major", 10, sample_rate=16_000)
    measured = analyse(pad, 16_000)
    assert measured.hf_energy_ratio is None  # 8 kHz is this file's Nyquist frequency
    assert same_key(measured.key, "C major")


@pytest.mark.parametrize(
    ("bpm", "key", "metre"),
    [(60, "C major", "4"), (72, "Bb major", "4"), (90, "F# minor", "3"), (100, "A minor", "4"),
     (124, "E major", "4"), (56, "D minor", "6"), (140, "G major", "2")],
)  # fmt: skip
def test_the_standins_placeholder_music_measures_as_asked(bpm: int, key: str, metre: str) -> None:
    music = render_placeholder(Arrangement(45, bpm, key, metre, seed=bpm))  # type: ignore[arg-type]
    measured = analyse(music, RATE)
    judged = adherence(measured, asked_bpm=bpm, asked_key=key, asked_duration_s=45, duration_s=45)
    assert judged.tempo_ok is True, measured
    assert judged.key_ok is True, measured
    assert judged.obeys


@pytest.mark.parametrize("fmt", ["flac", "mp3"])
def test_the_analysis_rides_on_the_audio_checks_decoding(tmp_path: Path, fmt: str) -> None:
    music = render_placeholder(Arrangement(30, 100, "A minor", "4", seed=1))
    path = tmp_path / f"take.{fmt}"
    write_audio(music, RATE, path, fmt)  # type: ignore[arg-type]
    checked = check_and_analyse(path, expected_duration_s=30)
    assert checked.report == check_audio(path, expected_duration_s=30)  # the check is unchanged
    assert checked.analysis is not None
    assert checked.analysis.analyser.startswith("librosa ")
    assert checked.analysis == analyse_file(path)  # streamed in blocks or whole: the same
    assert checked.analysis.tempo_bpm == pytest.approx(100, rel=BEAT_PRECISION)
    assert same_key(checked.analysis.key, "A minor")


def test_an_undecodable_file_is_checked_but_not_analysed(tmp_path: Path) -> None:
    path = tmp_path / "junk.mp3"
    path.write_bytes(b"not audio at all" * 100)
    checked = check_and_analyse(path, expected_duration_s=30)
    assert checked.report.verdict == "fail"
    assert checked.analysis is None


def test_broken_samples_are_not_analysed(tmp_path: Path) -> None:
    music = signals.pad("C major", 10)
    music[1000:2000] = np.nan
    path = tmp_path / "nan.wav"
    soundfile.write(path, music, RATE, subtype="FLOAT")  # the project's encoder refuses NaN
    checked = check_and_analyse(path, expected_duration_s=10)
    assert checked.report.verdict == "fail"
    assert checked.analysis is None


def test_the_images_warm_up_analysis_measures_its_own_clicks() -> None:
    assert warm_up().tempo_bpm == pytest.approx(120, rel=0.04)


def test_a_steady_tone_has_no_tempo() -> None:
    """A sine's onset envelope is only numerical ripple, which can look periodic: no beat."""
    t = np.arange(11 * RATE, dtype=np.float32) / RATE
    for hz in (220.0, 330.0, 440.0):
        mono = (0.2 * np.sin(2 * np.pi * hz * t)).astype(np.float32)
        measured = analyse(np.stack([mono, mono], axis=1), RATE)
        assert (measured.tempo_bpm, measured.tempo_confidence) == (None, None), hz
