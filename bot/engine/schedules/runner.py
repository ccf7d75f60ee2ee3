"""The scheduler: starts each schedule's batch when its time comes, exactly once per fire time.

The database holds every schedule and its next fire time; APScheduler's `CronTrigger` computes
fire times (`domain.schedules`). This loop wakes at the earliest next fire time (and at
least every `MAX_SLEEP_S`), and for each due schedule:

- claims the run with a compare-and-set on `next_run_at` (so two processes, or a restart in the
  middle, never start the same run twice), moving `next_run_at` to the first fire time after
  *now* — several runs missed while the bot was down become at most one;
- starts the batch if the run is at most `grace` late, or skips it (logged) if it is older;
- skips it (the reason recorded) if it comes less than `min_interval` after the previous run —
  schedules are refused that close when they are made, this guards rows stored before.

The clock is injected, so tests move time without sleeping.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Final

from bot.waiting import nap
from domain.records import ScheduleRecord
from domain.schedules import RunOutcome, next_fire
from storage import schedules as schedules_repo
from storage.database import Database

log = logging.getLogger(__name__)

MAX_SLEEP_S: Final = 30.0


def _too_soon_problem(minutes: float, last_run: str) -> str:
    """Why a run was skipped: the schedule ran less than the minimum interval ago."""
    return (
        f"skipped: the previous run was at {last_run}, less than {minutes:g} minutes before "
        "(SCHEDULE_MIN_INTERVAL_MINUTES)"
    )


Fire = Callable[[ScheduleRecord, datetime], Awaitable[RunOutcome]]


class ScheduleRunner:
    """Fires due schedules; `run_due` is one pass, `run_forever` the loop."""

    def __init__(
        self,
        db: Database,
        fire: Fire,
        *,
        clock: Callable[[], datetime],
        grace: timedelta,
        min_interval: timedelta = timedelta(0),
    ) -> None:
        self.db = db
        self.fire = fire
        self.clock = clock
        self.grace = grace
        self.min_interval = min_interval
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look again now (a schedule was added or resumed)."""
        self._wake.set()

    async def run_due(self) -> list[tuple[int, datetime]]:
        """Start every due run; returns (schedule id, fire time) of the runs started."""
        started = []
        now = self.clock()
        for schedule in await schedules_repo.due_schedules(self.db, now=now):
            fire_time = schedule.next_run_at
            if fire_time is None:
                continue
            following = next_fire(schedule.expression, schedule.timezone, now)
            if now - fire_time > self.grace:
                if await schedules_repo.skip_run(
                    self.db, schedule.id, fire_time=fire_time, next_run_at=following
                ):
                    log.warning(
                        "schedule %d: the run due at %s is %s late (grace %s); skipped",
                        schedule.id,
                        fire_time.isoformat(),
                        now - fire_time,
                        self.grace,
                    )
                continue
            if await self._too_soon(schedule, fire_time, following):
                continue
            if not await schedules_repo.claim_run(
                self.db, schedule.id, fire_time=fire_time, next_run_at=following
            ):
                continue  # another process (or pass) took this run
            await self._start(schedule, fire_time)
            started.append((schedule.id, fire_time))
        return started

    async def _too_soon(
        self, schedule: ScheduleRecord, fire_time: datetime, following: datetime | None
    ) -> bool:
        """Skip (and record why) a run less than `min_interval` after the previous one."""
        last = schedule.last_run_at
        if last is None or fire_time - last >= self.min_interval:
            return False
        if await schedules_repo.skip_run(
            self.db, schedule.id, fire_time=fire_time, next_run_at=following
        ):
            minutes = self.min_interval.total_seconds() / 60
            problem = _too_soon_problem(minutes, last.isoformat(timespec="minutes"))
            await schedules_repo.record_outcome(
                self.db, schedule.id, batch_id=None, problem=problem
            )
            log.warning("schedule %d: the run due at %s was %s", schedule.id, fire_time, problem)
        return True

    async def _start(self, schedule: ScheduleRecord, fire_time: datetime) -> None:
        try:
            outcome = await self.fire(schedule, fire_time)
        except Exception as exc:  # a broken run must not stop the other schedules
            log.exception("schedule %d: the run due at %s failed", schedule.id, fire_time)
            outcome = RunOutcome(None, f"the run failed: {exc}")
        await schedules_repo.record_outcome(
            self.db, schedule.id, batch_id=outcome.batch_id, problem=outcome.problem
        )
        if outcome.problem:
            log.warning("schedule %d: no batch started: %s", schedule.id, outcome.problem)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Fire due schedules until `stop`; one failed pass is logged and the loop goes on."""
        while not stop.is_set():
            try:
                await self.run_due()
                delay = await self._until_next()
            except Exception:
                log.exception("scheduler pass failed; retrying shortly")
                delay = MAX_SLEEP_S
            await nap(self._wake, stop, delay)

    async def _until_next(self) -> float:
        upcoming = await schedules_repo.next_due_at(self.db)
        if upcoming is None:
            return MAX_SLEEP_S
        return min(max((upcoming - self.clock()).total_seconds(), 0.0), MAX_SLEEP_S)
