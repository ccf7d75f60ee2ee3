"""The composition root sizes the audio process pool from the settings and stops it on exit."""

from pathlib import Path

import numpy as np

from audiofile.codec import write_audio
from bot.engine.audio.qc import check_audio
from bot.engine.audio.workers import default_workers
from bot.services import open_services
from tests.conftest import make_settings


async def test_the_pool_follows_audio_check_workers_and_closes_with_the_services(
    tmp_path: Path,
) -> None:
    take = tmp_path / "tone.wav"
    tone = np.sin(np.arange(48_000 * 2) * 2 * np.pi * 440 / 48_000).astype(np.float32) * 0.3
    write_audio(np.column_stack([tone, tone]), 48_000, take, "wav")
    async with open_services(make_settings(tmp_path, audio_check_workers=1)) as services:
        audio = services.engine.ctx.audio
        assert audio.workers == 1
        report = await audio.run(check_audio, take, expected_duration_s=2.0)
        assert report.measurements["integrated_lufs"] is not None
        assert audio._pool is not None  # a real worker process did the check
    assert audio._pool is None
    unset = make_settings(tmp_path / "default", audio_check_workers=None)  # as when not set
    async with open_services(unset) as services:
        assert services.engine.ctx.audio.workers == default_workers()
