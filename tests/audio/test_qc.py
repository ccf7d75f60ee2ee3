"""The checks before posting: each failure and warning class, on files crafted to show it."""

import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from audiofile.codec import write_audio
from bot.engine.audio.qc import QcReport, check_audio
from domain.constants import LONG_SILENCE_S, MAX_SILENT_SHARE
from standin.audio.synth import SAMPLE_RATE

WriteFile = Callable[..., Path]  # the `write_file` fixture (see conftest.py)


def assert_json_safe(report: QcReport) -> None:
    json.dumps(report.to_json(), allow_nan=False)  # raises on inf or NaN


def check(path: Path, expected: float | None = 12.0) -> QcReport:
    report = check_audio(path, expected_duration_s=expected)
    assert_json_safe(report)
    return report


def test_clean_placeholder_passes_in_every_format(
    music: NDArray[np.float32], tmp_path: Path
) -> None:
    for fmt in ("wav", "flac", "mp3"):
        path = tmp_path / f"take.{fmt}"
        write_audio(music, SAMPLE_RATE, path, fmt)

        report = check(path)

        assert (report.verdict, report.problems) == ("pass", ())
        assert report.measurements["duration_s"] == pytest.approx(12.0)
        assert report.measurements["has_nan"] is False
        assert -20 < float(report.measurements["integrated_lufs"] or 0) < -8


# --- failures: the engine regenerates ---


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "empty (0 bytes)"), (b"ID3\x04 not really audio" * 50, "not readable")],
)
def test_undecodable_files_fail(content: bytes, problem: str, tmp_path: Path) -> None:
    path = tmp_path / "take.mp3"
    path.write_bytes(content)

    report = check(path)

    assert report.verdict == "fail"
    assert problem in report.problems[0]


def test_a_file_with_no_frames_fails(write_file: WriteFile) -> None:
    report = check(write_file(np.zeros((0, 2), np.float32)))

    assert report.verdict == "fail"
    assert report.problems == ("the file decodes to no audio at all (0 frames)",)


def test_nan_samples_fail(music: NDArray[np.float32], write_file: WriteFile) -> None:
    broken = music.copy()
    broken[SAMPLE_RATE * 5 : SAMPLE_RATE * 5 + 100] = np.nan
    broken[SAMPLE_RATE * 6, 0] = np.inf

    report = check(write_file(broken, subtype="FLOAT"))

    assert report.verdict == "fail"
    assert "201 samples are broken (NaN or infinite)" in report.problems
    assert report.measurements["has_nan"] is True


def test_a_silent_file_fails(write_file: WriteFile) -> None:
    report = check(write_file(np.zeros((SAMPLE_RATE * 12, 2), np.float32)))

    assert report.verdict == "fail"
    assert report.problems == ("the whole track is silent",)
    assert report.measurements["integrated_lufs"] is None
    assert report.measurements["peak_dbfs"] is None


def test_a_mostly_silent_file_fails(music: NDArray[np.float32], write_file: WriteFile) -> None:
    gappy = music.copy()
    gappy[SAMPLE_RATE * 4 :] = 0.0  # two thirds silent

    report = check(write_file(gappy))

    assert report.verdict == "fail"
    assert "67% of the track is silence" in report.problems
    assert float(report.measurements["silent_share"] or 0) > MAX_SILENT_SHARE


def test_a_cut_short_download_warns(music: NDArray[np.float32], tmp_path: Path) -> None:
    path = tmp_path / "take.mp3"
    write_audio(music[: SAMPLE_RATE * 6], SAMPLE_RATE, path, "mp3")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])

    report = check(path, 6.0)

    assert report.verdict == "warn"
    assert report.problems[0].startswith("the file may be cut short: its header says 6.0 s but")
    assert re.fullmatch(r"duration 2\.\d s, asked for 6\.0 s \(-6\d%\)", report.problems[1])


# --- warnings: posted with the problems shown ---


@pytest.mark.parametrize(
    ("expected", "problems"),
    [
        (12.5, ()),  # 4 % short: within tolerance
        (None, ()),
        (15.0, ("duration 12 s, asked for 15 s (-20%) — the server may have capped the length",)),
        (10.0, ("duration 12 s, asked for 10 s (+20%)",)),
    ],
)
def test_duration_is_compared_with_the_request(
    expected: float | None,
    problems: tuple[str, ...],
    music: NDArray[np.float32],
    write_file: WriteFile,
) -> None:
    report = check(write_file(music), expected)

    assert report.verdict == ("warn" if problems else "pass")
    assert report.problems == problems


def test_clipping_warns(music: NDArray[np.float32], write_file: WriteFile) -> None:
    report = check(write_file(np.clip(music * 4, -1.0, 1.0)))

    assert report.verdict == "warn"
    assert any(p.startswith("clipping: ") and "at full scale" in p for p in report.problems)
    assert float(report.measurements["clipped_share"] or 0) > 0.001


def test_a_single_full_scale_peak_is_not_clipping(
    music: NDArray[np.float32], write_file: WriteFile
) -> None:
    peaky = music.copy()
    peaky[SAMPLE_RATE * 3, 0] = 1.0

    assert check(write_file(peaky)).verdict == "pass"


def test_too_quiet_warns(music: NDArray[np.float32], write_file: WriteFile) -> None:
    report = check(write_file(music * np.float32(10 ** (-22 / 20))))

    assert report.verdict == "warn"
    assert len(report.problems) == 1
    assert report.problems[0].startswith("too quiet: -3")
    assert report.problems[0].endswith("LUFS (quieter than -30 LUFS)")


def test_too_loud_warns(write_file: WriteFile) -> None:
    t = np.arange(SAMPLE_RATE * 12) / SAMPLE_RATE
    saturated = (0.95 * np.tanh(6 * np.sin(2 * np.pi * 220 * t))).astype(np.float32)

    report = check(write_file(np.stack([saturated, saturated], axis=1)))

    assert report.verdict == "warn"
    assert len(report.problems) == 1
    assert report.problems[0].startswith("too loud: ")


def test_a_long_gap_warns_with_where_it_is(
    music: NDArray[np.float32], write_file: WriteFile
) -> None:
    gappy = music.copy()
    gappy[SAMPLE_RATE * 6 : SAMPLE_RATE * 10] = 0.0

    report = check(write_file(gappy))

    assert report.verdict == "warn"
    assert report.problems == ("4.0 s of silence at 0:06",)
    assert report.measurements["longest_silence_s"] == pytest.approx(4.0)
    assert report.measurements["longest_silence_at_s"] == pytest.approx(6.0)


def test_short_gaps_are_fine_and_many_long_ones_are_summarised(
    music: NDArray[np.float32], write_file: WriteFile
) -> None:
    tiled = np.concatenate([music] * 4)
    short_gap = tiled.copy()
    short_gap[SAMPLE_RATE : SAMPLE_RATE * 3] = 0.0  # 2 s: under LONG_SILENCE_S
    many_gaps = tiled.copy()
    for start in (2, 10, 18, 26, 34):
        many_gaps[SAMPLE_RATE * start : int(SAMPLE_RATE * (start + LONG_SILENCE_S + 0.5))] = 0.0

    assert check(write_file(short_gap, "short.wav"), 48.0).verdict == "pass"
    problems = check(write_file(many_gaps, "many.wav"), 48.0).problems
    assert problems[:3] == (
        "3.5 s of silence at 0:02",
        "3.5 s of silence at 0:10",
        "3.5 s of silence at 0:18",
    )
    assert problems[3] == "and 2 more silences longer than 3 s"


def test_off_spec_rate_and_layout_is_noted(
    music: NDArray[np.float32], write_file: WriteFile
) -> None:
    mono = music[::2, 0].copy()  # still 12 s once labelled 24 kHz

    report = check(write_file(mono, rate=24_000))

    assert report.verdict == "warn"
    assert report.problems == ("24 kHz mono; the delivery spec is 48 kHz stereo",)


def test_a_very_short_file_has_no_loudness_but_is_judged(write_file: WriteFile) -> None:
    t = np.arange(int(SAMPLE_RATE * 0.3)) / SAMPLE_RATE
    blip = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)

    report = check(write_file(np.stack([blip, blip], axis=1)), None)

    assert report.verdict == "pass"
    assert report.measurements["integrated_lufs"] is None
    assert report.measurements["duration_s"] == pytest.approx(0.3)


def test_undecodable_report_is_json(tmp_path: Path) -> None:
    report = check(tmp_path / "missing.flac")

    assert report.to_json() == {
        "verdict": "fail",
        "problems": ["missing.flac cannot be opened (No such file or directory)"],
        "measurements": {"decodable": False},
    }
