"""A real PostgreSQL server for the test suite, started from the machine's own binaries.

One server per test session (per xdist worker), in a fresh temporary folder, listening on a unix
socket only (no TCP port: sessions side by side cannot collide). Each test gets its own database,
copied from a template that was migrated once (`CREATE DATABASE … TEMPLATE`: milliseconds), and
dropped after the test.

Running as root (CI does), the server runs as the `postgres` user (PostgreSQL refuses root) and the
folder belongs to that user. Durability is switched off (`fsync=off` and friends): the data lives
only as long as the session.

When no binaries are found this fails, loudly: the PostgreSQL variants are part of the suite, and
`.ci/run` installs the Debian package when they are missing. A developer without PostgreSQL can
deselect them with `-m "not postgres"`.
"""

import contextlib
import itertools
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Final

import asyncpg
import pytest

from storage.database import Database

PG_ROOT: Final = Path("/usr/lib/postgresql")
PREFERRED_MAJOR: Final = "15"
PORT: Final = 5432  # names the socket file only (listen_addresses is empty)
TEMPLATE: Final = "acemusic_template"
SETTINGS: Final = (
    "listen_addresses=",
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "max_connections=200",
    "log_min_messages=warning",
)
STARTUP_TIMEOUT_S: Final = 60

BACKENDS: Final = ("sqlite", pytest.param("postgres", marks=pytest.mark.postgres))
"""Parameters for a `backend` fixture: a test that uses it runs on SQLite and on PostgreSQL."""


class PostgresMissing(RuntimeError):
    """No PostgreSQL binaries on this machine."""


def find_bindir() -> Path:
    """The folder of `initdb`, `pg_ctl` and `postgres`: version 15 when there, else the newest."""
    found = {path.parent.parent.name: path.parent for path in PG_ROOT.glob("*/bin/initdb")}
    if not found:
        raise PostgresMissing(
            f"no PostgreSQL server binaries under {PG_ROOT}/*/bin (initdb): install the Debian "
            "package `postgresql-15` (or `postgresql`) — `.ci/run` does — or deselect the "
            'PostgreSQL variants with -m "not postgres"'
        )
    if PREFERRED_MAJOR in found:
        return found[PREFERRED_MAJOR]
    return found[max(found, key=_version)]


def _version(name: str) -> tuple[int, ...]:
    """`9.6` -> (9, 6); a folder name that is not a version sorts first."""
    return tuple(int(part) for part in re.findall(r"\d+", name))


class PostgresServer:
    """One running server; `database()` hands out fresh migrated databases."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="acemusic-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self._names = itertools.count(1)
        self._template_ready = False
        self._as_postgres = os.geteuid() == 0

    # --- the process ---------------------------------------------------------------------------

    def start(self) -> None:
        """initdb, then start the server and wait until it accepts connections."""
        if self._as_postgres:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
            "--no-locale", "--no-sync", "--no-instructions",
        )  # fmt: skip
        options = " ".join(f"-c {setting}" for setting in SETTINGS)
        self._run(
            "pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w",
            "-t", str(STARTUP_TIMEOUT_S), "-o", f"-k {self.folder} -p {PORT} {options}",
        )  # fmt: skip

    def stop(self) -> None:
        """Stop the server (no checkpoint: nothing is kept) and delete its folder."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, program: str, *arguments: str) -> None:
        command = [str(self.bindir / program), *arguments]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise subprocess.CalledProcessError(
                done.returncode, command, done.stdout, f"{done.stderr}\n{log}"
            )

    # --- databases -----------------------------------------------------------------------------

    def url(self, name: str) -> str:
        """The SQLAlchemy URL of database `name` on this server (over the unix socket)."""
        return f"postgresql+asyncpg://postgres@/{name}?host={self.folder}&port={PORT}"

    async def _admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(
            host=str(self.folder), port=PORT, user="postgres", database="postgres"
        )

    @asynccontextmanager
    async def database(self, *, migrated: bool = True) -> AsyncIterator[str]:
        """A new database (migrated to the newest schema, or empty); dropped afterwards."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        admin = await self._admin()
        try:
            if migrated and not self._template_ready:
                await admin.execute(f"CREATE DATABASE {TEMPLATE} TEMPLATE template0")
                template = await Database.open(self.url(TEMPLATE))
                await template.close()
                self._template_ready = True
            source = TEMPLATE if migrated else "template0"
            # a file copy: ten times faster than the default WAL_LOG for a database this small
            fast = " STRATEGY FILE_COPY" if admin.get_server_version().major >= 15 else ""
            await admin.execute(f"CREATE DATABASE {name} TEMPLATE {source}{fast}")
        finally:
            await admin.close()
        try:
            yield self.url(name)
        finally:
            admin = await self._admin()
            try:
                await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
            finally:
                await admin.close()


@contextlib.contextmanager
def running_server() -> Iterator[PostgresServer]:
    """Start a server for as long as the block runs."""
    server = PostgresServer(find_bindir())
    try:
        server.start()
        yield server
    finally:
        server.stop()
