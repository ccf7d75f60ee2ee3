"""Encoding, atomic writing, decoding and probing of mp3, wav and flac files."""

import io
from pathlib import Path

import mutagen.mp3
import numpy as np
import pytest
import soundfile as sf
from numpy.typing import NDArray

from audiofile.codec import (
    MP3_CBR_KBPS,
    AudioDecodeError,
    AudioInfo,
    encode_audio,
    probe_audio,
    read_audio,
    transcode,
    write_audio,
)
from domain.constants import AudioFormat
from standin.audio.synth import SAMPLE_RATE

FORMATS: tuple[AudioFormat, ...] = ("wav", "flac", "mp3")
LSB = 1 / 32768


def test_lossless_formats_round_trip_to_16_bit_precision(music: NDArray[np.float32]) -> None:
    for fmt in ("wav", "flac"):
        decoded, rate = sf.read(io.BytesIO(encode_audio(music, SAMPLE_RATE, fmt)), dtype="float32")

        assert rate == SAMPLE_RATE
        np.testing.assert_allclose(decoded, music, atol=LSB)


def test_mp3_round_trip_keeps_length_and_sound(music: NDArray[np.float32]) -> None:
    clip = music[: SAMPLE_RATE * 4]
    decoded, _ = sf.read(io.BytesIO(encode_audio(clip, SAMPLE_RATE, "mp3")), dtype="float32")
    error = np.sqrt(np.mean(np.square(decoded - clip)))

    assert decoded.shape == clip.shape
    assert error < 0.1 * np.sqrt(np.mean(np.square(clip)))  # lossy, yet the same music


@pytest.mark.parametrize("fmt", FORMATS)
def test_write_read_and_probe_agree(
    fmt: AudioFormat, music: NDArray[np.float32], tmp_path: Path
) -> None:
    clip = music[: SAMPLE_RATE * 3]
    path = tmp_path / f"track.{fmt}"

    write_audio(clip, SAMPLE_RATE, path, fmt)
    samples, rate = read_audio(path)

    assert probe_audio(path) == AudioInfo(3.0, SAMPLE_RATE, 2, len(clip), fmt)
    assert samples.dtype == np.dtype(np.float32)
    assert (samples.shape, rate) == (clip.shape, SAMPLE_RATE)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind


def test_transcode_block_by_block_matches_encoding_the_whole_signal(
    music: NDArray[np.float32], tmp_path: Path
) -> None:
    clip = music[: SAMPLE_RATE * 3]
    source, whole, blocks = tmp_path / "take.wav", tmp_path / "whole.mp3", tmp_path / "blocks.mp3"
    write_audio(clip, SAMPLE_RATE, source, "wav")
    write_audio(read_audio(source)[0], SAMPLE_RATE, whole, "mp3")

    transcode(source, blocks, "mp3", block_frames=10_000)  # many blocks, the last one short

    assert probe_audio(blocks) == probe_audio(whole)
    decoded, _ = read_audio(blocks)
    np.testing.assert_allclose(decoded, read_audio(whole)[0], atol=1e-3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocks.mp3", "take.wav", "whole.mp3"]


def test_transcode_clips_each_block_and_refuses_broken_samples(tmp_path: Path) -> None:
    loud, broken = tmp_path / "loud.wav", tmp_path / "broken.wav"
    sf.write(loud, np.full((1000, 2), 1.5), SAMPLE_RATE, subtype="FLOAT")
    samples = np.zeros((1000, 2))
    samples[500] = np.nan
    sf.write(broken, samples, SAMPLE_RATE, subtype="FLOAT")

    transcode(loud, tmp_path / "clipped.flac", "flac", block_frames=300)
    with pytest.raises(ValueError, match="NaN"):
        transcode(broken, tmp_path / "never.flac", "flac", block_frames=300)

    assert read_audio(tmp_path / "clipped.flac")[0].max() == pytest.approx(1.0, abs=LSB)
    assert not (tmp_path / "never.flac").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.wav", "clipped.flac", "loud.wav"]


def test_write_replaces_an_existing_file_and_creates_folders(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "take.wav"
    write_audio(np.zeros((100, 2), np.float32), SAMPLE_RATE, path, "wav")
    write_audio(np.zeros((200, 2), np.float32), SAMPLE_RATE, path, "wav")

    assert probe_audio(path).frames == 200


def test_a_failed_write_leaves_the_old_file_and_no_debris(tmp_path: Path) -> None:
    path = tmp_path / "take.flac"
    write_audio(np.zeros((100, 2), np.float32), SAMPLE_RATE, path, "flac")
    broken = np.full((100, 2), np.nan, np.float32)

    with pytest.raises(ValueError, match="NaN"):
        write_audio(broken, SAMPLE_RATE, path, "flac")

    assert probe_audio(path).frames == 100
    assert [p.name for p in tmp_path.iterdir()] == ["take.flac"]


def test_out_of_range_samples_are_clipped_not_wrapped() -> None:
    loud = np.array([[1.5, -2.0], [0.5, -0.5]], dtype=np.float32)

    decoded, _ = sf.read(io.BytesIO(encode_audio(loud, SAMPLE_RATE, "wav")), dtype="float32")

    np.testing.assert_allclose(decoded, [[1.0, -1.0], [0.5, -0.5]], atol=LSB)


def test_mono_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "mono.flac"
    write_audio(np.zeros(480, np.float32), SAMPLE_RATE, path, "flac")

    assert probe_audio(path).channels == 1


@pytest.mark.parametrize("kbps", MP3_CBR_KBPS)
def test_mp3_at_a_constant_bitrate_has_exactly_that_bitrate_and_no_tags(
    kbps: int, music: NDArray[np.float32]
) -> None:
    data = encode_audio(music[: SAMPLE_RATE * 2], SAMPLE_RATE, "mp3", mp3_kbps=kbps)

    info = mutagen.mp3.MP3(io.BytesIO(data))
    assert (info.info.bitrate, info.info.bitrate_mode) == (kbps * 1000, mutagen.mp3.BitrateMode.CBR)
    assert info.tags is None


def test_mp3_without_a_bitrate_stays_variable(music: NDArray[np.float32]) -> None:
    data = encode_audio(music[: SAMPLE_RATE * 2], SAMPLE_RATE, "mp3")

    assert mutagen.mp3.MP3(io.BytesIO(data)).info.bitrate_mode == mutagen.mp3.BitrateMode.VBR


@pytest.mark.parametrize(
    ("fmt", "kbps", "rate", "message"),
    [
        ("mp3", 100, SAMPLE_RATE, "100 kbps is not offered"),
        ("mp3", 192, 22_050, "32000 Hz or more"),
        ("wav", 192, SAMPLE_RATE, "mp3 only"),
    ],
)
def test_unusable_bitrates_are_refused(
    fmt: AudioFormat, kbps: int, rate: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        encode_audio(np.zeros((rate, 2), np.float32), rate, fmt, mp3_kbps=kbps)


@pytest.mark.parametrize(
    ("samples", "fmt", "message"),
    [
        (np.zeros((10, 3), np.float32), "mp3", "at most 2 channels"),
        (np.zeros((10, 2), np.int16), "wav", "float array"),
        (np.zeros((2, 2, 2), np.float32), "wav", "float array"),
        (np.zeros((10, 2), np.float32), "ogg", "cannot encode 'ogg'"),
    ],
)
def test_unencodable_input_is_refused(samples: NDArray[np.generic], fmt: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        encode_audio(samples, SAMPLE_RATE, fmt)  # type: ignore[arg-type]


def _header_only_wav(path: Path) -> None:
    buffer = io.BytesIO()
    sf.write(buffer, np.zeros((100, 2), np.float32), SAMPLE_RATE, format="WAV")
    path.write_bytes(buffer.getvalue()[:30])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda path: None, "cannot be opened"),
        (lambda path: path.write_bytes(b""), "empty"),
        (lambda path: path.write_bytes(b"<html>502 Bad Gateway</html>" * 20), "not readable"),
        (_header_only_wav, "not readable"),
        (lambda path: path.mkdir(), "not a file"),
    ],
    ids=["missing", "zero-bytes", "html-error-page", "header-only", "folder"],
)
def test_unreadable_files_raise_a_plain_message(make: object, message: str, tmp_path: Path) -> None:
    path = tmp_path / "take.mp3"
    make(path)  # type: ignore[operator]

    for read in (read_audio, probe_audio):
        with pytest.raises(AudioDecodeError, match=message) as caught:
            read(path)
        assert "take.mp3" in str(caught.value)
        assert str(tmp_path) not in str(caught.value)  # no server paths in user-facing text
