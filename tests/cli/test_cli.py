"""The `acemusic` command as people and scripts use it: real processes, real files, real exits."""

import signal
from pathlib import Path

import pytest
import soundfile as sf

from tests.cli.helpers import Workspace, parse_json, start_engine, stop, wait_until

pytestmark = pytest.mark.slow


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.create(tmp_path)


def test_run_makes_a_real_audio_file_and_records_it(ws: Workspace) -> None:
    result = ws.run("run", "/music hotel lobby jazz 20 sec x1")
    assert result.returncode == 0, result.stderr
    assert "Job #1 queued." in result.stdout
    assert "Preset: hotel-lobby" in result.stdout
    assert "Job #1 done — 1 track(s):" in result.stdout
    assert "placeholder audio" in result.stdout
    assert "job 1: running" in result.stderr  # progress goes to stderr
    [(path, size)] = ws.query("select file_path, file_size from tracks")
    audio = ws.root / path if not Path(path).is_absolute() else Path(path)
    assert audio.stat().st_size == size
    assert sf.info(str(audio)).duration == pytest.approx(20, abs=0.1)
    assert ws.query("select status, submissions from jobs") == [("done", 1)]


def test_run_json_reports_every_track_with_provenance(ws: Workspace) -> None:
    result = ws.run("run", "--json", "/music spa 12 sec x2 wav")
    assert result.returncode == 0, result.stderr
    outcome = parse_json(result.stdout)
    assert outcome["ok"] is True
    [job] = outcome["jobs"]
    assert job["status"] == "done"
    assert job["request"]["preset_id"] == "spa"
    assert [t["variant"] for t in job["tracks"]] == [1, 2]
    for track in job["tracks"]:
        assert (ws.root / track["file_path"]).is_file()
        assert track["placeholder"] is True
        assert track["request_sent"]["batch_size"] == 2
        assert track["qc_verdict"] == "pass"
        assert track["seed"]
    listed = parse_json(ws.run("tracks", "--json").stdout)
    assert {t["id"] for t in listed} == {t["id"] for t in job["tracks"]}
    assert parse_json(ws.run("jobs", "--json").stdout)[0]["status"] == "done"


def test_usage_error_exits_2_with_a_specific_message(ws: Workspace) -> None:
    result = ws.run("run", "/music spa ambient 20min")
    assert result.returncode == 2
    assert "20min" in result.stdout
    assert "Example: /music" in result.stdout


def test_failed_generation_exits_1_with_the_reason(ws: Workspace) -> None:
    result = ws.run(
        "run", "/music cafe 10 sec x1 wav", STANDIN_FAILURE_RATE="1", ACESTEP_MAX_ATTEMPTS="1"
    )
    assert result.returncode == 1
    assert "Job #1 failed — ACE-Step could not make this track (1 tries)" in result.stdout


def test_bad_configuration_is_one_line_and_exit_2(ws: Workspace) -> None:
    result = ws.run("run", "/music cafe", SLACK_BOT_TOKEN="xoxb-your-bot-token")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "acemusic: Configuration problem: SLACK_BOT_TOKEN still holds a placeholder value; "
        "paste the real one."
    ]


def test_chat_answers_piped_lines_and_waits_for_its_jobs(ws: Workspace) -> None:
    result = ws.run("chat", stdin="help\n\n/music cafe 10 sec x1 wav\n")
    assert result.returncode == 0, result.stderr
    assert "/music status — the queue" in result.stdout
    assert "Job #1 queued." in result.stdout
    assert "Job #1 done — 1 track(s):" in result.stdout


def test_doctor_checks_everything_and_fails_on_a_dead_server(ws: Workspace) -> None:
    ok = ws.run("doctor")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "✓ Database" in ok.stdout
    assert "✓ Output folder" in ok.stdout
    assert "✓ builtin (built-in stand-in: placeholder audio): ok" in ok.stdout
    dead = ws.run("doctor", ACESTEP_API_URL="http://127.0.0.1:9")
    assert dead.returncode == 1
    assert "✗ http://127.0.0.1:9: NOT ANSWERING" in dead.stdout
    assert dead.stderr.strip() == "acemusic: 1 problem(s) found (see above)"


def test_run_against_an_ace_step_server_downloads_both_variants(ws: Workspace) -> None:
    engine, url = start_engine(ws, "--audio-dir", str(ws.root / "server-files"))
    try:
        result = ws.run("run", "--json", "/music spa ambient 2min x2", ACESTEP_API_URL=url)
    finally:
        stop(engine)
    assert result.returncode == 0, result.stderr
    [job] = parse_json(result.stdout)["jobs"]
    assert job["server"] == url
    assert len(job["tracks"]) == 2
    for track in job["tracks"]:
        assert track["server"] == url
        assert track["audio_format"] == "mp3"
        assert track["duration_s"] == pytest.approx(120, abs=0.5)
        assert track["metas"]["duration"] == 120
        assert track["remote_file"].startswith("/v1/audio?path=")
        assert track["task_id"] == job["task_id"]


def _kill_when_submitted(ws: Workspace, text: str, **env: str) -> None:
    process = ws.start("run", text, **env)
    try:
        wait_until(
            lambda: ws.query("select status from jobs") in ([("submitted",)], [("running",)]),
            what="the job to reach the server",
        )
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        stop(process)
    assert ws.query("select count(*) from tracks") == [(0,)]


def test_killed_run_with_the_builtin_engine_is_finished_by_work(ws: Workspace) -> None:
    _kill_when_submitted(ws, "/music spa 10 sec x2 wav", STANDIN_JOB_SECONDS="30")
    result = ws.run("work", "--until-idle", STANDIN_JOB_SECONDS="0")
    assert result.returncode == 0, result.stderr
    assert "1 unfinished job(s) to resume." in result.stderr
    # The in-process stand-in died with the killed process: its task is lost and sent again.
    assert ws.query("select status, lost_count, submissions from jobs") == [("done", 1, 2)]
    assert ws.query("select variant from tracks order by variant") == [(1,), (2,)]


def test_killed_run_against_a_server_is_resumed_without_resubmitting(ws: Workspace) -> None:
    engine, url = start_engine(ws, "--job-seconds", "3", "--audio-dir", str(ws.root / "files"))
    try:
        _kill_when_submitted(ws, "/music cafe 10 sec x2 wav", ACESTEP_API_URL=url)
        result = ws.run("work", "--until-idle", ACESTEP_API_URL=url)
    finally:
        stop(engine)
    assert result.returncode == 0, result.stderr
    assert ws.query("select status, lost_count, submissions from jobs") == [("done", 0, 1)]
    assert ws.query("select variant from tracks order by variant") == [(1,), (2,)]
