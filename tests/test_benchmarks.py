"""Smoke tests: the benchmarks run and print their figures. They do NOT judge the targets: each
benchmark runs tiny with `--smoke`, under which it prints its figures without judging them and exits
0 unless the run broke. The targets are judged by the benchmarks themselves on a full-size run
(docs/benchmarks.md)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run_smoke(*argv: str) -> str:
    """Run a benchmark with `--smoke` (targets not judged); exit status 0 unless it broke."""
    result = subprocess.run(
        [sys.executable, *argv, "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "not judged" in result.stdout, result.stdout
    return result.stdout


def test_engine_throughput_smoke_runs_and_prints_figures_without_judging_targets() -> None:
    output = _run_smoke("bench/engine_throughput.py", "--jobs", "4", "--job-seconds", "0.05")
    assert "finished jobs      4 / 4" in output
    for figure in ("efficiency", "utilisation", "HTTP calls/track", "peak RSS"):
        assert figure in output


def test_slack_ack_smoke_runs_both_modes_and_every_command_gets_its_card() -> None:
    output = _run_smoke("-m", "bench.slack_ack", "--commands", "4")
    rows = {
        match["mode"]: match["cards"]
        for match in re.finditer(
            r"^(?P<mode>socket|http)\s+[\d.]+ms\s+[\d.]+ms\s+[\d.]+ms\s+(?P<cards>\d+ / \d+)",
            output,
            re.MULTILINE,
        )
    }
    assert rows == {"socket": "4 / 4", "http": "4 / 4"}, output


def test_batch_throughput_smoke_runs_and_every_track_reaches_slack() -> None:
    output = _run_smoke("-m", "bench.batch_throughput", "--tracks", "4", "--job-seconds", "0.1")
    assert "tracks made        4 / 4" in output
    assert re.search(r"Slack calls/track  \d+\.\d\d", output), output
    assert "files.completeUploadExternal     4" in output
    assert "tracks posted      4 (every track)" in output


def test_batch_throughput_smoke_with_a_listening_sample_uploads_only_the_sample() -> None:
    output = _run_smoke(
        "-m", "bench.batch_throughput", "--tracks", "8", "--job-seconds", "0.1",
        "--post-all-max", "4",
    )  # fmt: skip
    assert "tracks made        8 / 8" in output
    assert "tracks posted      2 (a listening sample)" in output  # 2 per preset (the default)
    assert "file uploads/track 0.250" in output
    assert "files.completeUploadExternal     2" in output


def test_cli_startup_smoke_times_every_command_and_prints_bytes_per_track() -> None:
    output = _run_smoke("bench/cli_startup.py", "--tracks", "400", "--runs", "1")
    assert re.search(r"database\s+\d+ tracks", output), output
    assert re.search(r"bytes/track\s+\d+", output), output
    for command in ("--help", "jobs", "tracks", "doctor"):
        assert re.search(rf"acemusic {command}\s+[\d.]+s", output), output


def test_loudness_smoke_prints_every_figure() -> None:
    output = _run_smoke("bench/loudness.py")
    figures = ("integrated loudness (pyebur128)", "true peak", "pyloudnorm", "listening pair")
    for figure in (*figures, "per 3-minute track", "tracks/s in a pool of", "lag up to"):
        assert figure in output
    for fmt in ("mp3", "wav", "flac"):  # the check's split, per format
        assert re.search(rf"^  {fmt}\s+[\d.]+ s\s+= decoding [\d.]+ s \+ meter", output, re.M), (
            output
        )


def test_audio_alternatives_smoke_prints_the_project_s_own_choices() -> None:
    output = _run_smoke("-m", "bench.audio_alternatives")
    for fmt in ("mp3", "wav", "flac"):
        assert re.search(rf"^  {fmt}\s+libsndfile, 64 Ki-frame blocks\s+[\d.]+ s", output, re.M)
    assert re.search(r"^  libebur128 \(pyebur128\)\s+[\d.]+ s\s+-\d+\.\d+ LUFS", output, re.M)
    assert "320 kbps CBR" in output, output
    assert "exact length (LAME Info frame); mutagen: 320 kbps CBR" in output, output


def test_analysis_smoke_prints_cpu_per_track_and_accuracy() -> None:
    output = _run_smoke("-m", "bench.analysis")
    assert re.search(r"analysis per 3-minute track\s+\d+\.\d+ s", output), output
    assert re.search(r"with the analysis \d+\.\d+ s", output), output
    assert re.search(r"librosa \(this project\): tempo within 1 % \(folded\) \d+/\d+", output)
    for figure in ("key exact", "above 8 kHz", "loudness range of level steps"):
        assert figure in output, output


def test_completion_latency_smoke_prints_latency_calls_and_utilisation_per_scenario() -> None:
    output = _run_smoke("-m", "bench.completion_latency")
    for scenario, jobs in (("interactive", 2), ("batch", 3), ("throughput", 6)):
        assert f"--- {scenario}: {jobs} / {jobs} jobs done" in output, output
    assert len(re.findall(r"done -> download started  p50 \d+\.\d+ s  p95 \d+\.\d+ s", output)) == 3
    assert len(re.findall(r"^utilisation        \d\.\d+", output, re.MULTILINE)) == 3
    assert "/query_result" in output
    assert "/v1/audio" in output


def test_catalogue_night_smoke_prints_every_figure_it_measures() -> None:
    output = _run_smoke("-m", "bench.catalogue_night")
    assert "tracks made        40 / 40   (20 jobs)" in output, output
    assert re.search(r"^utilisation        \d\.\d{3}", output, re.MULTILINE), output
    assert re.search(r"^bot CPU per track  \d+\.\d{4} s", output, re.MULTILINE), output
    assert re.search(r"^peak RSS           \d+ MB", output, re.MULTILINE), output
    assert re.search(r"^HTTP calls/track   \d+\.\d\d", output, re.MULTILINE), output
    assert re.search(r"^database           [\d.]+ MB", output, re.MULTILINE), output
    assert re.search(r"^Slack calls/track  \d+\.\d\d", output, re.MULTILINE), output
    assert re.search(r"^largest pace held  ", output, re.MULTILINE), output


def test_stats_query_smoke_times_every_period_and_the_chart() -> None:
    output = _run_smoke("bench/stats_query.py")
    assert "built: 500 jobs, 2,000 tracks" in output, output
    for name in ("7d", "30d", "all", "chart"):
        assert re.search(rf"^\s*{name}  wall median +\d+\.\d ms", output, re.MULTILINE), output


@pytest.mark.postgres
def test_workers_smoke_runs_one_and_two_workers_on_postgres_within_the_servers_room() -> None:
    output = _run_smoke("-m", "bench.workers")
    rows = re.findall(r"^\s+(\d)\s+(\d+)\s+[\d.]+\s+[\d.]+\s", output, re.MULTILINE)
    assert [workers for workers, _ in rows] == ["1", "2"], output
    assert {tracks for _, tracks in rows} == {"6"}, output
    assert "every server within its limit: yes" in output
