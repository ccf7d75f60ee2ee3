"""One batch sent from Slack to `acemusic serve`, run to the end: the machinery the batch benchmarks
share (`bench.batch_throughput`, `bench.catalogue_night`).

The bot runs as its own process (Socket Mode, against the test suite's local Slack in the
benchmark's process); the ACE-Step servers are started by the caller. `run_slack_batch` sends one
`/music batch …` command, waits for the batch to finish and for the digest's summary and every
track it posts to be in Slack (a batch over BATCH_POST_ALL_MAX posts only its listening sample;
`post_all_max` sets that threshold for the bot), and returns what it measured: the Slack calls
by method, the bot process's CPU time and peak RSS (from /proc while it still runs), and what the
database holds.
"""

import asyncio
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.processes import process_in_background
from tests.cli.helpers import Workspace
from tests.fakeslack import FakeSlack

BOT = "bot-socket"
STORE_TIMEOUT_S = 120.0  # a 20,000-track batch is planned and stored well within this


@dataclass
class BatchRun:
    """What one Slack batch measured."""

    seconds: float  # from the command to the last job finished
    calls: Counter[str]  # Slack Web API calls by method
    spread: dict[str, int]  # jobs per server URL
    jobs: int
    tracks: int
    posted: int  # tracks posted in the digest's thread (all of them, or the listening sample)
    cpu_s: float | None  # the bot process's CPU time (user + system), None off Linux
    peak_rss_mb: float | None  # the bot process's peak resident set (VmHWM)
    database_bytes: int  # the database file with its WAL, after the bot stopped


async def run_slack_batch(
    workspace: Workspace,
    servers: list[str],
    text: str,
    *,
    tracks: int,
    timeout_s: float,
    post_all_max: int | None = None,
) -> BatchRun:
    """Send `/music TEXT` (a batch of TRACKS tracks) to a bot using SERVERS and run it out
    (`post_all_max`: the bot's BATCH_POST_ALL_MAX; None: its default)."""
    root = workspace.root
    database = root / "bot.db"
    async with FakeSlack(share_delay=0.01) as fake:
        env = (
            workspace.env
            | fake.env()
            | {
                "ACESTEP_API_URL": ",".join(servers),
                "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
                "SLACK_CHANNEL_POST_GAP_SECONDS": "0",
                "BATCH_CONFIRM_TRACKS": str(tracks + 1),
                "LOG_LEVEL": "WARNING",
            }
            | ({} if post_all_max is None else {"BATCH_POST_ALL_MAX": str(post_all_max)})
        )
        async with process_in_background(root, BOT, env, "serve") as _bot:
            await fake.socket.wait_connected(timeout=60)
            fake.calls.clear()
            started = time.time()
            ack = await (await fake.socket.send_slash_command(text)).wait_ack()
            try:  # a refused command stores no batch: say what the bot answered, at once
                await wait_for(database, "the batch to be stored", _batch_stored, STORE_TIMEOUT_S)
            except SystemExit:
                answers = [ack.payload, *fake.response_posts]
                raise SystemExit(f"the bot stored no batch for /music {text}: {answers}") from None
            await wait_for(database, "batch finished", _batch_done, timeout_s)
            finished = await asyncio.to_thread(_last_finished, database)
            await wait_for(database, "every track in Slack", _all_posted, timeout_s)
            calls = Counter(call.method for call in fake.calls)
            cpu_s, peak_rss_mb = await asyncio.to_thread(_bot_usage, root)
    spread = dict(await asyncio.to_thread(query, database, _SPREAD))
    [(jobs, made, posted)] = await asyncio.to_thread(query, database, _COUNTS)
    size = sum(path.stat().st_size for path in root.glob("bot.db*"))
    return BatchRun(
        seconds=finished - started,
        calls=calls,
        spread=spread,
        jobs=int(jobs),
        tracks=int(made),
        posted=int(posted),
        cpu_s=cpu_s,
        peak_rss_mb=peak_rss_mb,
        database_bytes=size,
    )


_SPREAD = "SELECT server, count(*) FROM jobs GROUP BY server"
_COUNTS = (
    "SELECT (SELECT count(*) FROM jobs), (SELECT count(*) FROM tracks), "
    "(SELECT count(*) FROM slack_track_posts WHERE state = 'resolved')"
)


async def wait_for(
    database: Path, what: str, check: Callable[[Path], bool], timeout_s: float
) -> None:
    """Poll CHECK on the database every half second; give up (exit) after TIMEOUT_S."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await asyncio.to_thread(check, database):
            return
        await asyncio.sleep(0.5)
    raise SystemExit(f"gave up waiting for {what}")


def query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows of SQL on the bot's database (none while it is not created yet)."""
    try:
        with sqlite3.connect(database) as db:
            return db.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []


def _batch_stored(database: Path) -> bool:
    return bool(query(database, "SELECT id FROM batches"))


def _batch_done(database: Path) -> bool:
    return query(database, "SELECT status FROM batches") == [("done",)]


def _all_posted(database: Path) -> bool:
    """Every track the batch posts is in Slack: all of them, or its listening sample's."""
    rows = query(
        database,
        "SELECT (SELECT count(*) FROM tracks), "
        "(SELECT count(*) FROM batch_samples), (SELECT count(*) FROM batch_sample_tracks), "
        "(SELECT count(*) FROM slack_track_posts WHERE state = 'resolved'), "
        "(SELECT final FROM slack_batch_digests)",
    )
    if not rows:
        return False
    made, sampled, chosen, resolved, final = rows[0]
    return resolved == (chosen if sampled else made) and bool(final)


def _last_finished(database: Path) -> float:
    [(last,)] = query(database, "SELECT max(finished_at) FROM jobs")
    return datetime.fromisoformat(f"{last}+00:00").timestamp()


def _bot_usage(root: Path) -> tuple[float | None, float | None]:
    """The bot's CPU time so far and its peak RSS, from /proc (Linux), while it still runs."""
    try:
        proc = Path(f"/proc/{(root / f'{BOT}.pid').read_text().strip()}")
        fields = (proc / "stat").read_text().split()
        status = (proc / "status").read_text().splitlines()
    except (OSError, ValueError):
        return None, None
    cpu_s = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    peak_kb = next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), None)
    return cpu_s, None if peak_kb is None else peak_kb / 1024
