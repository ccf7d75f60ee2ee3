"""Running `acemusic` subcommands as background processes for the benchmarks."""

import asyncio
import signal
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Final

import httpx

from tests.cli.helpers import ACEMUSIC, free_port

STARTUP_S: Final = 60.0
REPOSITORY: Final = Path(__file__).resolve().parents[1]


@asynccontextmanager
async def process_in_background(
    root: Path, name: str, env: dict[str, str], *argv: str, health: str | None = None
) -> AsyncIterator[str]:
    """`acemusic ARGV` on a free port (`--port` for `engine`, `PORT` otherwise; `HEALTH_PORT` free
    too unless given), its output in
    ROOT/NAME.log and its pid in ROOT/NAME.pid; yields its base URL once `health` (a path such as
    /health) answers, or at once without one. Waits without blocking the event loop (a fake Slack
    in this process must keep answering while the bot starts); stops it with SIGTERM."""
    port = free_port()
    # a free port for /healthz too: the default (8081) may be taken by another bot on the machine
    env = {"HEALTH_PORT": str(free_port())} | env
    argv = (*argv, f"--port={port}") if argv[0] == "engine" else argv
    async with _background(root, name, env, port, ACEMUSIC, *argv, health=health) as url:
        yield url


@asynccontextmanager
async def standin_in_background(
    root: Path,
    name: str,
    env: dict[str, str],
    job_seconds: float,
    *,
    reuse_audio: bool = False,
    forget_files_after_s: float = 0.0,
) -> AsyncIterator[str]:
    """The ACE-Step stand-in as its own process (`bench.standin_process`: one worker, unbounded
    queue; `reuse_audio`: render once per length; `forget_files_after_s`: delete its files that
    long after writing them), yielding its base URL once /health answers.
    When it stops it writes every task's times to ROOT/NAME.timeline.json and its request counts
    to ROOT/NAME.requests.json."""
    port = free_port()
    command = (
        sys.executable,
        "-m",
        "bench.standin_process",
        f"--port={port}",
        f"--job-seconds={job_seconds}",
        "--queue-size=0",
        f"--audio-dir={root / name}",
        f"--timeline={root / f'{name}.timeline.json'}",
        f"--requests={root / f'{name}.requests.json'}",
        *(["--reuse-audio"] if reuse_audio else []),
        f"--forget-files-after={forget_files_after_s}",
    )
    env = env | {"PYTHONPATH": str(REPOSITORY)}
    async with _background(root, name, env, port, *command, health="/health") as url:
        yield url


@asynccontextmanager
async def _background(
    root: Path, name: str, env: dict[str, str], port: int, *command: str, health: str | None
) -> AsyncIterator[str]:
    env = env | {"PORT": str(port)}
    log_path = root / f"{name}.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            *command, cwd=root, env=env, stdout=log, stderr=asyncio.subprocess.STDOUT
        )
    (root / f"{name}.pid").write_text(str(process.pid))
    url = f"http://127.0.0.1:{port}"
    try:
        if health is not None:
            await _wait_healthy(url + health, process)
        yield url
    except BaseException:
        print(f"--- end of {log_path.name} ---")
        print(log_path.read_text(errors="replace")[-3000:])
        raise
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), STARTUP_S)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _wait_healthy(url: str, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + STARTUP_S
    async with httpx.AsyncClient(timeout=1) as client:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise SystemExit(f"{url}: the process exited with status {process.returncode}")
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {STARTUP_S:g} s")
