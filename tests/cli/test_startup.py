"""`acemusic` answers at once: `--help` and the listing commands load nothing they do not use.

Timings are the benchmark's job (bench/cli_startup.py); these tests check what gets imported.
"""

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from bot.adapters.cli.listing import JOB_STATUSES
from bot.adapters.cli.main import SUBCOMMANDS, main
from domain.records import JobStatus
from tests.cli.helpers import Workspace

pytestmark = pytest.mark.slow

HEAVY = ("sqlalchemy", "alembic", "slack_sdk", "slack_bolt", "numpy", "scipy", "soundfile")

PROBE = """
import json, sys
from bot.adapters.cli.main import main
try:
    main(sys.argv[1:], prog_name="acemusic")
except SystemExit as stop:
    code = stop.code
print(json.dumps({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def loaded_by(workspace: Workspace, *args: str) -> tuple[int, set[str], str]:
    """Run `acemusic ARGS` in a fresh interpreter; its exit code and top-level modules loaded."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=workspace.root,
        env=workspace.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    last = result.stdout.strip().splitlines()[-1]
    report = json.loads(last)
    return report["code"], set(report["modules"]), result.stdout


def test_help_imports_no_database_engine_slack_or_numpy(tmp_path: Path) -> None:
    code, modules, output = loaded_by(Workspace.create(tmp_path), "--help")
    assert code == 0
    for name in SUBCOMMANDS:
        assert name in output  # every subcommand is listed with its help line
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))
    assert "pydantic" not in modules  # not even settings are read for --help


def test_listing_commands_skip_alembic_engine_slack_and_numpy_once_migrated(
    tmp_path: Path,
) -> None:
    workspace = Workspace.create(tmp_path)
    code, first, _ = loaded_by(workspace, "jobs")  # a new database: migrated, so Alembic runs
    assert code == 0
    assert "alembic" in first
    for args in (("jobs",), ("tracks", "--json"), ("doctor",)):
        code, modules, output = loaded_by(workspace, *args)
        assert code == 0, output
        assert "sqlalchemy" in modules  # it did read the database
        assert not modules & {"alembic", "slack_sdk", "slack_bolt", "numpy", "scipy"}, (
            args,
            sorted(modules & set(HEAVY)),
        )
        assert "httpx" not in modules  # no server to reach: no HTTP client either


def test_status_choices_are_the_job_states() -> None:
    assert set(JOB_STATUSES) == {status.value for status in JobStatus}


def test_every_registered_subcommand_loads() -> None:
    context = click.Context(main)
    for name in SUBCOMMANDS:
        command = main.get_command(context, name)
        assert command is not None
        assert command.help


def test_the_slack_bot_does_not_load_statistics_charts_or_the_stand_in() -> None:
    """`acemusic serve` with real servers: scipy (evaluation reports), matplotlib (their charts)
    and the stand-in's web server cost memory the bot does not use (~70 MB for scipy alone)."""
    probe = "import json, sys, bot.adapters.slack.serve; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    modules = {name.split(".")[0] for name in json.loads(result.stdout)}
    assert "slack_bolt" in modules  # the probe did load the bot
    assert not modules & {"scipy", "matplotlib", "standin", "uvicorn", "starlette"}
