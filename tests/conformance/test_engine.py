"""One engine run against the real server code: a job from enqueue to DONE with its tracks."""

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from audiofile.codec import probe_audio
from bot.engine.acestep import AceStepClient
from bot.engine.audio.workers import AudioWorkers
from bot.engine.jobs.context import EngineConfig, EngineContext
from bot.engine.jobs.runner import JobEngine
from bot.engine.jobs.servers import PollBounds, Server
from domain.records import JobStatus
from domain.request import GenerationRequest
from storage import jobs as jobs_repo
from storage import tracks as tracks_repo
from storage.database import Database

from .conftest import API_KEY
from .realserver import DIT_MODEL, RealServer

WAIT_S = 60.0  # a bound for the server's worker thread, not a speed assertion


def now() -> datetime:
    return datetime.now(UTC)


async def test_a_job_runs_to_done_with_its_tracks(
    real: RealServer, db: Database, tmp_path: Path
) -> None:
    client = AceStepClient(real.http, name="real-acestep", api_key=API_KEY)
    server = Server(client=client, capacity=2, placeholder=True)
    config = EngineConfig(output_dir=tmp_path / "outputs", poll=PollBounds(0.01, 0.05))
    audio = AudioWorkers(0)
    engine = JobEngine(
        EngineContext(db=db, servers=[server], config=config, clock=now, audio=audio)
    )
    request = GenerationRequest.model_validate(
        {
            "caption": "conformance lounge, vibraphone",
            "duration_s": 12,
            "variants": 2,
            "audio_format": "mp3",
            "bpm": 96,
            "key_scale": "F major",
            "time_signature": "4",
        }
    )
    try:
        job = await engine.enqueue(request, origin="test")
        async with asyncio.timeout(WAIT_S):
            while (
                not (current := await jobs_repo.get_job(db, job.id)) or not current.status.finished
            ):
                await engine.tick()
                await asyncio.sleep(0.02)
    finally:
        await audio.aclose()

    assert current.status is JobStatus.DONE
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
