"""`acemusic export` as a real process: delivery files and the manifest, a second run that writes
nothing, the same export through `acemusic run "/music export"`, and clear failures."""

import csv
import json
import sqlite3
from pathlib import Path

import mutagen.mp3
import pytest

from tests.cli.helpers import Workspace

pytestmark = pytest.mark.slow


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace.create(tmp_path)
    made = workspace.run("run", "/music hotel lobby jazz 12 sec x2 wav")
    assert made.returncode == 0, made.stderr
    # approval commands are another part of the work: the decision is set as storage sets it
    with sqlite3.connect(workspace.root / "bot.db") as db:
        db.execute("update tracks set approval = 'approved', approval_by = 'U1' where id = 1")
    return workspace


def test_export_writes_files_and_manifest_and_a_second_run_writes_nothing(ws: Workspace) -> None:
    out = ws.root / "venues"
    first = ws.run("export", "--preset", "hotel-lobby", "--to", str(out))
    assert first.returncode == 0, first.stderr
    assert "Catalogue exported: 1 file(s), 1 written now, 0 skipped." in first.stdout
    [row] = list(csv.DictReader((out / "catalogue.csv").read_text().splitlines()))
    assert row["track_id"] == "1"
    assert row["title"].endswith(" 0001")
    delivered = out / row["file"]
    assert str(mutagen.mp3.MP3(delivered)["TIT2"]) == row["title"]  # DELIVERY_FORMAT mp3
    mtime = delivered.stat().st_mtime_ns

    again = ws.run("export", "--to", str(out), "--json")
    assert again.returncode == 0, again.stderr
    result = json.loads(again.stdout)
    assert result["written"] == []
    assert [r["track_id"] for r in result["rows"]] == [1]
    assert delivered.stat().st_mtime_ns == mtime

    via_run = ws.run("run", f"/music export min-score 0 to {out.name}")
    assert via_run.returncode == 0, via_run.stderr
    assert "Catalogue exported" in via_run.stdout  # the operator may export through run too
    assert (ws.root / "outputs" / "catalogue" / out.name / "catalogue.json").is_file()


def test_export_failures_are_one_clear_line(ws: Workspace) -> None:
    blocker = ws.root / "a-file"
    blocker.write_text("not a folder")
    failed = ws.run("export", "--to", str(blocker / "catalogue"))
    assert failed.returncode == 1
    assert "export failed: cannot write to" in failed.stderr
    assert "Traceback" not in failed.stderr

    both = ws.run("export", "--approved", "--min-score", "3")
    assert both.returncode == 2
    assert "choose one of --approved and --min-score" in both.stderr

    since = ws.run("export", "--since", "yesterday")
    assert since.returncode == 2
    assert "'yesterday' is not a time" in since.stderr

    preset = ws.run("export", "--preset", "nowhere")
    assert preset.returncode == 2
    assert "there is no preset 'nowhere'" in preset.stderr
