"""The read-only endpoints: `/health`, `/v1/models`, `/v1/stats` and `/v1/audio`.

`/v1/audio` serves only files inside the server's `api_audio` folder (symlinks and `..`
resolved): 403 outside, 404 missing, 422 without `path`. Auth is checked before `path`, as
upstream's dependency order does.
"""

import os
from pathlib import Path
from typing import Final

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from standin.auth import check_header
from standin.config import SERVICE_NAME, SERVICE_VERSION, Flavour
from standin.core import core_of
from standin.errors import ServerFault
from standin.shapes import openrouter_models, pypi_models, wrap

MEDIA_TYPES: Final = {
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".ogg": "audio/ogg",
}
DEFAULT_MEDIA_TYPE: Final = "audio/mpeg"
MISSING_PATH: Final = [
    {"type": "missing", "loc": ["query", "path"], "msg": "Field required", "input": None}
]


async def health(request: Request) -> Response:
    """Always ok; says nothing about the queue or the LM (like upstream)."""
    return JSONResponse(wrap({"status": "ok", "service": SERVICE_NAME, "version": SERVICE_VERSION}))


async def models(request: Request) -> Response:
    """HEAD: OpenRouter's unwrapped list, no auth. PyPI: wrapped, header auth."""
    config = core_of(request).shared.config
    if config.flavour == "head":
        return JSONResponse(openrouter_models(config.models))
    check_header(request.headers.get("authorization"), config.api_key)
    return JSONResponse(wrap(pypi_models(config.models)))


async def stats(request: Request) -> Response:
    """Job counts (phantom records included), queue size and average run time."""
    core = core_of(request)
    config = core.shared.config
    check_header(request.headers.get("authorization"), config.api_key)
    runtime = core.runtime
    data = {
        "jobs": runtime.store.stats(),
        "queue_size": len(runtime.waiting),
        "queue_maxsize": config.queue_maxsize,
        "avg_job_seconds": runtime.avg_job_seconds,
    }
    return JSONResponse(wrap(data))


async def audio(request: Request) -> Response:
    """A generated file, by its absolute server path."""
    core = core_of(request)
    config = core.shared.config
    check_header(request.headers.get("authorization"), config.api_key)
    path = request.query_params.get("path")
    if path is None:
        return JSONResponse({"detail": MISSING_PATH}, status_code=422)
    resolved = locate_audio(path, core.shared.audio_dir, config.flavour)
    media_type = MEDIA_TYPES.get(os.path.splitext(resolved)[1].lower(), DEFAULT_MEDIA_TYPE)
    return FileResponse(resolved, media_type=media_type)


def locate_audio(path: str, allowed_dir: Path, flavour: Flavour) -> str:
    """The real path of a servable file; 403 outside `allowed_dir`, 404 missing.

    The PyPI build checks no folder, so a missing path anywhere is its 404 (checked first, as the
    real server code does: docs/acestep-notes.md); an existing file outside the folder is still
    refused, which the real PyPI build would serve.
    """
    resolved = os.path.realpath(path)
    if flavour == "pypi" and not os.path.exists(resolved):
        raise HTTPException(status_code=404, detail=f"Audio file not found: {path}")
    allowed = os.path.realpath(allowed_dir)
    if resolved != allowed and not resolved.startswith(allowed + os.sep):
        raise HTTPException(status_code=403, detail="Access denied: path outside allowed directory")
    if not os.path.exists(resolved):
        raise HTTPException(status_code=404, detail="Audio file not found")
    if not os.path.isfile(resolved):
        raise ServerFault("not a file")  # upstream's FileResponse fails on a directory
    return resolved
