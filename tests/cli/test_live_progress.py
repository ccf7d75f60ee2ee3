"""Console progress: one redrawn line in a terminal, a few plain lines in a log."""

import asyncio
import io

from bot.adapters.console.live import LiveProgress
from bot.adapters.console.progress import JobWatcher
from bot.services import Services
from commands.context import Caller
from commands.router import handle
from domain.records import JobStatus


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_plain_output_prints_changes_at_most_every_few_seconds_and_the_end() -> None:
    out, clock = io.StringIO(), FakeClock()
    with LiveProgress("batch #1", "tracks", stream=out, clock=clock, plain_every_s=10) as live:
        assert not live.live
        for second in range(60):
            clock.now = 100.0 + second
            live.update(second // 20 * 2, 6, "to go")  # 0, 2, 4 tracks; same state 20 s each
        clock.now = 161.0
        live.update(6, 6, "done")
    lines = out.getvalue().splitlines()
    assert lines == [
        "batch #1: 0/6 tracks, to go, –",
        "batch #1: 2/6 tracks, to go, 6.0 tracks/min, ETA 0:40",
        "batch #1: 4/6 tracks, to go, 6.0 tracks/min, ETA 0:20",
        "batch #1: 6/6 tracks, done, 5.9 tracks/min",
    ]


def test_a_change_held_back_by_the_interval_is_printed_at_the_end() -> None:
    out, clock = io.StringIO(), FakeClock()
    with LiveProgress("run", "jobs", stream=out, clock=clock) as live:
        live.update(0, 1, "queued")
        clock.now += 1
        live.update(1, 1, "done")  # 1 s later: too soon for a plain line
        assert out.getvalue().count("\n") == 1
    assert out.getvalue().splitlines()[-1].startswith("run: 1/1 jobs, done")


def test_terminal_output_redraws_one_line_with_count_rate_and_eta() -> None:
    out, clock = io.StringIO(), FakeClock()
    with LiveProgress("batch #2", "tracks", stream=out, force_terminal=True, clock=clock) as live:
        assert live.live
        for done in range(5):
            clock.now += 3
            live.update(done, 4, f"{4 - done} job(s) to go")
        live.note("job 3: retrying after a server error")
    text = out.getvalue()
    assert "\r" in text or "\x1b[" in text  # redrawn in place, not printed again line by line
    final = text.rsplit("\r", 1)[-1]
    assert "4/4" in final
    assert "tracks/min" in final
    assert "ETA" in final
    assert "job 3: retrying after a server error" in text
    assert text.count("\n") <= 3  # the note and the final line; no line per update


async def test_a_watched_run_in_a_terminal_is_one_live_line_and_its_notes(
    services: Services,
) -> None:
    reply = await handle("/music cafe 10 sec x2 wav", services, Caller("cli", user_id="cli"))
    assert reply.ok, reply.plain()
    out, lines = io.StringIO(), []
    stop = asyncio.Event()
    engine = asyncio.create_task(services.engine.run_forever(stop))
    try:
        with LiveProgress("run", "jobs", stream=out, force_terminal=True) as live:
            jobs = await JobWatcher(services, reply.job_ids, lines.append, live=live).wait()
    finally:
        stop.set()
        await engine
    assert [job.status for job in jobs] == [JobStatus.DONE]
    assert lines == []  # every status went to the live line, none printed as a line of its own
    final = out.getvalue().rsplit("\r", 1)[-1]
    assert "1/1" in final
    assert "job 1: done" in final
