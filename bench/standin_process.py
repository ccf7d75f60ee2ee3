"""The ACE-Step stand-in as its own process, writing its own record of task times at exit.

    python -m bench.standin_process --port 8001 --job-seconds 0.2 --timeline tasks.json

What `acemusic engine` serves, plus one thing the real server never tells anyone: when it stops
(SIGTERM or SIGINT: its app's shutdown), every finished task's start and end (epoch seconds) go
to `--timeline` as JSON, so a benchmark can measure the server's busy time without sharing its
process with the bot.
"""

import argparse
import json
from dataclasses import asdict
from pathlib import Path

import uvicorn

from standin import StandInConfig, StandInServer


class RecordingStandIn(StandInServer):
    """The stand-in, writing its task times when its workers stop (the app's shutdown)."""

    def __init__(self, config: StandInConfig, timeline: Path) -> None:
        super().__init__(config)
        self.timeline = timeline

    async def stop(self) -> None:
        """Stop the workers, then write every finished task's times to the timeline file."""
        await super().stop()
        tasks = [asdict(task) for task in self.finished_tasks()]
        self.timeline.write_text(json.dumps(tasks))


def main() -> None:
    """Serve until stopped, then write the timeline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--job-seconds", type=float, default=0.0)
    parser.add_argument("--queue-size", type=int, default=200)
    parser.add_argument("--audio-dir", type=Path, required=True)
    parser.add_argument("--timeline", type=Path, required=True)
    args = parser.parse_args()
    config = StandInConfig(
        audio_dir=args.audio_dir, job_seconds=args.job_seconds, queue_maxsize=args.queue_size
    )
    server = RecordingStandIn(config, args.timeline)
    uvicorn.run(server.app, host="127.0.0.1", port=args.port, lifespan="on", ws="none")


if __name__ == "__main__":
    main()
