"""The shared core the HTTP handlers work on: identity, options, state, records, background work."""

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.fakeslack.errors import SlackError, missing_argument
from tests.fakeslack.failures import Failures
from tests.fakeslack.identity import Identity
from tests.fakeslack.records import Call, Changes
from tests.fakeslack.state import Workspace


@dataclass(frozen=True)
class Options:
    """Behaviour knobs (all have Slack-like or test-friendly defaults)."""

    share_delay: float = 0.05  # seconds between files.completeUploadExternal and the share message
    trigger_ttl: float = 3.0  # a trigger_id expires this long after the fake delivered it
    strict_triggers: bool = False  # True: trigger ids the fake never delivered are invalid
    auto_create: bool = True  # unknown but well-formed C…/U… ids spring into existence on use
    response_url_uses: int = 5  # Slack: a response_url works up to 5 times (30 minutes)


@dataclass
class Trigger:
    """A trigger id the fake handed out (in a payload it delivered)."""

    trigger_id: str
    issued_at: float
    user: str | None = None
    view_id: str | None = None


@dataclass
class Triggers:
    """Single-use trigger ids: reuse is `exchanged_trigger_id`, lateness `expired_trigger_id`."""

    options: Options
    issued: dict[str, Trigger] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    def issue(
        self, trigger_id: str, *, user: str | None = None, view_id: str | None = None
    ) -> None:
        """Remember a trigger id the fake just delivered to the app."""
        self.issued[trigger_id] = Trigger(trigger_id, time.monotonic(), user, view_id)

    def exchange(self, trigger_id: object) -> Trigger:
        """Use a trigger id once (views.open / views.push)."""
        if not isinstance(trigger_id, str) or not trigger_id:
            raise missing_argument("trigger_id")
        if trigger_id in self.used:
            raise SlackError("exchanged_trigger_id")
        trigger = self.issued.get(trigger_id)
        if trigger is None and self.options.strict_triggers:
            raise SlackError("invalid_trigger_id")
        if trigger is not None and time.monotonic() - trigger.issued_at > self.options.trigger_ttl:
            raise SlackError("expired_trigger_id")
        self.used.add(trigger_id)
        return trigger or Trigger(trigger_id, time.monotonic())


class Backend:
    """Everything the Web API, upload, response_url and Socket Mode handlers share."""

    def __init__(self, identity: Identity, options: Options) -> None:
        self.identity = identity
        self.options = options
        self.changes = Changes()
        self.workspace = Workspace(
            identity, auto_create=options.auto_create, on_change=self.changes.notify
        )
        self.triggers = Triggers(options)
        self.failures = Failures()
        self.calls: list[Call] = []
        self.problems: list[str] = []
        self.upload_tokens: dict[str, str] = {}
        self.base_url = ""
        self.issue_socket_url: Callable[[], str] = _not_started
        self._tasks: set[asyncio.Task[None]] = set()

    def record(self, call: Call) -> None:
        """Remember a Web API call."""
        self.calls.append(call)
        self.changes.notify()

    def note(self, problem: str) -> None:
        """Remember something Slack might accept but that is probably a bug in the app."""
        self.problems.append(problem)
        self.changes.notify()

    def later(self, delay: float, action: Callable[[], None]) -> None:
        """Run `action` after `delay` seconds (cancelled if the fake stops first)."""

        async def run() -> None:
            await asyncio.sleep(delay)
            action()

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Cancel pending background work."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _not_started() -> str:
    raise SlackError("service_unavailable")
