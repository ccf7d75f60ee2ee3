"""An engine wired to in-process ACE-Step stand-ins through real httpx clients.

`make_rig(...)` builds one; every HTTP request passes through a `SwitchableTransport`, so a test can
take a server "down", hand out a broken audio file, or read the bodies the engine sent.
"""

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.engine.acestep.client import AceStepClient
from bot.engine.audio.workers import AudioWorkers
from bot.engine.jobs.context import EngineConfig, EngineContext
from bot.engine.jobs.runner import JobEngine
from bot.engine.jobs.servers import PollBounds, Server
from domain.records import JobRecord, JobStatus, TrackRecord
from domain.request import GenerationRequest
from standin import StandInConfig, StandInServer
from storage import jobs as jobs_repo
from storage import tracks as tracks_repo
from storage.database import Database
from tests.postgres import BACKENDS

FAST_POLLS = PollBounds(0.01, 0.05)


class OffsetClock:
    """Real time plus an offset that tests move forward (no sleeping)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


class SwitchableTransport(httpx.AsyncBaseTransport):
    """Passes requests to a real transport, records them, and can fail or replace them."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.down = False
        self.bad_audio: list[bytes] = []  # served instead of the next real downloads
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if request.url.path == "/v1/audio" and self.bad_audio:
            body = self.bad_audio.pop(0)
            return httpx.Response(200, content=body, headers={"content-type": "audio/wav"})
        return await self.inner.handle_async_request(request)

    def bodies(self, path: str) -> list[dict[str, Any]]:
        """JSON bodies sent to `path`, in order."""
        return [json.loads(r.content) for r in self.requests if r.url.path == path]

    def count(self, path: str) -> int:
        """Requests sent to `path`."""
        return sum(1 for r in self.requests if r.url.path == path)


@dataclass
class Rig:
    """One engine, its database, its clock, and the stand-ins behind its servers."""

    engine: JobEngine
    db: Database
    clock: OffsetClock
    standins: list[StandInServer]
    transports: list[SwitchableTransport]
    output_dir: Path
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    @property
    def ctx(self) -> EngineContext:
        return self.engine.ctx

    async def enqueue(self, priority: int = 0, **overrides: Any) -> JobRecord:
        return await self.engine.enqueue(
            make_request(**overrides), origin="test", priority=priority
        )

    async def job(self, job_id: int) -> JobRecord:
        job = await jobs_repo.get_job(self.db, job_id)
        assert job is not None
        return job

    async def statuses(self, jobs: list[JobRecord]) -> list[JobStatus]:
        return [(await self.job(job.id)).status for job in jobs]

    async def all_finished(self, jobs: list[JobRecord]) -> bool:
        return all(status.finished for status in await self.statuses(jobs))

    async def step(self, seconds: float) -> None:
        """One tick, then let every stand-in finish what it was given, then move the clock."""
        await self.engine.tick()
        for standin in self.standins:
            await standin.wait_until_idle()
        self.clock.advance(seconds)

    async def tracks(self, job_id: int, *, include_rejected: bool = False) -> list[TrackRecord]:
        return await tracks_repo.list_tracks(
            self.db, job_ids=[job_id], include_rejected=include_rejected, oldest_first=True
        )


def make_request(**overrides: Any) -> GenerationRequest:
    """A small, fast request (10 s WAV, one variant) unless a test says otherwise."""
    fields: dict[str, Any] = {
        "caption": "test jazz, piano",
        "duration_s": 10,
        "variants": 1,
        "audio_format": "wav",
        "bpm": 100,
        "key_scale": "C major",
        "time_signature": "4",
    }
    return GenerationRequest.model_validate(fields | overrides)


MakeRig = Callable[..., Awaitable[Rig]]


@pytest.fixture
async def make_rig(tmp_path: Path, db: Database) -> AsyncIterator[MakeRig]:
    """`await make_rig(servers=2, capacity=3, standin={...}, **engine_config)` -> a Rig.

    Audio checks run in a thread unless `audio_workers=N` asks for a real pool of N processes.
    """
    rigs: list[Rig] = []
    pools: list[AudioWorkers] = []

    async def make(
        *,
        servers: int = 1,
        capacity: int = 3,
        standin: dict[str, Any] | None = None,
        audio_workers: int = 0,
        **config: Any,
    ) -> Rig:
        clock = OffsetClock()
        standins, transports, clients, server_list = [], [], [], []
        for index in range(servers):
            audio_dir = tmp_path / f"standin-{len(rigs)}-{index}"
            server = StandInServer(
                StandInConfig(audio_dir=audio_dir, seed=index, **(standin or {}))
            )
            await server.start()
            transport = SwitchableTransport(httpx.ASGITransport(app=server.app))
            http = httpx.AsyncClient(transport=transport, base_url=f"http://server{index}")
            client = AceStepClient(http, name=f"server{index}")
            standins.append(server)
            transports.append(transport)
            clients.append(http)
            server_list.append(Server(client=client, capacity=capacity, placeholder=True))
        output_dir = tmp_path / f"outputs-{len(rigs)}"
        # on PostgreSQL the engine runs as one of several workers would (claims, shared room)
        config = {"shared_queue": db.row_locking} | config
        engine_config = EngineConfig(output_dir=output_dir, poll=FAST_POLLS, **config)
        audio = AudioWorkers(audio_workers)
        pools.append(audio)
        ctx = EngineContext(
            db=db, servers=server_list, config=engine_config, clock=clock, audio=audio
        )
        rig = Rig(JobEngine(ctx), db, clock, standins, transports, output_dir, clients)
        rigs.append(rig)
        return rig

    yield make
    for pool in pools:
        await pool.aclose()
    for rig in rigs:
        for http in rig.clients:
            await http.aclose()
        for server in rig.standins:
            await server.stop()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Engine tests run on SQLite and on a real PostgreSQL server."""
    return str(request.param)
