"""The poll scheduling rule (`bot.engine.jobs.pacing`) on a fixed clock: no I/O, no sleeping."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.engine.acestep.client import AceStepClient
from bot.engine.jobs.pacing import (
    ARRIVAL_MARGIN_S,
    PollBounds,
    ServerPace,
    TaskTiming,
    expected_ends,
    poll_wait,
)
from bot.engine.jobs.servers import Server
from domain.records import JobRecord, JobStatus
from domain.servers import ServerStats

T0 = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
BOUNDS = PollBounds(0.25, 10.0)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def seconds_after_t0(moment: datetime | None) -> float:
    assert moment is not None
    return (moment - T0).total_seconds()


def test_progress_half_way_after_two_seconds_is_expected_to_end_at_about_four_seconds() -> None:
    task = TaskTiming(submitted_at=at(0), queue_position=1, progress=0.5, progress_at=at(2))
    # Whether the server's average is known (4 s) or not (extrapolated from the start) ...
    for pace in (ServerPace(4.0), ServerPace(None)):
        [end] = expected_ends([task], pace)
        assert seconds_after_t0(end) == pytest.approx(4.0)
    # ... and the next poll comes just after that end, not before.
    wait = poll_wait(at(2), [task], ServerPace(None), BOUNDS)
    assert 2.0 <= wait <= 2.0 + ARRIVAL_MARGIN_S


def test_average_job_time_is_scaled_by_the_requested_length() -> None:
    pace = ServerPace(job_seconds=6.0, reference_length_s=60.0)  # 60 s of audio took 6 s
    short = TaskTiming(submitted_at=at(0), queue_position=1, length_s=30.0)
    long = TaskTiming(submitted_at=at(0), queue_position=1, length_s=120.0)
    assert [seconds_after_t0(end) for end in expected_ends([short], pace)] == [3.0]
    assert [seconds_after_t0(end) for end in expected_ends([long], pace)] == [12.0]
    # With no reference length the average is used as it is.
    assert seconds_after_t0(expected_ends([long], ServerPace(6.0))[0]) == 6.0


def test_queued_tasks_follow_the_task_ahead_and_their_place_in_the_queue() -> None:
    pace = ServerPace(2.0)
    running = TaskTiming(submitted_at=at(0), queue_position=1, progress=0.25, progress_at=at(1))
    behind = TaskTiming(submitted_at=at(0.1), queue_position=1)
    third = TaskTiming(submitted_at=at(0.2), queue_position=3)
    ends = expected_ends([third, running, behind], pace)
    assert [seconds_after_t0(end) for end in ends] == pytest.approx([6.5, 2.5, 4.5])
    # Others' jobs were waiting too when it was sent (4th in the queue): no start before 6.2 s.
    fourth = TaskTiming(submitted_at=at(0.2), queue_position=4)
    ends = expected_ends([fourth, running, behind], pace)
    assert [seconds_after_t0(end) for end in ends] == pytest.approx([8.2, 2.5, 4.5])


def test_nothing_is_polled_far_from_the_expected_end() -> None:
    pace = ServerPace(8.0)
    task = TaskTiming(submitted_at=at(0), queue_position=1)
    now, polls = at(0), []
    while seconds_after_t0(now) < 8.0:  # a poll that finds the task still running
        now += timedelta(seconds=poll_wait(now, [task], pace, BOUNDS))
        polls.append(seconds_after_t0(now))
    assert len(polls) == 1
    assert 8.0 <= polls[0] <= 8.0 + ARRIVAL_MARGIN_S


def test_long_waits_stay_within_the_maximum() -> None:
    task = TaskTiming(submitted_at=at(0), queue_position=1)
    assert poll_wait(at(0), [task], ServerPace(60.0), BOUNDS) == BOUNDS.maximum


def test_a_task_past_its_expected_end_is_polled_at_the_short_cadence() -> None:
    task = TaskTiming(submitted_at=at(0), queue_position=1)
    pace = ServerPace(4.0)
    for late in (0.2, 0.5, 1.0):
        assert poll_wait(at(4 + late), [task], pace, BOUNDS) == BOUNDS.minimum


def test_a_task_long_past_its_end_is_polled_ever_less_often() -> None:
    task = TaskTiming(submitted_at=at(0), queue_position=1)
    pace = ServerPace(4.0)
    waits = [poll_wait(at(4 + late), [task], pace, BOUNDS) for late in (3, 6, 12, 40)]
    assert waits == sorted(waits)
    assert waits[0] > BOUNDS.minimum
    assert waits[-1] == BOUNDS.maximum


def test_the_earliest_expected_end_on_the_server_sets_the_poll() -> None:
    pace = ServerPace(3.0)
    later = TaskTiming(submitted_at=at(0), queue_position=1, progress=0.1, progress_at=at(0.5))
    sooner = TaskTiming(submitted_at=at(0), queue_position=1, progress=0.9, progress_at=at(0.5))
    wait = poll_wait(at(0.5), [later, sooner], pace, BOUNDS)
    assert wait == pytest.approx(0.3 + ARRIVAL_MARGIN_S)


def test_unknown_average_time_falls_back_to_doubling_from_the_minimum() -> None:
    task = TaskTiming(submitted_at=at(0), queue_position=1)  # no average, no progress
    waits, previous = [], 0.0
    for _ in range(8):
        previous = poll_wait(at(0), [task], ServerPace(None), BOUNDS, previous_wait=previous)
        waits.append(previous)
    assert waits == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_tiny_progress_without_an_average_says_nothing_yet() -> None:
    task = TaskTiming(submitted_at=at(0), queue_position=1, progress=0.01, progress_at=at(0.3))
    assert expected_ends([task], ServerPace(None)) == [None]


def _server() -> Server:
    http = httpx.AsyncClient(base_url="http://127.0.0.1:9")  # never called
    return Server(client=AceStepClient(http, name="http://127.0.0.1:9"), capacity=3)


def _stats(finished: int, avg: float) -> ServerStats:
    return ServerStats(
        queued=0,
        running=1,
        succeeded=finished,
        failed=0,
        total=finished + 1,
        queue_size=0,
        queue_maxsize=200,
        avg_job_seconds=avg,
    )


def _job(task_id: str, submitted_at: datetime, length_s: int) -> JobRecord:
    return JobRecord(
        id=1,
        status=JobStatus.RUNNING,
        priority=0,
        request={"duration_s": length_s},
        origin="test",
        created_at=submitted_at,
        updated_at=submitted_at,
        task_id=task_id,
        submitted_at=submitted_at,
        queue_position=1,
    )


def test_stats_are_read_again_once_a_task_ends_on_a_server_that_had_no_average() -> None:
    server = _server()
    server.note_stats(_stats(finished=0, avg=5.0), at(0))  # the server's default, not a measure
    assert server.pace.job_seconds is None
    assert not server.stats_due(at(1))
    server.note_finished(_job("a", at(0), 30), at(3))
    assert server.stats_due(at(3.1))
    server.note_stats(_stats(finished=1, avg=2.9), at(3.1))
    assert not server.stats_due(at(10))
    assert server.stats_due(at(40))  # and every half minute after that
    # The average now stands for 30 s of audio: a 60 s request is expected to take twice as long.
    assert server.pace == ServerPace(2.9, 30.0)
    assert server.pace.seconds_for(60) == pytest.approx(5.8)


def test_before_any_average_a_task_is_timed_from_its_earliest_possible_start() -> None:
    server = _server()
    server.note_finished(_job("a", at(0), 30), at(3))
    assert server.job_seconds == pytest.approx(3.0)  # sent at 0, seen done at 3
    server.observe_poll(at(3), finished=1, bounds=BOUNDS)
    server.note_finished(_job("b", at(0.5), 30), at(6.5))  # waited behind "a" until 3
    assert server.job_seconds == pytest.approx(0.3 * 3.5 + 0.7 * 3.0)
