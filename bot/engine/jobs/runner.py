"""The job engine: a loop of ticks over the durable queue in the database.

One tick = refresh server figures → poll (one call per server) → dispatch into free capacity →
collect finished files; while it collects (downloads, audio checks), the servers are polled and
fed again whenever a poll comes due, so no server waits for our downloads to get new work.
Between ticks the engine sleeps until the next poll is due, or until `wake()` is called (a new
job, a cancel). Tests call `tick()` / `run_until_idle()` directly.

On SQLite only one process at a time runs the engine on a database (a lease row, renewed every
tick and taken over at once from a process that no longer exists). Other processes can still
enqueue jobs and watch them: `run_until_idle` in a process without the lease simply waits for the
holder.

On PostgreSQL (`EngineConfig.shared_queue`) every process runs the engine: each job is driven by
the worker that claimed it (`storage.claims`), claims are renewed every few seconds and taken over
once they expire (a worker killed with `kill -9` has its jobs picked up within the claim time,
`WORK_CLAIM_SECONDS`), and a server's capacity is counted across all workers.
"""

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.engine.acestep import errors as e
from bot.engine.acestep.download import remove_partials
from bot.engine.jobs import messages as msg
from bot.engine.jobs.collect import collect, downloading
from bot.engine.jobs.context import EngineContext
from bot.engine.jobs.dispatch import dispatch
from bot.engine.jobs.events import EventBus, JobEvent, JobEventKind
from bot.engine.jobs.naming import TRACK_FILE_PREFIX
from bot.engine.jobs.poll import poll
from domain import constants as c
from domain.estimates import wait_seconds
from domain.records import UNFINISHED_STATUSES, JobRecord, JobStatus
from domain.request import GenerationRequest
from storage import batches as batches_repo
from storage import claims
from storage import jobs as jobs_repo
from storage.leases import acquire_lease, release_lease

log = logging.getLogger(__name__)

IDLE_CHECK_S = 2.0  # how often an idle engine looks for jobs other processes have queued
FOLLOWER_CHECK_S = 1.0  # how often a process without the lease re-reads the jobs it waits on
# Several workers: downloads a stopped worker left half-written are removed once nothing has
# written to them for ABANDONED_PART_S (a live download that long silent has timed out: its
# read timeout, ACESTEP_TIMEOUT_SECONDS, is 30 s by default), looked for every PARTS_SWEEP_S.
ABANDONED_PART_S = 600.0
PARTS_SWEEP_S = 3600.0


@dataclass(frozen=True)
class TickResult:
    """What one tick did (for logs, tests and benchmarks)."""

    dispatched: int = 0
    finished_on_server: int = 0
    completed: int = 0
    leader: bool = True
    more_to_collect: bool = False  # tasks ended while it was collecting: tick again at once


class JobEngine:
    """Owns the queue-processing loop of one process."""

    def __init__(self, ctx: EngineContext, *, holder: str | None = None) -> None:
        self.ctx = ctx
        self.holder = holder or _default_holder()
        self._wake = asyncio.Event()
        self.last_tick_at: datetime | None = None  # when run_forever last finished a tick (health)
        self._lease_until: datetime | None = None
        self._claims_checked: datetime | None = None
        self._parts_swept: datetime | None = None
        if ctx.config.shared_queue:
            ctx.claimant = self.holder

    @property
    def events(self) -> EventBus:
        """Job events of this process (jobs it enqueues or processes)."""
        return self.ctx.events

    async def enqueue(
        self,
        request: GenerationRequest,
        *,
        origin: str,
        priority: int = c.PRIORITY_INTERACTIVE,
        requested_by: str | None = None,
        channel_id: str | None = None,
        thread_ts: str | None = None,
        parent_track_id: int | None = None,
        batch_id: int | None = None,
        notes: Collection[str] = (),
    ) -> JobRecord:
        """Store a job (before anything is sent anywhere) and wake the loop."""
        job = await jobs_repo.create_job(
            self.ctx.db,
            request=request.model_dump(mode="json"),
            origin=origin,
            priority=priority,
            requested_by=requested_by,
            channel_id=channel_id,
            thread_ts=thread_ts,
            parent_track_id=parent_track_id,
            batch_id=batch_id,
            notes=list(notes),
        )
        await self.events.emit(JobEvent(JobEventKind.QUEUED, job))
        self.wake()
        return job

    async def cancel(self, job_id: int) -> JobRecord | None:
        """Cancel an unfinished job; None when it does not exist or has already finished."""
        job = await jobs_repo.get_job(self.ctx.db, job_id)
        if job is None or job.status.finished:
            return None
        note = msg.cancelled_on_server() if job.status.on_server else None
        updated = await jobs_repo.update_job(
            self.ctx.db,
            job_id,
            expect=UNFINISHED_STATUSES,
            status=JobStatus.CANCELLED,
            cancel_requested=True,
            finished_at=self.ctx.clock(),
            notes=[*job.notes, note] if note else job.notes,
        )
        if updated is not None:
            await self.events.emit(JobEvent(JobEventKind.CANCELLED, updated, message=note))
            self.wake()
        return updated

    async def cancel_batch(self, batch_id: int) -> int:
        """Cancel every unfinished job of a batch; returns how many were cancelled."""
        cancelled = 0
        for job_id in await batches_repo.unfinished_job_ids(self.ctx.db, batch_id):
            if await self.cancel(job_id) is not None:
                cancelled += 1
        return cancelled

    async def estimate_wait(self, ahead: int) -> float | None:
        """Seconds until a job with `ahead` queued jobs before it would be done, roughly: the one
        wait figure, for `/music status`, a new job's reply and the Slack card."""
        in_flight = sum((await jobs_repo.count_on_server(self.ctx.db)).values())
        servers = [server for server in self.ctx.servers if server.healthy] or self.ctx.servers
        return wait_seconds(ahead, in_flight, [server.estimated_job_seconds for server in servers])

    def wake(self) -> None:
        """Make a sleeping loop tick now."""
        self._wake.set()

    async def tick(self) -> TickResult:
        """One pass over the queue, if this process holds the engine lease."""
        if not await self._hold_lease():
            return TickResult(leader=False)
        await self._hold_claims()
        await self._sweep_stopped_workers_parts()
        await self._refresh_stats()
        finished = await poll(self.ctx)
        dispatched = await dispatch(self.ctx)
        # Downloads and checks take a while (the first check also starts the audio workers):
        # the servers are polled and fed meanwhile, so none of them waits for our collecting.
        completed, found_meanwhile = 0, 0  # tasks that ended meanwhile: collected next tick
        if jobs := await downloading(self.ctx):
            collecting = asyncio.create_task(collect(self.ctx, jobs))
            try:
                while not await self._finished_or_due(collecting):
                    await self._hold_claims()
                    found_meanwhile += await poll(self.ctx)
                    dispatched += await dispatch(self.ctx)
            finally:
                if not collecting.done():  # this tick failed or was cancelled
                    collecting.cancel()
            completed = collecting.result()
        # Collecting frees room and can re-queue work (top-ups, failover): fill it straight away.
        dispatched += await dispatch(self.ctx)
        return TickResult(
            dispatched, finished + found_meanwhile, completed, more_to_collect=found_meanwhile > 0
        )

    async def _finished_or_due(self, collecting: asyncio.Task[int]) -> bool:
        """Wait until collecting ends (True) or a poll, retry or new job is due (False)."""
        wait = max(await self._next_wait(TickResult()), self.ctx.config.poll.minimum)
        woken = asyncio.ensure_future(self._wake.wait())
        waiters: set[asyncio.Future[Any]] = {collecting, woken}
        try:
            await asyncio.wait(waiters, timeout=wait, return_when="FIRST_COMPLETED")
        finally:
            woken.cancel()
        if collecting.done():
            return True
        self._wake.clear()
        return False

    async def run_until_idle(self, job_ids: Collection[int] | None = None) -> None:
        """Tick until the given jobs (default: every unfinished job) have finished."""
        while True:
            result = await self.tick()
            if not await self._unfinished(job_ids):
                return
            await self._sleep(await self._next_wait(result))

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Tick until `stop` is set; errors in one tick are logged and the loop goes on."""
        while not stop.is_set():
            try:
                result = await self.tick()
                self.last_tick_at = self.ctx.clock()
                wait = await self._next_wait(result)
            except Exception:
                log.exception("job engine tick failed; retrying shortly")
                wait = IDLE_CHECK_S
            await self._sleep(wait, stop=stop)

    async def release(self) -> None:
        """Give up the engine lease or this worker's claims (on shutdown), so another process can
        take over at once."""
        if self.ctx.claimant is not None and self._claims_checked is not None:
            released = await claims.release(self.ctx.db, holder=self.ctx.claimant)
            log.info("worker %s stopped; %d job(s) left to the others", self.holder, released)
            self._claims_checked = None
        if self._lease_until is not None:
            await release_lease(self.ctx.db, name=c.ENGINE_LEASE_NAME, holder=self.holder)
            self._lease_until = None

    async def _hold_claims(self) -> None:
        """Several workers: renew this worker's claims and take over those of workers that are
        gone, every third of the claim time (and at once on the first tick)."""
        holder = self.ctx.claimant
        if holder is None:
            return
        now = self.ctx.clock()
        ttl = self.ctx.config.claim_ttl_s
        checked = self._claims_checked
        if checked is not None and (now - checked).total_seconds() < min(ttl / 3, IDLE_CHECK_S):
            return
        self._claims_checked = now
        until = now + timedelta(seconds=ttl)
        await claims.renew(self.ctx.db, holder=holder, until=until)
        taken = await claims.take_over(self.ctx.db, holder=holder, now=now, until=until)
        for job in taken:
            if job.status is JobStatus.QUEUED and job.reserved_server is not None:
                await self._interrupted_submission(job, job.reserved_server)
        if taken:
            log.info("worker %s took over %d job(s) from stopped workers", self.holder, len(taken))

    async def _sweep_stopped_workers_parts(self) -> None:
        """Several workers: remove the half-written downloads of stopped workers (those idle for
        ABANDONED_PART_S), on the first tick and then every PARTS_SWEEP_S."""
        if self.ctx.claimant is None:
            return  # one engine: removed when the lease is taken (`_hold_lease`)
        now, swept = self.ctx.clock(), self._parts_swept
        if swept is None or (now - swept).total_seconds() >= PARTS_SWEEP_S:
            self._parts_swept = now
            await self._remove_partial_downloads(idle_s=ABANDONED_PART_S)

    async def _interrupted_submission(self, job: JobRecord, server: str) -> None:
        """A worker stopped while sending this job: the server may have made the task, so the
        job is held in doubt about it (no baseline: it will count as a possible duplicate)."""
        await jobs_repo.update_job(
            self.ctx.db,
            job.id,
            holder=self.ctx.claimant,
            expect={JobStatus.QUEUED},
            doubt_server=server,
            doubt_total=None,
            reserved_server=None,
            notes=[*job.notes, msg.submit_in_doubt(server, msg.worker_stopped())],
        )

    async def _hold_lease(self) -> bool:
        if self.ctx.config.shared_queue:
            return True  # several workers: each job is claimed instead (`_hold_claims`)
        now = self.ctx.clock()
        renew_at = None
        if self._lease_until is not None:
            renew_at = self._lease_until - timedelta(seconds=c.ENGINE_LEASE_TTL_S * 2 / 3)
        if renew_at is not None and now < renew_at:
            return True
        held = await acquire_lease(
            self.ctx.db,
            name=c.ENGINE_LEASE_NAME,
            holder=self.holder,
            ttl_s=c.ENGINE_LEASE_TTL_S,
            now=now,
            holder_is_gone=holder_is_gone,
        )
        if held and self._lease_until is None:
            log.info("this process (%s) now runs the job engine", self.holder)
            await self._remove_partial_downloads()
        self._lease_until = now + timedelta(seconds=c.ENGINE_LEASE_TTL_S) if held else None
        return held

    async def _remove_partial_downloads(self, *, idle_s: float = 0.0) -> None:
        """Half-written downloads of a process that died: with one engine (the lease's holder, the
        only one writing them) all of them; among several workers those idle for `idle_s`."""
        folder = self.ctx.config.output_dir
        removed = await asyncio.to_thread(
            remove_partials, folder, prefix=TRACK_FILE_PREFIX, idle_s=idle_s
        )
        if removed:
            log.info("removed %d unfinished download(s) left in %s", removed, folder)

    async def _refresh_stats(self) -> None:
        """Read each busy server's own figures (average job time, queue) every half minute, and
        as soon as a task has ended on a server that had no average yet."""
        now = self.ctx.clock()
        in_flight = await jobs_repo.count_on_server(self.ctx.db)
        for server in self.ctx.servers:
            if (
                not server.stats_due(now)
                or not in_flight.get(server.name)
                or not server.accepts_work(now)
            ):
                continue
            server.stats_at = now
            try:
                server.note_stats(await server.client.stats(), now)
            except e.AceStepError as exc:
                log.info("no stats from %s: %s", server.name, exc)

    async def _unfinished(self, job_ids: Collection[int] | None) -> bool:
        if job_ids is None:
            return await jobs_repo.count_unfinished(self.ctx.db) > 0
        jobs = await jobs_repo.list_jobs(
            self.ctx.db, ids=job_ids, statuses=UNFINISHED_STATUSES, limit=1
        )
        return bool(jobs)

    async def _next_wait(self, result: TickResult) -> float:
        """Seconds until something is due: the next poll, a retry back-off, or an idle check."""
        if not result.leader:
            return FOLLOWER_CHECK_S
        if result.more_to_collect:
            return 0.0
        now = self.ctx.clock()
        in_flight = await jobs_repo.count_on_server(self.ctx.db)
        moments = [
            server.next_poll_at
            for server in self.ctx.servers
            if in_flight.get(server.name) and server.next_poll_at is not None
        ]
        moments += [
            moment
            for server in self.ctx.servers
            for moment in (server.retry_at, server.full_until)
            if moment is not None and moment > now
        ]
        retry_at = await jobs_repo.next_retry_at(self.ctx.db, now=now)
        if retry_at is not None:
            moments.append(retry_at)
        waits = [(moment - now).total_seconds() for moment in moments]
        return max(0.0, min([*waits, IDLE_CHECK_S]))

    async def _sleep(self, seconds: float, *, stop: asyncio.Event | None = None) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        waiters = [asyncio.ensure_future(self._wake.wait())]
        if stop is not None:
            waiters.append(asyncio.ensure_future(stop.wait()))
        _, pending = await asyncio.wait(waiters, timeout=seconds, return_when="FIRST_COMPLETED")
        for waiter in pending:
            waiter.cancel()
        self._wake.clear()


def _default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_is_gone(holder: str) -> bool:
    """Whether a lease holder was a process on this machine that no longer exists."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
