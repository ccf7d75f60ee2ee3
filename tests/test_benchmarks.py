"""The benchmarks still run and print their figures (at a tiny size; timings are not judged here —
they are judged by the benchmarks themselves, on a full-size run: docs/benchmarks.md)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run(*argv: str) -> str:
    result = subprocess.run(
        [sys.executable, *argv], cwd=ROOT, capture_output=True, text=True, timeout=110, check=False
    )
    # Exit status 1 means "a target was missed", which a tiny run on a busy machine may well do.
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result.stdout


def test_engine_throughput_runs_and_reports() -> None:
    output = _run("bench/engine_throughput.py", "--jobs", "4", "--job-seconds", "0.05")
    assert "finished jobs      4 / 4" in output
    for figure in ("efficiency", "HTTP calls/track", "peak RSS"):
        assert figure in output


def test_slack_ack_runs_both_modes_and_every_command_gets_its_card() -> None:
    output = _run("-m", "bench.slack_ack", "--commands", "4")
    rows = {
        match["mode"]: match["cards"]
        for match in re.finditer(
            r"^(?P<mode>socket|http)\s+[\d.]+ms\s+[\d.]+ms\s+[\d.]+ms\s+(?P<cards>\d+ / \d+)",
            output,
            re.MULTILINE,
        )
    }
    assert rows == {"socket": "4 / 4", "http": "4 / 4"}, output


def test_batch_throughput_runs_and_every_track_reaches_slack() -> None:
    output = _run("-m", "bench.batch_throughput", "--tracks", "4", "--job-seconds", "0.1")
    assert "tracks made        4 / 4" in output
    assert re.search(r"Slack calls/track  \d+\.\d\d", output), output
    assert "files.completeUploadExternal     4" in output
