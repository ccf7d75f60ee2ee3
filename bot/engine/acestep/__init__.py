"""Async client for the ACE-Step 1.5 REST API server (see shared/ACESTEP_API.md).

`AceStepClient` talks to one server; `wire` turns a `GenerationRequest` into a `/release_task`
body and `/query_result` replies into `TaskState`s; `errors` says what went wrong and what the
caller can do about it.
"""

from bot.engine.acestep.client import (
    AceStepClient,
    DownloadedFile,
    FormattedPrompt,
    ModelList,
    ServerStats,
    Submission,
)
from bot.engine.acestep.errors import (
    AceStepAuthError,
    AceStepError,
    AceStepFileMissing,
    AceStepLMUnavailable,
    AceStepMalformedReply,
    AceStepQueueFull,
    AceStepRejected,
    AceStepServerError,
    AceStepTimeout,
    AceStepUnavailable,
)
from bot.engine.acestep.urls import public_url
from bot.engine.acestep.wire import (
    ResultItem,
    TaskPhase,
    TaskState,
    bare_model_name,
    build_release_payload,
    match_model,
    parse_query_results,
)

__all__ = [
    "AceStepAuthError",
    "AceStepClient",
    "AceStepError",
    "AceStepFileMissing",
    "AceStepLMUnavailable",
    "AceStepMalformedReply",
    "AceStepQueueFull",
    "AceStepRejected",
    "AceStepServerError",
    "AceStepTimeout",
    "AceStepUnavailable",
    "DownloadedFile",
    "FormattedPrompt",
    "ModelList",
    "ResultItem",
    "ServerStats",
    "Submission",
    "TaskPhase",
    "TaskState",
    "bare_model_name",
    "build_release_payload",
    "match_model",
    "parse_query_results",
    "public_url",
]
