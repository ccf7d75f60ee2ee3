"""Progress on the console: one live line in a terminal, occasional plain lines otherwise.

In a terminal (`rich` decides: a TTY, not `TERM=dumb`) progress is a single line redrawn in place
with counts, rate and ETA, and anything worth keeping (a retry, a failure) is printed above it.
When the output is a file or a pipe (CI, logs) a plain line is written only when something changed,
and at most every `PLAIN_EVERY_S` seconds, plus a last one at the end.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import IO, Self

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

PLAIN_EVERY_S = 10.0


@dataclass
class LiveProgress:
    """A counted piece of work (tracks of a batch, jobs of a run) shown as it advances."""

    label: str
    unit: str
    stream: IO[str] | None = None
    force_terminal: bool | None = None
    clock: Callable[[], float] = time.monotonic
    plain_every_s: float = PLAIN_EVERY_S
    _console: Console = field(init=False)
    _bar: Progress | None = field(init=False, default=None)
    _task: TaskID | None = field(init=False, default=None)
    _started: float = field(init=False, default=0.0)
    _last_plain: tuple[str, float] | None = field(init=False, default=None)
    _pending: str | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._console = Console(
            file=self.stream, stderr=self.stream is None, force_terminal=self.force_terminal
        )

    @property
    def live(self) -> bool:
        """Whether progress is one line redrawn in place (a terminal)."""
        return self._console.is_terminal

    def __enter__(self) -> Self:
        self._started = self.clock()
        if self.live:
            self._bar = Progress(
                TextColumn("[bold]{task.fields[label]}"),
                BarColumn(bar_width=24),
                MofNCompleteColumn(),
                TextColumn(f"{self.unit} · {{task.fields[detail]}}"),
                TextColumn("· {task.fields[rate]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=self._console,
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task("", total=None, label=self.label, detail="", rate="–")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
        elif self._pending is not None:
            self._console.print(self._pending, markup=False, highlight=False, soft_wrap=True)
            self._pending = None

    def update(self, done: float, total: float, detail: str = "") -> None:
        """Where the work is: `done` of `total` units, plus a short free text."""
        rate = self._rate(done)
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=done, total=total, detail=detail, rate=rate)
            return
        text = f"{self.label}: {done:g}/{total:g} {self.unit}"
        text += f", {detail}" if detail else ""
        line = f"{text}, {rate}{self._eta(done, total)}"
        self._plain(text, line)

    def note(self, text: str) -> None:
        """A line worth keeping (printed above the live line, or as is)."""
        self._console.print(text, markup=False, highlight=False, soft_wrap=True)

    def _rate(self, done: float) -> str:
        elapsed = self.clock() - self._started
        if done <= 0 or elapsed <= 0:
            return "–"
        per_minute = done / elapsed * 60
        return f"{per_minute:.1f} {self.unit}/min"

    def _eta(self, done: float, total: float) -> str:
        elapsed = self.clock() - self._started
        if done <= 0 or elapsed <= 0 or done >= total:
            return ""
        left_s = (total - done) * elapsed / done
        return f", ETA {_clock(left_s)}"

    def _plain(self, state: str, line: str) -> None:
        """Print when the state changed and the last line is old enough; keep the rest for later."""
        now = self.clock()
        if self._last_plain is not None:
            last_state, last_at = self._last_plain
            if state == last_state or now - last_at < self.plain_every_s:
                self._pending = None if state == last_state else line
                return
        self._last_plain = (state, now)
        self._pending = None
        self._console.print(line, markup=False, highlight=False, soft_wrap=True)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
