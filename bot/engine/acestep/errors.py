"""Errors raised by the ACE-Step client, one class per thing the caller can do about it.

Hierarchy::

    AceStepError                  base; .server names the server, .endpoint the call ("POST /x")
    ├── AceStepUnavailable        connection refused/reset, DNS, proxy: retry later, maybe elsewhere
    │   │                         (.may_have_arrived: the server may have received and acted on it)
    │   └── AceStepTimeout        connect/read/write/pool timeout
    ├── AceStepAuthError          401: the key is missing or wrong (check ACESTEP_API_KEY)
    ├── AceStepQueueFull          429: the server's queue is full; .retry_after (seconds) if known
    ├── AceStepRejected           400/403/404/405/415/422: our request is wrong, do not retry
    │   └── AceStepFileMissing    404 on /v1/audio: the audio file is gone from the server
    ├── AceStepServerError        5xx, or HTTP 200 with `code` != 200: retry a bounded number
    │   └── AceStepLMUnavailable  /format_input cannot use the LM: fall back to the user's prompt
    └── AceStepMalformedReply     a reply we cannot read: bad JSON, wrong shape, bad download

`str(error)` is one line that is safe for logs and, mostly, for people: it never contains the API
key or a server file path taken from a traceback. Longer server text for logs is in `.detail`.
"""

from typing import Final

_MAX_MESSAGE_CHARS: Final = 400


class AceStepError(Exception):
    """Anything that went wrong talking to one ACE-Step server."""

    def __init__(
        self,
        message: str,
        *,
        server: str,
        endpoint: str | None = None,
        detail: str | None = None,
    ) -> None:
        self.message = " ".join(message.split())[:_MAX_MESSAGE_CHARS]
        self.server = server
        self.endpoint = endpoint
        self.detail = detail
        super().__init__(self.message)

    def __str__(self) -> str:
        where = f" ({self.endpoint})" if self.endpoint else ""
        return f"ACE-Step {self.server}: {self.message}{where}"


class AceStepUnavailable(AceStepError):
    """The server could not be reached, or its reply was lost.

    `may_have_arrived` is False only when the request certainly never left (no connection was
    made); otherwise the server may have received it, and a submission may exist there.
    """

    def __init__(
        self,
        message: str,
        *,
        server: str,
        endpoint: str | None = None,
        detail: str | None = None,
        may_have_arrived: bool = True,
    ) -> None:
        super().__init__(message, server=server, endpoint=endpoint, detail=detail)
        self.may_have_arrived = may_have_arrived


class AceStepTimeout(AceStepUnavailable):
    """The server did not answer in time (connect, read, write or pool timeout)."""


class AceStepAuthError(AceStepError):
    """HTTP 401: the API key is missing or wrong."""


class AceStepQueueFull(AceStepError):
    """HTTP 429: the server's queue is full; try again later or on another server."""

    def __init__(
        self,
        message: str,
        *,
        server: str,
        endpoint: str | None = None,
        detail: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, server=server, endpoint=endpoint, detail=detail)
        self.retry_after = retry_after


class AceStepRejected(AceStepError):
    """HTTP 4xx other than 401/429: the request itself is wrong; sending it again will not help."""

    def __init__(
        self,
        message: str,
        *,
        server: str,
        status_code: int,
        endpoint: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message, server=server, endpoint=endpoint, detail=detail)
        self.status_code = status_code


class AceStepFileMissing(AceStepRejected):
    """HTTP 404 on /v1/audio: the file named in a result is no longer on the server."""


class AceStepServerError(AceStepError):
    """HTTP 5xx, or HTTP 200 whose wrapper says `code` != 200; retry a bounded number of times."""

    def __init__(
        self,
        message: str,
        *,
        server: str,
        status_code: int,
        endpoint: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message, server=server, endpoint=endpoint, detail=detail)
        self.status_code = status_code


class AceStepLMUnavailable(AceStepServerError):
    """/format_input could not run the server's language model; use the user's own prompt."""


class AceStepMalformedReply(AceStepError):
    """The reply cannot be understood: not JSON, a missing field, a wrong type, a bad download."""
