"""The loudness and true-peak meter, the peak limiter and loudness-normalised delivery copies."""

from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from numpy.typing import NDArray

from audiofile.codec import probe_audio, read_audio, write_audio
from bot.engine.audio.loudness import (
    LoudnessMeter,
    LoudnessReading,
    integrated_loudness,
    limit_peaks,
    measure_loudness,
)
from bot.engine.audio.qc import normalise_loudness
from bot.engine.audio.windows import WindowSums
from domain.constants import AudioFormat
from standin.audio.synth import SAMPLE_RATE


def sine(seconds: float, peak_dbfs: float, freq: float = 1000.0) -> NDArray[np.float32]:
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    tone = 10 ** (peak_dbfs / 20) * np.sin(2 * np.pi * freq * t)
    return np.stack([tone, tone], axis=1).astype(np.float32)


def peak_dbfs(samples: NDArray[np.float32]) -> float:
    return float(20 * np.log10(np.abs(samples).max()))


@pytest.mark.parametrize("level", [-23.0, -33.0])
def test_ebu_tech_3341_sine_reads_its_level(level: float) -> None:
    """EBU Tech 3341 cases 1-2: a stereo 1 kHz sine at L dBFS reads L LUFS (+/-0.1)."""
    assert integrated_loudness(sine(20, level), SAMPLE_RATE) == pytest.approx(level, abs=0.1)


def test_relative_gate_ignores_quiet_passages() -> None:
    """EBU Tech 3341 case 3: 10 s at -36, 60 s at -23, 10 s at -36 dBFS read -23 LUFS."""
    program = np.concatenate([sine(10, -36), sine(60, -23), sine(10, -36)])

    assert integrated_loudness(program, SAMPLE_RATE) == pytest.approx(-23.0, abs=0.1)


def test_agrees_with_pyloudnorm_on_music(music: NDArray[np.float32]) -> None:
    reference = pyloudnorm.Meter(SAMPLE_RATE).integrated_loudness(music)

    assert integrated_loudness(music, SAMPLE_RATE) == pytest.approx(reference, abs=0.1)


def test_agrees_with_pyloudnorm_on_mono_at_44k1(music: NDArray[np.float32]) -> None:
    from scipy import signal  # an independent resampler (tests only)

    mono = signal.resample_poly(music[:, 0], 147, 160).astype(np.float32)[:, None]
    reference = pyloudnorm.Meter(44_100).integrated_loudness(mono[:, 0])

    assert integrated_loudness(mono, 44_100) == pytest.approx(reference, abs=0.1)


@pytest.mark.parametrize(
    ("channels", "index", "offset_db"),
    [(5, 3, 1.5), (5, 2, 0.0), (6, 3, None), (6, 4, 1.5)],
    ids=["5ch-Ls", "5ch-C", "6ch-LFE", "6ch-Ls"],
)
def test_surround_channels_are_weighted_and_lfe_left_out(
    channels: int, index: int, offset_db: float | None
) -> None:
    """BS.1770: surrounds count 1.41x (+1.5 dB), the LFE of a 5.1 file (4th channel) not at all."""
    program = np.zeros((SAMPLE_RATE * 5, channels), np.float32)
    program[:, index] = sine(5, -23)[:, 0]
    front = np.zeros_like(program)
    front[:, 0] = program[:, index]

    reading = integrated_loudness(program, SAMPLE_RATE)

    if offset_db is None:
        assert reading is None
    else:
        expected = integrated_loudness(front, SAMPLE_RATE)
        assert expected is not None
        assert reading == pytest.approx(expected + offset_db, abs=0.05)


def test_block_size_does_not_change_the_reading(music: NDArray[np.float32]) -> None:
    meter = LoudnessMeter(SAMPLE_RATE, 2)
    for start in range(0, len(music), 12_345):
        meter.add(music[start : start + 12_345])

    assert meter.integrated() == pytest.approx(integrated_loudness(music, SAMPLE_RATE), abs=1e-3)


def test_silence_and_very_short_audio_have_no_loudness() -> None:
    assert integrated_loudness(np.zeros((SAMPLE_RATE * 2, 2), np.float32), SAMPLE_RATE) is None
    assert integrated_loudness(sine(0.39, -20), SAMPLE_RATE) is None
    assert integrated_loudness(sine(0.4, -20), SAMPLE_RATE) is not None


def test_true_peak_finds_the_peak_between_samples() -> None:
    """A 12 kHz sine sampled 45 degrees off its crests: samples reach only -3 dB of the peak."""
    t = np.arange(SAMPLE_RATE * 2) / SAMPLE_RATE
    tone = 0.5 * np.sin(2 * np.pi * 12_000 * t + np.pi / 4)
    stereo = np.stack([tone, 0.5 * tone], axis=1).astype(np.float32)

    reading = measure_loudness(stereo, SAMPLE_RATE)

    assert peak_dbfs(stereo) == pytest.approx(20 * np.log10(0.5) - 3.01, abs=0.05)
    assert reading.true_peak_dbtp == pytest.approx(20 * np.log10(0.5), abs=0.2)
    assert reading.integrated_lufs == integrated_loudness(stereo, SAMPLE_RATE)


def test_true_peak_agrees_with_4x_oversampling_on_music(music: NDArray[np.float32]) -> None:
    from scipy import signal  # an independent oversampler (tests only)

    oversampled = signal.resample_poly(music.astype(np.float64), 4, 1, axis=0)
    expected = 20 * np.log10(np.abs(oversampled).max())

    reading = measure_loudness(music, SAMPLE_RATE)

    assert reading.true_peak_dbtp is not None
    assert reading.true_peak_dbtp == pytest.approx(expected, abs=0.2)
    assert reading.true_peak_dbtp >= peak_dbfs(music) - 1e-6


def test_silence_has_no_true_peak_and_plain_meters_do_not_measure_it() -> None:
    silence = np.zeros((SAMPLE_RATE, 2), np.float32)

    assert measure_loudness(silence, SAMPLE_RATE) == LoudnessReading(None, None)
    with pytest.raises(ValueError, match="true_peak=True"):
        LoudnessMeter(SAMPLE_RATE, 2).true_peak_dbtp()


def test_window_sums_carry_frames_across_blocks() -> None:
    sums = WindowSums(4)
    for block in (np.arange(3.0), np.arange(3.0, 9.0), np.arange(9.0, 11.0)):
        sums.add(block)

    np.testing.assert_array_equal(sums.complete(), [6.0, 22.0])
    assert sums.remainder() == (27.0, 3)


def test_window_sums_complete_a_window_over_several_short_blocks() -> None:
    sums = WindowSums(5)
    for block in (np.arange(2.0), np.arange(2.0, 4.0), np.arange(4.0, 7.0), np.arange(7.0, 8.0)):
        sums.add(block)

    np.testing.assert_array_equal(sums.complete(), [10.0])  # 0+1+2+3+4, across three blocks
    assert sums.remainder() == (18.0, 3)  # 5+6+7


def test_limiter_holds_the_ceiling_and_leaves_quiet_audio_alone() -> None:
    loud = sine(2, 6.0, freq=220)  # peaks at twice full scale
    quiet = sine(2, -10.0, freq=220)
    untouched = quiet.copy()

    limit_peaks(loud, SAMPLE_RATE, -1.0)
    limit_peaks(quiet, SAMPLE_RATE, -1.0)

    assert peak_dbfs(loud) <= -1.0
    assert peak_dbfs(loud) > -1.5  # reduced to the ceiling, not far below it
    np.testing.assert_array_equal(quiet, untouched)


@pytest.mark.parametrize("fmt", ["wav", "flac", "mp3"])
def test_normalised_copy_hits_the_target_without_clipping(
    fmt: AudioFormat, music: NDArray[np.float32], tmp_path: Path
) -> None:
    quiet = music[: SAMPLE_RATE * 6] * np.float32(0.1)  # about -33 LUFS
    source = tmp_path / "quiet.wav"
    write_audio(quiet, SAMPLE_RATE, source, "wav")
    dest = tmp_path / f"delivery.{fmt}"

    source_lufs = integrated_loudness(quiet, SAMPLE_RATE)
    gain_db = normalise_loudness(source, dest, target_lufs=-14.0, fmt=fmt)
    result, rate = read_audio(dest)

    assert pyloudnorm.Meter(rate).integrated_loudness(result) == pytest.approx(-14.0, abs=0.5)
    assert peak_dbfs(result) <= 0.0
    assert source_lufs is not None
    assert gain_db == pytest.approx(-14.0 - source_lufs, abs=1)
    assert probe_audio(dest).format == fmt
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([source.name, dest.name])


def test_a_loud_target_is_reached_by_limiting(music: NDArray[np.float32], tmp_path: Path) -> None:
    source = tmp_path / "take.flac"
    write_audio(music, SAMPLE_RATE, source, "flac")

    gain_db = normalise_loudness(source, source, target_lufs=-9.0, fmt="flac")  # in place
    result, _ = read_audio(source)

    assert integrated_loudness(result, SAMPLE_RATE) == pytest.approx(-9.0, abs=0.5)
    assert peak_dbfs(result) <= -0.9  # the -1 dBFS ceiling, give or take 16-bit rounding
    assert gain_db > 0


def test_loud_sources_are_turned_down(tmp_path: Path) -> None:
    source = tmp_path / "loud.wav"
    write_audio(sine(5, -0.5, freq=220), SAMPLE_RATE, source, "wav")

    gain_db = normalise_loudness(source, tmp_path / "out.wav", target_lufs=-16.0, fmt="wav")
    result, _ = read_audio(tmp_path / "out.wav")

    assert gain_db < -10
    assert integrated_loudness(result, SAMPLE_RATE) == pytest.approx(-16.0, abs=0.5)


def test_silence_is_copied_unchanged(tmp_path: Path) -> None:
    source = tmp_path / "silent.wav"
    write_audio(np.zeros((SAMPLE_RATE, 2), np.float32), SAMPLE_RATE, source, "wav")

    gain_db = normalise_loudness(source, tmp_path / "out.mp3", target_lufs=-14.0, fmt="mp3")

    assert gain_db == 0.0
    assert probe_audio(tmp_path / "out.mp3").frames == SAMPLE_RATE
