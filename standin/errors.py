"""The stand-in's own exceptions.

    ServerFault  -- the real server would crash here: answer a plain-text 500
    QueueFull    -- a submission found the queue full: answer 429 (its record stays, a phantom)
    JobFailure   -- a job ends with status 2 (the text is kept in the job store, never shown)

HTTP errors with a `{"detail": ...}` body use `starlette.exceptions.HTTPException`.
"""


class ServerFault(Exception):
    """A request upstream fails with an unhandled exception (plain `Internal Server Error`)."""


class JobFailure(Exception):
    """Why a job failed; the real server keeps this only in memory and never reports it."""


class QueueFull(Exception):
    """The queue of waiting jobs is at `queue_maxsize`."""
