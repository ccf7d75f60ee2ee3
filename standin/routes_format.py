"""`/format_input`: prompt enhancement by the stand-in's rule-based "LM" (ACESTEP_API.md §8).

Only top-level `prompt` and `lyrics` are read (no aliases); musical hints come from `param_obj`.
Without the LM it answers 503, or 500 once a job has tried to use the missing LM (HEAD); the
PyPI build has no 503 path. `StandInServer.set_format_failure` makes it answer HTTP 200 with
`code: 500`, upstream's shape for a formatting failure.
"""

import json
from collections.abc import Mapping
from dataclasses import asdict
from typing import Final

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from standin import lm
from standin.core import Core, core_of
from standin.errors import ServerFault
from standin.plan import LM_INIT_ERROR
from standin.routes_jobs import authorised_body
from standin.shapes import wrap
from standin.values import to_float, to_int

LM_DISABLED: Final = "LLM not initialized. Set ACESTEP_INIT_LLM=true in .env to enable."


async def format_input(request: Request) -> Response:
    """Enrich a caption and fill open musical fields."""
    core = core_of(request)
    body = await authorised_body(request, core.shared.config.api_key)
    _check_lm(core)
    params = _param_obj(body.get("param_obj", "{}"))
    failure = core.shared.controls.format_error
    if failure is not None:
        return JSONResponse(wrap(None, code=500, error=f"format_sample failed: {failure}"))
    result = lm.format_input(
        str(body.get("prompt", "") or ""),
        str(body.get("lyrics", "") or ""),
        bpm=to_int(params.get("bpm")),
        key_scale=str(params.get("key", "") or params.get("key_scale", "") or ""),
        time_signature=str(
            params.get("time_signature", "") or body.get("time_signature", "") or ""
        ),
        duration=to_float(params.get("duration")),
        language=str(params.get("language", "") or ""),
    )
    return JSONResponse(wrap(asdict(result)))


def _check_lm(core: Core) -> None:
    config = core.shared.config
    if config.lm_available:
        return
    if config.flavour == "pypi":
        raise HTTPException(status_code=500, detail=f"LLM init failed: {LM_INIT_ERROR}")
    if core.runtime.lm_init_error:
        raise HTTPException(
            status_code=500, detail=f"LLM init failed: {core.runtime.lm_init_error}"
        )
    raise HTTPException(status_code=503, detail=LM_DISABLED)


def _param_obj(value: object) -> Mapping[str, object]:
    """An object or a JSON string; bad JSON reads as `{}`, other shapes crash like upstream."""
    if isinstance(value, dict):
        return value
    if not value:
        return {}
    if not isinstance(value, str):
        raise ServerFault("param_obj is neither an object nor a string")
    try:
        decoded = json.loads(value)
    except json.JSONDecodeError:
        return {}
    if not isinstance(decoded, dict):
        raise ServerFault("param_obj JSON is not an object")
    return decoded
