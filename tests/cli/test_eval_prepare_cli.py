"""`acemusic eval import` and `prepare` as real processes with the built-in engine: a small folder
of synthesised references becomes a READY session with blinded listening files on disk."""

from pathlib import Path

import pytest

from tests.cli.helpers import Workspace
from tests.listening.audio import tone

pytestmark = pytest.mark.slow


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.create(tmp_path)


def test_import_then_prepare_end_to_end(ws: Workspace) -> None:
    refs = ws.root / "refs"
    tone(refs / "spa" / "calm.wav", 2.0)
    tone(refs / "hotel lobby" / "jazz.wav", 3.0, hz=330)
    (refs / "spa" / "notes.txt").write_text("not audio")

    imported = ws.run("eval", "import", "Q1", str(refs))
    assert imported.returncode == 0, imported.stderr
    assert "Session q1: 2 reference(s) imported, 1 refused." in imported.stdout
    assert "spa/notes.txt: undecodable audio" in imported.stdout
    again = ws.run("eval", "import", "q1", str(refs))
    assert "0 reference(s) imported, 2 already imported, 1 refused" in again.stdout
    assert ws.query("select count(*) from eval_references") == [(2,)]

    prepared = ws.run("eval", "prepare", "q1", "--best-of", "2")
    assert prepared.returncode == 0, prepared.stderr
    assert "preparing 2 pair(s), best of 2" in prepared.stdout
    assert "State: ready" in prepared.stdout
    assert "Pairs: 2 ready" in prepared.stdout
    assert "eval q1:" in prepared.stderr or "batch #1:" in prepared.stderr  # progress on stderr
    rows = ws.query(
        "select number, state, ace_side, file_a, file_b from eval_pairs order by number"
    )
    assert [(number, state) for number, state, *_ in rows] == [(1, "ready"), (2, "ready")]
    for number, _, side, file_a, file_b in rows:
        assert side in ("A", "B")
        assert Path(file_a).name == f"pair-{number:02d}-A.mp3"
        assert Path(file_b).name == f"pair-{number:02d}-B.mp3"
        assert Path(file_a).parent == ws.root / "outputs" / "eval" / "q1"
        assert Path(file_a).is_file()
    jobs = ws.query("select count(*), min(status), max(status) from jobs")
    assert jobs == [(2, "done", "done")]

    status = ws.run("eval", "status")
    assert status.returncode == 0, status.stderr
    assert "q1: ready" in status.stdout


def test_bad_names_and_zones_are_usage_errors(ws: Workspace) -> None:
    tone(ws.root / "refs" / "spa" / "a.wav", 1.0)
    bad_name = ws.run("eval", "import", "no good", str(ws.root / "refs"))
    assert bad_name.returncode == 2
    assert "is not a session name" in bad_name.stdout
    bad_zone = ws.run("eval", "import", "q2", str(ws.root / "refs"), "--zone", "disco")
    assert bad_zone.returncode == 2
    assert "Unknown zone 'disco'" in bad_zone.stdout
    nothing = ws.run("eval", "prepare", "q9")
    assert nothing.returncode == 2
    assert "No session is called q9" in nothing.stdout
    assert ws.query("select count(*) from jobs") == [(0,)]
