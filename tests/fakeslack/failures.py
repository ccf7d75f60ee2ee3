"""Failure and latency injection: the next N calls of a method fail, the upload URL errors, or
answers are delayed (for timing tests and benchmarks)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.fakeslack.errors import SlackError


@dataclass
class Failure:
    """A planned failure for one method: Slack's error code, HTTP status, and how often."""

    error: str
    status: int
    retry_after: int | None
    extra: Mapping[str, Any]
    remaining: int

    def to_error(self) -> SlackError:
        """The SlackError this failure answers with (429s carry `Retry-After`)."""
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
        return SlackError(self.error, status=self.status, headers=headers, **self.extra)


@dataclass
class Failures:
    """Planned failures per method, upload failures, and per-method latency."""

    planned: dict[str, list[Failure]] = field(default_factory=dict)
    upload_statuses: list[int] = field(default_factory=list)
    upload_drops: int = 0  # upload POSTs left to answer with a closed connection, no response
    latency: dict[str | None, float] = field(default_factory=dict)

    def add(self, method: str, failure: Failure) -> None:
        """Queue a failure behind any already planned for the method."""
        self.planned.setdefault(method, []).append(failure)

    def take(self, method: str) -> SlackError | None:
        """The error for this call, if one is planned (consumes one use)."""
        queue = self.planned.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.remaining -= 1
        if failure.remaining <= 0:
            queue.pop(0)
        return failure.to_error()

    def take_upload(self) -> int | None:
        """The HTTP status the upload URL should fail with this time, if any."""
        return self.upload_statuses.pop(0) if self.upload_statuses else None

    def take_upload_drop(self) -> bool:
        """Whether the upload URL should close this connection without answering."""
        if self.upload_drops <= 0:
            return False
        self.upload_drops -= 1
        return True

    def delay_for(self, method: str) -> float:
        """Seconds to wait before answering this method (method-specific, else global)."""
        return self.latency.get(method, self.latency.get(None, 0.0))
