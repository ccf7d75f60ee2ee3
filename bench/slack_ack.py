"""Slack ack latency: 50 concurrent `/music` commands to `acemusic serve`, in each mode.

    uv run python -m bench.slack_ack            # from the project folder; --commands 50

`acemusic serve` runs as its own process, as in production, against the test suite's local Slack
(tests/fakeslack, real WebSocket and HTTP) and an ACE-Step stand-in (`acemusic engine`, another
process). For each mode — Socket Mode, then HTTP mode with signed requests — the bot first gets
one warm-up command (not counted: the first request pays for lazy imports), then N `/music`
commands at once. Latency is from sending the command to receiving the bot's acknowledgement: the
Socket Mode ack envelope, or the HTTP response. Printed per mode: p50, p99 and max, and whether
every command went on to get its status card (a fast ack that drops work would not count).
Target: p99 < 300 ms (Slack's hard limit is 3 s). Exit status 1 when a target is missed; with
--smoke the targets are not judged (a smoke run only shows that the benchmark runs and prints its
figures) and exit status 1 means it broke.
"""

import argparse
import asyncio
import math
import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bench.processes import process_in_background
from tests.cli.helpers import Workspace
from tests.fakeslack import FakeSlack, SignedRequests

TARGET_P99_S = 0.300
COMMAND = "/music hotel lobby jazz 30s x1"
STARTUP_S = 60.0
Mode = Literal["socket", "http"]


@dataclass
class Figures:
    """What one mode measured."""

    mode: Mode
    latencies: list[float]
    cards: int
    expected_cards: int

    def quantile(self, q: float) -> float:
        """Nearest-rank quantile of the latencies, in seconds."""
        ordered = sorted(self.latencies)
        rank = max(math.ceil(q * len(ordered)), 1)
        return ordered[rank - 1]

    @property
    def met(self) -> bool:
        """p99 within target and every command got its card."""
        return self.quantile(0.99) < TARGET_P99_S and self.cards == self.expected_cards


def main() -> int:
    """Run the benchmark in both modes and print its figures."""
    args = _arguments()
    with tempfile.TemporaryDirectory(prefix="acemusic-bench-") as scratch:
        root = Path(scratch)
        results = asyncio.run(_measure(root, args))
    return _report(results, args.commands, smoke=args.smoke)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=50, help="concurrent /music commands")
    parser.add_argument(
        "--job-seconds", type=float, default=0.5, help="the stand-in's simulated GPU time per job"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="print the figures without judging the targets: exit 0 unless the run broke",
    )
    return parser.parse_args()


async def _measure(root: Path, args: argparse.Namespace) -> list[Figures]:
    workspace = Workspace.create(root)
    standin = ("engine", f"--job-seconds={args.job_seconds}", "--queue-size=0")
    results = []
    async with (
        process_in_background(
            root, "engine", workspace.env, *standin, health="/health"
        ) as engine_url,
        FakeSlack(share_delay=0.05) as fake,
    ):
        for mode in ("socket", "http"):
            database = root / f"{mode}.db"
            env = (
                workspace.env
                | fake.env()
                | {
                    "ACESTEP_API_URL": engine_url,
                    "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
                    "OUTPUT_DIR": str(root / f"outputs-{mode}"),
                    "LOG_LEVEL": "WARNING",
                }
            )
            if mode == "http":
                env.pop("SLACK_APP_TOKEN")
            health = "/healthz" if mode == "http" else None
            async with process_in_background(
                root, f"bot-{mode}", env, "serve", health=health
            ) as bot_url:
                if mode == "socket":
                    results.append(await _socket_mode(fake, database, args.commands))
                else:
                    results.append(await _http_mode(fake, bot_url, database, args.commands))
    return results


async def _socket_mode(fake: FakeSlack, database: Path, commands: int) -> Figures:
    connection = await fake.socket.wait_connected(timeout=STARTUP_S)
    await (await fake.socket.send_slash_command(COMMAND)).wait_ack()
    await _cards_posted(database, 1)
    deliveries = [await fake.socket.send_slash_command(COMMAND) for _ in range(commands)]
    acks = await asyncio.gather(*(delivery.wait_ack(timeout=10) for delivery in deliveries))
    assert connection.is_open, "the Socket Mode connection dropped during the run"
    cards = await _cards_posted(database, commands + 1)
    return Figures("socket", [ack.latency for ack in acks], cards - 1, commands)


async def _http_mode(fake: FakeSlack, bot_url: str, database: Path, commands: int) -> Figures:
    secret = fake.identity.signing_secret
    async with SignedRequests(secret, f"{bot_url}/slack/events", fake=fake) as signed:
        warm_up = await signed.slash_command(COMMAND)
        assert warm_up.status == 200, warm_up.text
        await _cards_posted(database, 1)
        answers = await asyncio.gather(*(signed.slash_command(COMMAND) for _ in range(commands)))
    refused = [answer for answer in answers if answer.status != 200]
    assert not refused, f"{len(refused)} commands were refused: {refused[0].text[:300]}"
    cards = await _cards_posted(database, commands + 1)
    return Figures("http", [answer.latency for answer in answers], cards - 1, commands)


async def _cards_posted(database: Path, expected: int, timeout_s: float = 60.0) -> int:
    """How many status cards the bot has posted, once it reaches `expected` (or the timeout)."""
    deadline = time.monotonic() + timeout_s
    posted = 0
    while time.monotonic() < deadline:
        posted = await asyncio.to_thread(_count_cards, database)
        if posted >= expected:
            break
        await asyncio.sleep(0.1)
    return posted


def _count_cards(database: Path) -> int:
    try:
        with sqlite3.connect(database) as db:
            (count,) = db.execute(
                "SELECT count(*) FROM slack_cards WHERE ts IS NOT NULL"
            ).fetchone()
    except sqlite3.OperationalError:
        return 0  # not migrated yet
    return int(count)


def _report(results: list[Figures], commands: int, *, smoke: bool) -> int:
    print(f"{commands} concurrent '{COMMAND}' commands per mode (after one warm-up command)")
    print(f"{'mode':<8} {'p50':>8} {'p99':>8} {'max':>8}  cards posted   target p99 < 300 ms")
    for figures in results:
        p50, p99 = figures.quantile(0.50), figures.quantile(0.99)
        slowest = max(figures.latencies)
        verdict = "not judged" if smoke else "met" if figures.met else "MISSED"
        print(
            f"{figures.mode:<8} {p50 * 1000:>6.1f}ms {p99 * 1000:>6.1f}ms {slowest * 1000:>6.1f}ms"
            f"  {figures.cards:>3} / {figures.expected_cards:<3}      {verdict}"
        )
    print(f"machine: {os.cpu_count()} cores")
    return 0 if smoke or all(figures.met for figures in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
