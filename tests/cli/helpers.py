"""Running the installed `acemusic` command as a real process, in a scratch folder."""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ACEMUSIC = str(Path(sys.executable).with_name("acemusic"))
DEADLINE_S = 90.0


@dataclass
class Workspace:
    """A folder with its own database, outputs and environment (no `.env`, no real servers)."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(cls, root: Path, **extra: str) -> "Workspace":
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(root),
            "DATABASE_URL": f"sqlite+aiosqlite:///{root / 'bot.db'}",
            "OUTPUT_DIR": str(root / "outputs"),
            "STANDIN_AUDIO_DIR": str(root / "standin"),
            "ACESTEP_POLL_MIN_SECONDS": "0.05",
            "ACESTEP_POLL_MAX_SECONDS": "0.5",
            "QC_ADHERENCE": "off",  # as in tests/conftest.py: a rare key miss must not warn
        }
        return cls(root, env | extra)

    def run(
        self, *args: str, stdin: str | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        """Run `acemusic ARGS` to completion."""
        return subprocess.run(
            [ACEMUSIC, *args],
            cwd=self.root,
            env=self.env | env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=DEADLINE_S,
            check=False,
        )

    def start(self, *args: str, **env: str) -> subprocess.Popen[str]:
        """Start `acemusic ARGS` in the background."""
        return subprocess.Popen(
            [ACEMUSIC, *args],
            cwd=self.root,
            env=self.env | env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows from the workspace's database (read straight from the SQLite file)."""
        with sqlite3.connect(self.root / "bot.db") as db:
            return db.execute(sql).fetchall()


def wait_until(condition: Callable[[], bool], *, what: str, timeout_s: float = DEADLINE_S) -> None:
    """Poll an outside process's state until `condition` holds (bounded)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except sqlite3.Error:
            pass  # the database is not created yet
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def free_port() -> int:
    """A port that was free a moment ago on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_engine(workspace: Workspace, *args: str) -> tuple[subprocess.Popen[str], str]:
    """`acemusic engine` on a free port; returns the process and its base URL once it answers."""
    port = free_port()
    process = workspace.start("engine", "--port", str(port), *args)
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{url}/health", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    wait_until(healthy, what="the stand-in server to answer")
    return process, url


def stop(process: subprocess.Popen[str]) -> None:
    """Terminate a background process and reap it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def parse_json(output: str) -> Any:
    """The JSON document a `--json` command printed."""
    return json.loads(output)
