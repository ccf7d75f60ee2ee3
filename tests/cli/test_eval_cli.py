"""`acemusic eval start / listen / close / report` as real processes on a planted session:
scores typed at the console (a skip, a mistyped line asked again, a changed vote on a second
run), then `report --json` compared with the test's own computation from what was typed."""

import asyncio
import csv
import io
import json
from pathlib import Path

import pytest

from storage.database import Database
from tests.cli.helpers import Workspace
from tests.listening.planted import Planted, ab_scores, plant_session
from tests.listening.test_eval_commands import wilson

pytestmark = pytest.mark.slow


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.create(tmp_path)


def plant(ws: Workspace) -> Planted:
    async def run() -> Planted:
        db = await Database.open(ws.env["DATABASE_URL"])
        try:
            return await plant_session(db, Path(ws.env["OUTPUT_DIR"]), owner=None)
        finally:
            await db.close()

    return asyncio.run(run())


def test_console_listening_then_the_json_report(ws: Workspace) -> None:
    planted = plant(ws)
    early = ws.run("eval", "report", "q1", "--json")
    assert early.returncode == 2
    assert "not closed yet (ready)" in early.stderr
    started = ws.run("eval", "start", "q1")
    assert started.returncode == 0, started.stderr
    assert "Nothing was posted to Slack" in started.stdout

    skipped, *voted = planted.pairs
    typed = ["s"]
    given: dict[int, tuple[int, int]] = {}
    for index, pair in enumerate(voted):
        if index == 0:
            typed.append("9 9 too loud")  # refused, the same pair is asked again
        a, b = ab_scores(pair, *planted.scores[pair.id])
        typed.append(f"{a} {b} take {index}")
        given[pair.id] = planted.scores[pair.id]
    first = ws.run("eval", "listen", "q1", "--rater", "ana", stdin="\n".join(typed) + "\n")
    assert first.returncode == 0, first.stderr
    assert f"A: {skipped.file_a}" in first.stdout
    assert "✗ Type the score of A and of B from 1 to 5" in first.stdout  # the mistyped line
    assert f"Done: {len(voted)} recorded, 0 changed, 1 skipped." in first.stdout

    # a second run shows the vote and changes it, then quits
    changed = voted[0]
    a, b = ab_scores(changed, 1, 5)
    second = ws.run("eval", "listen", "q1", "--rater", "ana", stdin=f"s\n{a},{b}\nq\n")
    assert second.returncode == 0, second.stderr
    assert "Your vote: A" in second.stdout
    assert "Done: 0 recorded, 1 changed, 1 skipped." in second.stdout
    given[changed.id] = (1, 5)

    closed = ws.run("eval", "close", "q1")
    assert closed.returncode == 0, closed.stderr
    assert f"{len(voted)} vote(s) recorded from 1 rater(s)" in closed.stdout
    late = ws.run("eval", "listen", "q1", "--rater", "ana", stdin="4 4\n")
    assert late.returncode == 2
    assert "not open for votes (closed)" in late.stderr

    out = ws.root / "elsewhere"
    report = ws.run("eval", "report", "q1", "--json", "--out", str(out))
    assert report.returncode == 0, report.stderr
    document = json.loads(report.stdout)
    assert json.loads((out / "report.json").read_text()) == document
    zones: dict[str, list[tuple[int, int]]] = {}
    for pair in voted:
        zones.setdefault(pair.zone, []).append(given[pair.id])
    figures = {zone["zone"]: zone for zone in document["zones"]}
    for zone, scores in zones.items():
        ace = sum(s[0] for s in scores)
        incumbent = sum(s[1] for s in scores)
        assert figures[zone]["votes"] == len(scores)
        assert figures[zone]["ratio"] == pytest.approx(ace / incumbent)
        wins = sum(s[0] >= s[1] for s in scores)
        low, high = wilson(wins, len(scores))
        assert figures[zone]["share_interval"]["low"] == pytest.approx(low)
        assert figures[zone]["share_interval"]["high"] == pytest.approx(high)
    assert [r["rater"] for r in document["raters"]] == ["console:ana"]
    assert document["placeholder_audio"] is True

    as_csv = ws.run("eval", "report", "q1", "--csv")
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0][0] == "zone"
    assert rows[-1][0] == "ALL"
    summary = ws.run("eval", "report", "q1")
    assert "Overall:" in summary.stdout
    assert "Method:" in summary.stdout
    default_folder = Path(ws.env["OUTPUT_DIR"]) / "eval" / "q1"
    assert (default_folder / "report.png").read_bytes().startswith(b"\x89PNG")
