"""The job endpoints: `/release_task`, `/query_result` and `/create_random_sample`.

Bodies are parsed before auth is checked, as upstream, so a malformed body gets 400/415/500
rather than 401 (ACESTEP_API.md §3).
"""

from collections.abc import Mapping
from typing import Final

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from standin.auth import check_body_or_header
from standin.bodies import read_json_or_form, read_release_body
from standin.core import core_of
from standin.errors import QueueFull, ServerFault
from standin.query import lookup, task_ids
from standin.request import build_job_request, with_form_paths
from standin.shapes import wrap

# Upstream HEAD passes the form's source-audio paths to its request model twice
# (api_server.py L2178-2179 and L2202 via L2252-2259), a TypeError for every form body.
HEAD_FORM_BUG: Final = "form bodies crash upstream HEAD's /release_task (duplicate keyword)"
NO_EXAMPLES: Final = "No example data available"
QUEUE_FULL: Final = "Server busy: queue is full"


async def release_task(request: Request) -> Response:
    """Queue a generation job; answer its task id and queue position."""
    core = core_of(request)
    config = core.shared.config
    body = await read_release_body(request)
    check_body_or_header(body.fields, request.headers.get("authorization"), config.api_key)
    if body.kind == "form" and config.flavour == "head":
        raise ServerFault(HEAD_FORM_BUG)
    job = build_job_request(body.fields, config.flavour)
    if body.kind == "form":
        job = with_form_paths(job, body.fields)
    try:
        task_id, position = core.runtime.submit(job)
    except QueueFull as exc:
        raise HTTPException(status_code=429, detail=QUEUE_FULL) from exc
    return JSONResponse(wrap({"task_id": task_id, "status": "queued", "queue_position": position}))


async def query_result(request: Request) -> Response:
    """One entry per requested id, in request order."""
    core = core_of(request)
    body = await authorised_body(request, core.shared.config.api_key)
    ids = task_ids(body.get("task_id_list", "[]"))
    return JSONResponse(wrap([lookup(task_id, core.runtime) for task_id in ids]))


async def create_random_sample(request: Request) -> Response:
    """Upstream's pip installs ship no examples, so this always answers `code: 500`."""
    await authorised_body(request, core_of(request).shared.config.api_key)
    return JSONResponse(wrap(None, code=500, error=NO_EXAMPLES))


async def authorised_body(request: Request, api_key: str | None) -> Mapping[str, object]:
    """A JSON-or-form body that passed the body-or-header auth check.

    A JSON body that is not an object crashes upstream (after the auth check when it is empty).
    """
    body = await read_json_or_form(request)
    authorization = request.headers.get("authorization")
    if isinstance(body, dict):
        check_body_or_header(body, authorization, api_key)
        return body
    if not body:
        check_body_or_header({}, authorization, api_key)
    raise ServerFault("JSON body is not an object")
