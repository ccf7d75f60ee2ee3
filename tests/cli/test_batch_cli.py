"""`acemusic batch` as scripts use it: real processes, a real database, reports on disk."""

import csv
import io
import json
import signal
from pathlib import Path

import pytest

from tests.cli.helpers import Workspace, stop, wait_until

pytestmark = pytest.mark.slow


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.create(tmp_path)


def test_batch_from_a_preset_waits_for_its_report(ws: Workspace) -> None:
    result = ws.run("batch", "spa 10s wav", "--count", "3", "--seed", "9", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["batch_id"], summary["tracks_made"], summary["jobs_failed"]) == (1, 3, 0)
    report = ws.root / summary["report_csv"]
    rows = list(csv.DictReader(io.StringIO(report.read_text())))
    assert len(rows) == 3
    assert all(row["preset"] == "spa" for row in rows)
    assert "batch #1:" in result.stderr  # progress on stderr
    assert ws.query("select status, requested_count from batches") == [("done", 3)]


def test_dry_run_estimates_and_stores_nothing(ws: Workspace) -> None:
    result = ws.run("batch", "hotel lobby", "--count", "2000", "--dry-run", GPU_COST_PER_HOUR="1.5")
    assert result.returncode == 0, result.stderr
    assert "Dry run" in result.stdout
    assert "2000 in 1000 jobs" in result.stdout
    assert "$" in result.stdout
    assert ws.query("select count(*) from batches") == [(0,)]
    assert ws.query("select count(*) from jobs") == [(0,)]


def test_large_batch_without_yes_says_how_to_confirm(ws: Workspace) -> None:
    result = ws.run("batch", "spa", "--count", "150", "--seed", "4")
    assert result.returncode == 2
    assert "acemusic batch spa --count 150 --seed 4 --yes" in result.stdout
    assert ws.query("select count(*) from jobs") == [(0,)]


def test_manifest_file_with_a_bad_row(ws: Workspace) -> None:
    manifest = ws.root / "week.csv"
    manifest.write_text("preset,duration,count,format\nspa,10s,2,wav\ncafe,99min,1,wav\n")
    result = ws.run("batch", str(manifest))
    assert result.returncode == 0, result.stderr
    assert "Row 3:" in result.stdout
    assert ws.query("select count(*) from tracks") == [(2,)]


def test_killed_batch_is_finished_by_work_with_nothing_twice(ws: Workspace) -> None:
    process = ws.start("batch", "spa 10s wav", "--count", "6", STANDIN_JOB_SECONDS="1")
    try:
        wait_until(
            lambda: ws.query("select count(*) from tracks")[0][0] >= 1,
            what="the batch to make its first track",
        )
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        stop(process)
    assert ws.query("select status from batches") == [("running",)]
    result = ws.run("work", "--until-idle")
    assert result.returncode == 0, result.stderr
    assert "Batch #1 finished" in result.stderr
    assert ws.query("select status from batches") == [("done",)]
    assert ws.query("select count(*), count(distinct job_id || '-' || variant) from tracks") == [
        (6, 6)
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (Path("/etc/passwd").read_bytes(), "unknown column(s)"),
        (b"preset,caption\nspa,caf\xe9\n", "is not a text file in UTF-8"),
        (b"preset,mood,count\nspa,calm,2\n", "unknown column(s) mood"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00", "binary file"),
    ],
    ids=["passwd", "latin-1", "unknown-column", "binary"],
)
def test_bad_manifest_is_a_usage_error_not_a_crash(
    ws: Workspace, content: bytes, expected: str
) -> None:
    manifest = ws.root / "bad.csv"
    manifest.write_bytes(content)
    result = ws.run("batch", str(manifest))
    assert result.returncode == 2, result.stdout + result.stderr
    assert expected in result.stdout
    assert "unexpected error" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert ws.query("select count(*) from jobs") == [(0,)]


def test_the_system_password_file_as_a_new_user_would_try_it(ws: Workspace) -> None:
    result = ws.run("batch", "/etc/passwd")
    assert result.returncode == 2
    assert "unknown column(s)" in result.stdout
    assert "Example:" in result.stdout


def test_a_manifest_that_does_not_exist_is_named(ws: Workspace) -> None:
    result = ws.run("batch", "week.csv")
    assert result.returncode == 2
    assert "There is no manifest file week.csv" in result.stdout


def test_an_unreadable_manifest_is_a_usage_error(ws: Workspace) -> None:
    folder = ws.root / "folder.csv"
    folder.mkdir()  # a path that exists but is no file: not a preset name either
    result = ws.run("batch", str(folder))
    assert result.returncode == 2
    assert "There is no manifest file" in result.stdout


def test_batch_progress_without_a_terminal_is_a_few_plain_lines(ws: Workspace) -> None:
    result = ws.run("batch", "spa 10s wav", "--count", "4", "--seed", "3")
    assert result.returncode == 0, result.stderr
    progress = [line for line in result.stderr.splitlines() if line.startswith("batch #1:")]
    assert progress[-1].startswith("batch #1: 4/4 tracks, 0 job(s) to go, 0 failed")
    assert "tracks/min" in progress[-1]
    assert len(progress) == len(set(progress))  # never the same line twice
    assert len(progress) <= 4
