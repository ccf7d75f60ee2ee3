"""The real server's two API-key checks (ACESTEP_API.md §3); every failure is a 401.

- body-or-header (`/release_task`, `/query_result`, `/format_input`, `/create_random_sample`):
  a non-empty `ai_token` in the body is checked first and wins even over a right header;
- header only (`/v1/stats`, `/v1/audio`, and `/v1/models` on the PyPI build).

The header is `Bearer <key>` or the bare key; comparison is plain string equality.
"""

from collections.abc import Mapping
from typing import Final

from starlette.exceptions import HTTPException

BEARER: Final = "Bearer "
MISSING_HEADER: Final = "Missing Authorization header"
INVALID_KEY: Final = "Invalid API key"
INVALID_AI_TOKEN: Final = "Invalid ai_token"
MISSING_ANY: Final = "Missing ai_token or Authorization header"


def check_body_or_header(
    body: Mapping[str, object], authorization: str | None, api_key: str | None
) -> None:
    """Accept a right `ai_token`, else a right header; raise 401 otherwise (auth off: no-op)."""
    if api_key is None:
        return
    ai_token = body.get("ai_token")
    if ai_token:
        if ai_token != api_key:
            raise _unauthorised(INVALID_AI_TOKEN)
        return
    if not authorization:
        raise _unauthorised(MISSING_ANY)
    if _token(authorization) != api_key:
        raise _unauthorised(INVALID_KEY)


def check_header(authorization: str | None, api_key: str | None) -> None:
    """Accept a right Authorization header; raise 401 otherwise (auth off: no-op)."""
    if api_key is None:
        return
    if not authorization:
        raise _unauthorised(MISSING_HEADER)
    if _token(authorization) != api_key:
        raise _unauthorised(INVALID_KEY)


def _token(authorization: str) -> str:
    return authorization[len(BEARER) :] if authorization.startswith(BEARER) else authorization


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail)
