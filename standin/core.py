"""The stand-in's live state as the routes see it: what survives restarts, and the current process.

Every method here must run on the event loop's thread; `StandInServer` takes care of that.
"""

from typing import cast

from starlette.requests import Request

from standin.config import StandInConfig
from standin.runtime import Runtime
from standin.state import Shared


class Core:
    """`shared` outlives restarts; `runtime` is the current emulated server process."""

    def __init__(self, config: StandInConfig) -> None:
        self.shared = Shared.from_config(config)
        self.runtime = Runtime(self.shared)
        self.started = False

    def start(self) -> None:
        """Start the current runtime's workers (idempotent)."""
        self.started = True
        self.runtime.start()

    async def stop(self) -> None:
        """Stop the workers; queued jobs stay queued."""
        self.started = False
        await self.runtime.stop()

    def restart(self, *, forget_running: bool) -> None:
        """Replace the runtime as a process restart would; workers restart if they were running."""
        self.runtime.abandon(forget_running=forget_running)
        self.runtime = Runtime(self.shared)
        if self.started:
            self.runtime.start()

    def resume(self) -> None:
        """Let paused workers go on."""
        self.shared.controls.paused = False
        self.runtime.wake()


def core_of(request: Request) -> Core:
    """The `Core` behind a request's app."""
    return cast(Core, request.app.state.standin_core)
