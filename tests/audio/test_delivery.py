"""Delivery files: loudness and true peak measured with an independent decoder and meter, tags read
back with mutagen, fades only on abrupt edges, nothing half-written on failure.

The files are written by libsndfile (LAME / libFLAC) and measured by the renderer with libebur128;
here they are decoded by miniaudio (dr_mp3 / dr_flac), loudness is measured with pyloudnorm and
the true peak by 4x oversampling with scipy — none of the writer's own code.
"""

import errno
from pathlib import Path

import miniaudio
import mutagen.flac
import mutagen.id3
import mutagen.mp3
import numpy as np
import pyloudnorm
import pytest
from numpy.typing import NDArray
from scipy import signal

from bot.engine.audio import delivery
from bot.engine.audio.delivery import (
    ABRUPT_EDGE_DBFS,
    DeliveredFile,
    abrupt_edges,
    render_delivery,
)
from bot.engine.audio.render import SAMPLE_RATE, RenderError
from domain.catalogue import DeliverySpec, TrackTags
from tests.audio.conftest import WriteFile

TAGS = TrackTags(
    title="Lobby Evening Jazz 0417",
    artist="Hotel Sound Co",
    album="Lobby",
    genre="lounge jazz",
    bpm=96,
    key="A minor",
    year=2026,
    comment="acemusic track 417 (job 12, variant 1)",
    track_id=417,
)
LOUDNESS_TOLERANCE_LU = 0.5
PEAK_TOLERANCE_DB = 0.1  # another decoder and another oversampling filter may differ this much


def decode_independently(path: Path) -> NDArray[np.float32]:
    """miniaudio's decoder, 48 kHz stereo float32."""
    decoded = miniaudio.decode_file(
        str(path),
        output_format=miniaudio.SampleFormat.FLOAT32,
        nchannels=2,
        sample_rate=SAMPLE_RATE,
    )
    return np.asarray(decoded.samples, dtype=np.float32).reshape(-1, 2)


def loudness(samples: NDArray[np.float32]) -> float:
    return float(pyloudnorm.Meter(SAMPLE_RATE).integrated_loudness(samples.astype(np.float64)))


def true_peak(samples: NDArray[np.float32]) -> float:
    oversampled = signal.resample_poly(samples.astype(np.float64), 4, 1, axis=0)
    return float(20 * np.log10(np.abs(oversampled).max()))


def cut_music(music: NDArray[np.float32], seconds: float = 6.0) -> NDArray[np.float32]:
    """A stretch cut out of the middle of a track (abrupt at both ends), at full scale."""
    start = round(2.0 * SAMPLE_RATE)
    piece = music[start : start + round(seconds * SAMPLE_RATE)].copy()
    piece /= np.abs(piece).max()
    return piece


def assert_level(path: Path, spec: DeliverySpec, written: DeliveredFile) -> None:
    decoded = decode_independently(path)
    assert abs(loudness(decoded) - spec.target_lufs) <= LOUDNESS_TOLERANCE_LU
    assert true_peak(decoded) <= spec.ceiling_dbtp + PEAK_TOLERANCE_DB
    assert written.true_peak_dbtp <= spec.ceiling_dbtp  # the renderer's own measure holds it too
    assert abs(written.integrated_lufs - spec.target_lufs) <= LOUDNESS_TOLERANCE_LU


def test_mp3_is_on_target_under_the_ceiling_faded_and_tagged_id3v24(
    music: NDArray[np.float32], write_file: WriteFile, tmp_path: Path
) -> None:
    source = write_file(cut_music(music), "cut.wav")
    dest = tmp_path / "out" / "lobby-evening-jazz-0417.mp3"
    spec = DeliverySpec(fmt="mp3", target_lufs=-14.0, ceiling_dbtp=-1.0)

    written = render_delivery(source, dest, spec, TAGS)

    assert_level(dest, spec, written)
    assert written.faded_in
    assert written.faded_out
    decoded = decode_independently(dest)
    assert np.abs(decoded[:48]).max() < 0.05  # the first millisecond fades in from silence
    id3 = mutagen.id3.ID3(dest)
    assert id3.version[:2] == (2, 4)
    assert str(id3["TIT2"]) == TAGS.title
    assert str(id3["TPE1"]) == str(id3["TPE2"]) == TAGS.artist
    assert str(id3["TALB"]) == TAGS.album
    assert str(id3["TCON"]) == TAGS.genre
    assert str(id3["TBPM"]) == "96"
    assert str(id3["TKEY"]) == "A minor"
    assert str(id3["TDRC"]) == "2026"
    assert id3.getall("COMM")[0].text == [TAGS.comment]
    assert mutagen.mp3.MP3(dest).info.bitrate == 320_000
    assert sorted(p.name for p in dest.parent.iterdir()) == [dest.name]  # no temporaries left


def test_flac_carries_vorbis_comments_and_holds_the_ceiling(
    music: NDArray[np.float32], write_file: WriteFile, tmp_path: Path
) -> None:
    source = write_file(cut_music(music), "cut.wav")
    dest = tmp_path / "lobby-evening-jazz-0417.flac"
    spec = DeliverySpec(fmt="flac", target_lufs=-14.0, ceiling_dbtp=-1.0)

    written = render_delivery(source, dest, spec, TAGS)

    assert_level(dest, spec, written)
    comments = mutagen.flac.FLAC(dest)
    assert comments["TITLE"] == [TAGS.title]
    assert comments["ARTIST"] == comments["ALBUMARTIST"] == [TAGS.artist]
    assert comments["ALBUM"] == [TAGS.album]
    assert comments["GENRE"] == ["lounge jazz"]
    assert comments["BPM"] == ["96"]
    assert comments["INITIALKEY"] == ["A minor"]
    assert comments["DATE"] == ["2026"]
    assert comments["COMMENT"] == [TAGS.comment]


def test_a_loud_target_needs_the_limiter_and_the_ceiling_still_holds(
    music: NDArray[np.float32], write_file: WriteFile, tmp_path: Path
) -> None:
    # -9 LUFS from dynamic music: the peaks would reach far above 0 dBTP without limiting
    source = write_file(cut_music(music), "cut.wav")
    dest = tmp_path / "loud.mp3"
    spec = DeliverySpec(fmt="mp3", target_lufs=-9.0, ceiling_dbtp=-1.0)

    written = render_delivery(source, dest, spec, TAGS)

    assert written.gain_db > 0
    assert_level(dest, spec, written)


def test_edges_that_start_and_end_in_silence_get_no_fade(write_file: WriteFile) -> None:
    frames = 3 * SAMPLE_RATE
    t = np.arange(frames) / SAMPLE_RATE
    envelope = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.5)  # 0.5 s ramps from and to silence
    tone = (0.5 * envelope * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    stereo = np.stack([tone, tone], axis=1)
    assert abrupt_edges(stereo, SAMPLE_RATE) == (False, False)
    cut = stereo[SAMPLE_RATE : 2 * SAMPLE_RATE]
    assert abrupt_edges(cut, SAMPLE_RATE) == (True, True)
    quiet = cut * np.float32(10 ** ((ABRUPT_EDGE_DBFS - 10) / 20))
    assert abrupt_edges(quiet, SAMPLE_RATE) == (False, False)


def test_silence_is_refused_and_nothing_is_left(write_file: WriteFile, tmp_path: Path) -> None:
    source = write_file(np.zeros((SAMPLE_RATE * 2, 2), dtype=np.float32), "silent.wav")
    out = tmp_path / "out"
    with pytest.raises(RenderError, match="silent"):
        render_delivery(source, out / "x.mp3", DeliverySpec(), TAGS)
    assert not out.exists() or not list(out.iterdir())


def test_a_full_disk_while_tagging_leaves_no_partial_file(
    music: NDArray[np.float32],
    write_file: WriteFile,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = write_file(cut_music(music, 2.0), "cut.wav")
    out = tmp_path / "out"

    def disk_full(path: Path, tags: TrackTags) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(delivery, "write_vorbis", disk_full)
    with pytest.raises(OSError, match="No space"):
        render_delivery(source, out / "x.flac", DeliverySpec(fmt="flac"), TAGS)
    assert list(out.iterdir()) == []


def test_the_suffix_must_match_the_format(write_file: WriteFile, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.flac"):
        render_delivery(tmp_path / "a.wav", tmp_path / "a.mp3", DeliverySpec(fmt="flac"), TAGS)
