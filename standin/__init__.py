"""The built-in ACE-Step stand-in: the real REST API's wire protocol, placeholder audio.

It lets the whole product (and its tests and benchmarks) run with no GPU. It speaks the ACE-Step
1.5 API server's protocol as shared/ACESTEP_API.md describes it, surprises included, in two
flavours: upstream HEAD (default) and the older PyPI build. Tracks are synthesised placeholder
arrangements, never AI music, and say so: every model name starts with
`PLACEHOLDER_MODEL_PREFIX`, and every `generation_info` opens with `PLACEHOLDER_NOTICE`.

Modules: `config` (settings, labels), `values`/`request`/`bodies`/`auth` (reading requests),
`lm`/`choices`/`plan` (what a job makes and reports), `render` (synthesis), `store`/`state`/
`runtime`/`execute`/`query` (jobs), `shapes`/`info` (wire shapes), `routes_*`/`app` (HTTP),
`server` (`StandInServer`), `serve` (uvicorn).
"""

from standin.config import (
    PLACEHOLDER_LM_MODEL,
    PLACEHOLDER_MODEL_PREFIX,
    PLACEHOLDER_NOTICE,
    Flavour,
    StandInConfig,
)
from standin.serve import BackgroundStandIn, run_standin_server, serve_in_background
from standin.server import StandInServer

__all__ = [
    "PLACEHOLDER_LM_MODEL",
    "PLACEHOLDER_MODEL_PREFIX",
    "PLACEHOLDER_NOTICE",
    "BackgroundStandIn",
    "Flavour",
    "StandInConfig",
    "StandInServer",
    "run_standin_server",
    "serve_in_background",
]
