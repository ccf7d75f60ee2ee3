"""Approving at the terminal: `acemusic run "/music approve …"` and `chat` act as the operator of
the bot's host (no approver list needed), and `acemusic tracks` shows the decision."""

from pathlib import Path

import pytest

from bot.adapters.cli.listing import APPROVAL_STATES
from domain.approvals import Decision
from tests.cli.helpers import Workspace, parse_json

pytestmark = pytest.mark.slow


def test_the_tracks_filter_offers_every_decision() -> None:
    assert tuple(Decision) == APPROVAL_STATES


def test_the_operator_approves_and_rejects_from_the_terminal(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path)
    made = ws.run("run", "/music spa 10 sec x2 wav")
    assert made.returncode == 0, made.stderr

    approved = ws.run("run", "/music approve 1 2 fine for the lobby")
    assert approved.returncode == 0, approved.stdout + approved.stderr
    assert "Approved 2 of 2 track(s). Note: fine for the lobby" in approved.stdout
    assert ws.query("select id, approval, approval_by from tracks order by id") == [
        (1, "approved", "cli"),
        (2, "approved", "cli"),
    ]
    assert ws.query("select track_id, source, note from track_approvals order by id") == [
        (1, "command", "fine for the lobby"),
        (2, "command", "fine for the lobby"),
    ]

    again = ws.run("run", "/music approve #1, 7")
    assert again.returncode == 2  # not all done: like any refused command
    assert "Track 1 is already approved by @cli (on " in again.stdout
    assert "There is no track 7." in again.stdout

    chat = ws.run("chat", stdin="/music reject 2 hiss at the end\n")
    assert chat.returncode == 0, chat.stderr
    assert "Track 2 rejected (was approved by @cli on " in chat.stdout

    listed = ws.run("tracks")
    lines = {line.split()[0]: line for line in listed.stdout.splitlines()}
    assert "  approved by @cli on " in lines["#1"]
    assert "  rejected by @" in lines["#2"]
    only = parse_json(ws.run("tracks", "--json", "--approval", "approved").stdout)
    assert [t["id"] for t in only] == [1]
    as_json = {t["id"]: t for t in parse_json(ws.run("tracks", "--json").stdout)}
    assert (as_json[1]["approval"], as_json[1]["approval_by"]) == ("approved", "cli")
    assert as_json[2]["approval"] == "rejected"
