"""Is the bot healthy? A real database query, and the engine loop's last tick not too old."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.engine.jobs.runner import JobEngine
from storage import jobs as jobs_repo
from storage.database import Database


@dataclass(frozen=True)
class Check:
    """One part of the verdict: whether it passed, and what was seen."""

    ok: bool
    detail: str


@dataclass
class HealthChecks:
    """The checks behind `/healthz`; `clock` is the engine's (tests move it)."""

    db: Database
    engine: JobEngine
    stale_s: float
    clock: Callable[[], datetime] = field(repr=False)

    async def run(self) -> dict[str, Any]:
        """Every check, and `ok` when all passed."""
        checks = {"database": await self.database(), "engine": self.engine_loop()}
        body: dict[str, Any] = {name: vars(check) for name, check in checks.items()}
        return {"ok": all(check.ok for check in checks.values()), **body}

    async def database(self) -> Check:
        """A real query: the unfinished jobs."""
        try:
            unfinished = await jobs_repo.count_unfinished(self.db)
        except Exception as exc:  # any driver error means the same here: the database is unusable
            return Check(False, f"query failed: {type(exc).__name__}")
        return Check(True, f"{unfinished} unfinished job(s)")

    def engine_loop(self) -> Check:
        """Whether the engine loop finished a tick within `stale_s` seconds."""
        last = self.engine.last_tick_at
        if last is None:
            return Check(False, "the engine loop has not finished a tick yet")
        age = (self.clock() - last).total_seconds()
        if age > self.stale_s:
            return Check(False, f"the engine loop last ticked {age:.0f} s ago (stuck?)")
        return Check(True, f"last tick {age:.1f} s ago")
