"""The ACE-Step stand-in as its own process, writing its own record of task times at exit.

    python -m bench.standin_process --port 8001 --job-seconds 0.2 --timeline tasks.json

What `acemusic engine` serves, plus one thing the real server never tells anyone: when it stops
(SIGTERM or SIGINT: its app's shutdown), every finished task's start and end (epoch seconds) go
to `--timeline` as JSON, so a benchmark can measure the server's busy time without sharing its
process with the bot; with `--requests`, the requests it answered by path go there as JSON too.

`--reuse-audio` makes the stand-in cheap for long runs on a small machine: it renders the
placeholder music once per length and writes that same audio for every later track of that
length (each still its own file, named and encoded as usual), so a job costs its file writes and
its simulated GPU time instead of seconds of synthesis.
"""

import argparse
import asyncio
import contextlib
import json
import time
from dataclasses import asdict
from pathlib import Path

import uvicorn

import standin.render
from standin import StandInConfig, StandInServer
from standin.audio.synth import Arrangement, Stereo

FORGET_CHECK_S = 10.0  # how often files older than --forget-files-after are looked for


class RecordingStandIn(StandInServer):
    """The stand-in, writing its task times when its workers stop (the app's shutdown)."""

    def __init__(
        self,
        config: StandInConfig,
        timeline: Path,
        requests: Path | None,
        *,
        forget_files_after_s: float = 0.0,
    ) -> None:
        super().__init__(config)
        self.timeline = timeline
        self.requests = requests
        self.forget_files_after_s = forget_files_after_s
        self._forgetting: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start the workers (and, when asked, the sweep of old audio files)."""
        await super().start()
        if self.forget_files_after_s > 0:
            self._forgetting = asyncio.create_task(self._forget_old_files())

    async def _forget_old_files(self) -> None:
        """Delete audio files written more than `forget_files_after_s` ago, so a 20,000-track
        night does not keep a second copy of every track on the disk (the bot keeps its own)."""
        folder = self.config.audio_dir
        while True:
            await asyncio.sleep(FORGET_CHECK_S)
            written_before = time.time() - self.forget_files_after_s
            for path in await asyncio.to_thread(lambda: list(folder.rglob("*"))):
                with contextlib.suppress(FileNotFoundError):
                    if path.is_file() and path.stat().st_mtime < written_before:
                        path.unlink()

    async def stop(self) -> None:
        """Stop the workers, then write every finished task's times to the timeline file."""
        if self._forgetting is not None:
            self._forgetting.cancel()
        await super().stop()
        tasks = [asdict(task) for task in self.finished_tasks()]
        self.timeline.write_text(json.dumps(tasks))
        if self.requests is not None:
            self.requests.write_text(json.dumps(dict(self.request_counts)))


def reuse_audio() -> None:
    """Render each length's placeholder once, then hand out that audio for every track of it."""
    render = standin.render.render_placeholder
    rendered: dict[tuple[float, int], Stereo] = {}

    def reused(arrangement: Arrangement, *, sample_rate: int) -> Stereo:
        key = (arrangement.duration_s, sample_rate)
        if key not in rendered:
            rendered[key] = render(arrangement, sample_rate=sample_rate)
        return rendered[key]

    standin.render.render_placeholder = reused


def main() -> None:
    """Serve until stopped, then write the timeline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--job-seconds", type=float, default=0.0)
    parser.add_argument("--queue-size", type=int, default=200)
    parser.add_argument("--audio-dir", type=Path, required=True)
    parser.add_argument("--timeline", type=Path, required=True)
    parser.add_argument("--requests", type=Path, help="write the request counts by path here")
    parser.add_argument(
        "--reuse-audio", action="store_true", help="render once per length (cheap long runs)"
    )
    parser.add_argument(
        "--forget-files-after",
        type=float,
        default=0.0,
        help="delete audio files this many seconds after writing them (0: keep them)",
    )
    args = parser.parse_args()
    if args.reuse_audio:
        reuse_audio()
    config = StandInConfig(
        audio_dir=args.audio_dir, job_seconds=args.job_seconds, queue_maxsize=args.queue_size
    )
    server = RecordingStandIn(
        config, args.timeline, args.requests, forget_files_after_s=args.forget_files_after
    )
    uvicorn.run(server.app, host="127.0.0.1", port=args.port, lifespan="on", ws="none")


if __name__ == "__main__":
    main()
