"""The engine against the real server code: jobs from enqueue to DONE with their tracks."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from audiofile.codec import probe_audio
from bot.engine.acestep import AceStepClient
from bot.engine.audio.workers import AudioWorkers
from bot.engine.jobs.context import EngineConfig, EngineContext
from bot.engine.jobs.runner import JobEngine
from bot.engine.jobs.servers import PollBounds, Server
from domain.records import JobRecord, JobStatus
from domain.request import GenerationRequest
from storage import jobs as jobs_repo
from storage import tracks as tracks_repo
from storage.database import Database

from .conftest import API_KEY
from .realserver import DIT_MODEL, RealServer

WAIT_S = 60.0  # a bound for the server's worker thread, not a speed assertion
REQUEST = {
    "caption": "conformance lounge, vibraphone",
    "duration_s": 12,
    "variants": 2,
    "audio_format": "mp3",
    "bpm": 96,
    "key_scale": "F major",
    "time_signature": "4",
}


STEP_S = 0.5  # engine time moved on per tick, so retry back-offs pass without sleeping


class SteppingClock:
    """Real time plus an offset the test moves forward (as tests/engine's OffsetClock)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


async def run_job(real: RealServer, db: Database, output_dir: Path) -> JobRecord:
    """Enqueue `REQUEST` on an engine whose one server is the real server; tick until it ends."""
    client = AceStepClient(real.http, name="real-acestep", api_key=API_KEY)
    server = Server(client=client, capacity=2, placeholder=True)
    config = EngineConfig(output_dir=output_dir, poll=PollBounds(0.01, 0.05))
    audio = AudioWorkers(0)
    clock = SteppingClock()
    ctx = EngineContext(db=db, servers=[server], config=config, clock=clock, audio=audio)
    engine = JobEngine(ctx)
    try:
        job = await engine.enqueue(GenerationRequest.model_validate(REQUEST), origin="test")
        async with asyncio.timeout(WAIT_S):
            while True:
                await engine.tick()
                current = await jobs_repo.get_job(db, job.id)
                assert current is not None
                if current.status.finished:
                    return current
                await asyncio.sleep(0.02)
                clock.advance(STEP_S)
    finally:
        await audio.aclose()


async def test_a_job_runs_to_done_with_its_tracks(
    real: RealServer, db: Database, tmp_path: Path
) -> None:
    job = await run_job(real, db, tmp_path / "outputs")

    assert job.status is JobStatus.DONE
    tracks = await tracks_repo.list_tracks(db, job_ids=[job.id], oldest_first=True)
    assert len(tracks) == 2
    (params, generation) = real.calls.generations[0]
    assert (params.caption, params.bpm, params.keyscale) == (
        "conformance lounge, vibraphone",
        96,
        "F major",
    )
    assert (generation.batch_size, generation.audio_format) == (2, "mp3")
    for track in tracks:
        info = probe_audio(Path(track.file_path))
        assert info.format == "mp3"
        assert abs(info.duration_s - 12.0) < 0.1
        assert track.placeholder
        assert track.dit_model == DIT_MODEL


async def test_a_failed_generation_is_retried_to_done(
    real: RealServer, db: Database, tmp_path: Path
) -> None:
    # The PyPI build reports a failure with no reason at all: status 2 and the base fields.
    real.calls.fail_next.append("placeholder failure: CUDA out of memory")
    job = await run_job(real, db, tmp_path / "outputs")

    assert job.status is JobStatus.DONE
    assert len(real.calls.generations) == 2
    assert len(await tracks_repo.list_tracks(db, job_ids=[job.id])) == 2
