"""Several processes, one truth: two `acemusic serve` and two `acemusic work` processes share one
PostgreSQL database and two ACE-Step stand-ins (each its own process), while processes driving
jobs (on PostgreSQL a `serve` runs the job engine too) are killed with SIGKILL at random moments
and started again.

A batch from Slack must end with every job done, each server task sent once per job attempt
(a submission a killed worker may have sent is counted on its job as a possible duplicate), every
track stored once and posted once, the killed workers' jobs taken over within the claim time, and
no server ever holding more of our tasks than its limit (from the stand-ins' own records).
The same seed replays the same kill moments: ACEMUSIC_KILL_SEED=N.
"""

import asyncio
import os
import random
import re
import time
from pathlib import Path

import pytest

from bench.workers import Processes, scalar_rows, server_records, standins, wait_until, worker_env
from tests.fakeslack import FakeSlack
from tests.postgres import PostgresServer

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

TRACKS = 16
JOB_S = 1.0  # simulated GPU time per job
CAPACITY = 2  # ACESTEP_MAX_IN_FLIGHT: tasks of ours a server may hold
CLAIM_S = 3.0  # WORK_CLAIM_SECONDS
TAKEOVER_MARGIN_S = 12.0  # checks every 2 s at most, plus process start-up on a busy machine
KILLS = 3
HOLDER_WAIT_S = 30.0
# every process runs the job engine on PostgreSQL (a serve too); each kill hits one driving a job
STARTED = (("serve1", "serve"), ("serve2", "serve"), ("work1", "work"), ("work2", "work"))
FINISH_S = 120.0

UNFINISHED_OF = (
    "SELECT count(*) = 0 FROM jobs WHERE status NOT IN ('done', 'failed', 'cancelled') "
    "AND claimed_by LIKE"
)
BATCH_DONE = (
    "SELECT count(*) = 1 AND bool_and(status = 'done') AND "
    "(SELECT count(*) FROM slack_track_posts WHERE state = 'resolved') = "
    f"{TRACKS} AND (SELECT bool_and(final) FROM slack_batch_digests) FROM batches"
)


async def test_two_serves_and_two_workers_share_one_database_through_random_kills(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    seed = int(os.environ.get("ACEMUSIC_KILL_SEED", random.randrange(1_000_000)))
    rng = random.Random(seed)
    print(f"kill seed {seed} (ACEMUSIC_KILL_SEED={seed} replays it)")
    processes = Processes(tmp_path)
    async with postgres_server.database() as url:
        shared_titles, takeovers = await run_batch_with_kills(processes, tmp_path, url, rng)
        await check_counts(processes, tmp_path, url, shared_titles)
    print(f"takeovers after a kill: {[round(s, 1) for s in takeovers]} s")


async def run_batch_with_kills(
    processes: Processes, tmp_path: Path, url: str, rng: random.Random
) -> tuple[list[str], list[float]]:
    """The run; returns the titles of the files shared into Slack and each takeover's delay."""
    takeovers: list[float] = []
    async with standins(tmp_path, 2, JOB_S) as servers, FakeSlack(share_delay=0.01) as fake:
        env = (
            worker_env(
                tmp_path,
                url,
                servers,
                ACESTEP_MAX_IN_FLIGHT=str(CAPACITY),
                WORK_CLAIM_SECONDS=str(CLAIM_S),
                SLACK_CHANNEL_POST_GAP_SECONDS="0",
                BATCH_CONFIRM_TRACKS=str(TRACKS + 1),
                BATCH_POST_ALL_MAX=str(TRACKS),
            )
            | fake.env()
        )
        started = time.monotonic()
        async with processes.supervised():
            for name, command in STARTED:
                await processes.start(name, env, command)
            first = await fake.socket.wait_connected(60)
            await fake.socket.wait_connected(60, newer_than=first)  # both serves are in
            reply = await fake.socket.send_slash_command(f"batch spa x{TRACKS} seed=1 10s mp3")
            await reply.wait_ack()
            print(f"{time.monotonic() - started:.1f} s: batch sent")
            for round_ in range(1, KILLS + 1):
                await asyncio.sleep(rng.uniform(0.2, 1.5))
                holding = await holders(url, processes)  # who drives an unfinished job now
                victim = rng.choice(sorted(holding))
                pid = holding[victim]
                await processes.kill(victim)
                killed_at = time.monotonic()
                command = "serve" if victim.startswith("serve") else "work"
                await processes.start(f"{command}-{round_}", env, command)
                await wait_until(
                    url,
                    f"{UNFINISHED_OF} '%:{pid}:%'",
                    CLAIM_S + TAKEOVER_MARGIN_S,
                    f"the jobs of {victim} (killed) taken over",
                )
                takeovers.append(time.monotonic() - killed_at)
                print(f"{time.monotonic() - started:.1f} s: {victim} killed, its jobs taken over")
            await wait_until(url, BATCH_DONE, FINISH_S, "the batch done and every track posted")
            print(f"{time.monotonic() - started:.1f} s: batch done, every track posted")
        uploads = fake.calls_to("files.completeUploadExternal")
        titles = [str(item.get("title", "")) for call in uploads for item in call.args["files"]]
    return titles, takeovers


async def holders(url: str, processes: Processes) -> dict[str, int]:
    """The running processes driving an unfinished job (name -> pid), waiting for one."""
    deadline = time.monotonic() + HOLDER_WAIT_S
    while time.monotonic() < deadline:
        rows = await scalar_rows(
            url,
            "SELECT DISTINCT claimed_by FROM jobs WHERE claimed_by IS NOT NULL "
            "AND status NOT IN ('done', 'failed', 'cancelled')",
        )
        pids = {int(holder.split(":")[1]) for (holder,) in rows}
        found = {
            name: process.pid for name, process in processes.running.items() if process.pid in pids
        }
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"no process drove an unfinished job for {HOLDER_WAIT_S:g} s")


async def check_counts(
    processes: Processes, tmp_path: Path, url: str, shared_titles: list[str]
) -> None:
    """What the database, the stand-ins and Slack saw."""
    records = server_records(tmp_path, 2)
    [(jobs, done, submissions, duplicates)] = await scalar_rows(
        url,
        "SELECT count(*), count(*) FILTER (WHERE status = 'done'), sum(submissions), "
        "sum(duplicate_submissions) FROM jobs",
    )
    assert processes.killed == KILLS
    assert done == jobs > 0
    # each task a server made is one submission of a job, or one a killed worker may have sent
    # (counted on the job as a possible duplicate when its claim was taken over)
    sent = sum(record.submissions for record in records)
    assert submissions <= sent <= submissions + duplicates
    extra = sent - submissions
    for record in records:
        assert record.most_held <= CAPACITY + extra

    [(tracks, keyed, files)] = await scalar_rows(
        url,
        "SELECT count(*), count(DISTINCT (job_id, variant)), count(DISTINCT file_path) FROM tracks",
    )
    assert tracks == keyed == files == TRACKS
    [(resolved, posts)] = await scalar_rows(
        url,
        "SELECT count(*) FILTER (WHERE state = 'resolved'), count(*) FROM slack_track_posts",
    )
    assert resolved == posts == TRACKS
    track_ids = [int(m[1]) for title in shared_titles if (m := re.match(r"Track (\d+) ", title))]
    assert len(track_ids) == TRACKS  # every track shared into Slack exactly once
    assert len(set(track_ids)) == TRACKS
