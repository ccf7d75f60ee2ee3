"""The audio process pool: results and errors as in-process, sizing, shutdown."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from audiofile.codec import AudioDecodeError, write_audio
from bot.engine.audio.qc import check_audio, normalise_loudness
from bot.engine.audio.workers import PARENT_CHECK_S, AudioWorkers, default_workers
from standin.audio.synth import SAMPLE_RATE


async def test_a_real_pool_gives_the_in_process_results(
    music: NDArray[np.float32], tmp_path: Path
) -> None:
    take = tmp_path / "take.flac"
    write_audio(music, SAMPLE_RATE, take, "flac")
    silent = tmp_path / "silent.wav"
    write_audio(np.zeros_like(music), SAMPLE_RATE, silent, "wav")
    pool = AudioWorkers(2)
    try:
        reports = [
            await pool.run(check_audio, path, expected_duration_s=12.0) for path in (take, silent)
        ]
        gain_db = await pool.run(
            normalise_loudness, take, tmp_path / "loud.flac", target_lufs=-16.0, fmt="flac"
        )
    finally:
        await pool.aclose()
    assert reports == [check_audio(path, expected_duration_s=12.0) for path in (take, silent)]
    assert [report.verdict for report in reports] == ["pass", "fail"]
    assert gain_db == normalise_loudness(
        take, tmp_path / "here.flac", target_lufs=-16.0, fmt="flac"
    )
    loud = check_audio(tmp_path / "loud.flac", expected_duration_s=12.0)
    assert loud.measurements["integrated_lufs"] == pytest.approx(-16.0, abs=0.15)


async def test_errors_in_a_worker_are_raised_to_the_caller(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.mp3"
    garbage.write_bytes(b"not audio at all" * 100)
    pool = AudioWorkers(1)
    try:
        with pytest.raises(AudioDecodeError, match=r"garbage\.mp3 is not readable"):
            await pool.run(
                normalise_loudness, garbage, tmp_path / "out.mp3", target_lufs=-14.0, fmt="mp3"
            )
    finally:
        await pool.aclose()


async def test_zero_workers_and_a_closed_pool_run_in_a_thread(
    music: NDArray[np.float32], tmp_path: Path
) -> None:
    take = tmp_path / "take.wav"
    write_audio(music, SAMPLE_RATE, take, "wav")
    in_process = AudioWorkers.in_process()
    closed = AudioWorkers(2)
    closed.close()
    for workers in (in_process, closed):
        report = await workers.run(check_audio, take, expected_duration_s=12.0)
        assert report.verdict == "pass"
        assert workers._pool is None  # no process was started


def test_the_pool_is_sized_to_the_cores_unless_told() -> None:
    assert AudioWorkers().workers == default_workers() >= 1
    assert AudioWorkers(3).workers == 3
    with pytest.raises(ValueError, match="cannot be negative"):
        AudioWorkers(-1)


KILLED_PARENT = """
import asyncio, os, signal, sys
from bot.engine.audio.workers import AudioWorkers

async def main() -> None:
    pool = AudioWorkers(1)
    worker = await pool.run(os.getpid)
    print(worker, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # no close: the pool is left behind

asyncio.run(main())
"""


def test_workers_end_when_the_process_that_started_them_is_killed() -> None:
    done = subprocess.run(
        [sys.executable, "-c", KILLED_PARENT],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == -signal.SIGKILL
    worker = int(done.stdout.split()[0])
    deadline = time.monotonic() + 10 * PARENT_CHECK_S + 5
    while time.monotonic() < deadline and _alive(worker):
        time.sleep(0.1)
    assert not _alive(worker), f"audio worker {worker} outlived its killed parent"


def _alive(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie waiting for its reaper counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
