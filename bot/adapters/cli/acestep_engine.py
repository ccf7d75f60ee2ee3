"""`acemusic engine --acestep`: the real ACE-Step 1.5 API server, served by this process.

For a single GPU box: the bot and the model in one container or machine, no second image. The
server is `acestep.api_server` from `ace-step15-fork` (the `gpu` extra: the package with torch and
the model stack); its own code runs unchanged, configured the way the compose file configures the
server image (shared ACESTEP_API.md; docs/deploy.md "One GPU box"):

- `ACESTEP_DIT_MODEL` -> the server's `ACESTEP_CONFIG_PATH`, `ACESTEP_LM_MODEL` ->
  `ACESTEP_LM_MODEL_PATH` with `ACESTEP_INIT_LLM=true` (both models loaded before it answers);
- `ACESTEP_API_KEY` (the key the bot sends) -> the server's key; unset: no key;
- `ACESTEP_ENGINE_DIR`: the server's folder. The PyPI build keeps its models in
  `<its project root>/checkpoints` and its caches and audio under `<project root>/.cache`, with the
  project root being the folder *above the installed package* (site-packages); this command points
  the project root at ACESTEP_ENGINE_DIR instead, so several GB of models land where a volume can
  keep them.

Two adaptations of the PyPI build (20260212), both checked before they are applied:

- its server calls `AceStepHandler.initialize_service(project_root=...)` while its handler takes
  `checkpoint_dir` (the handler changed, the server did not): as published, the server cannot load
  its model. A subclass accepts the server's call and passes `<project root>/checkpoints`;
- the language model's handler lists models under the package folder unless given a storage path:
  it is given ACESTEP_ENGINE_DIR.

The server's other variables (`ACESTEP_DEVICE`, `ACESTEP_OFFLOAD_TO_CPU`, `ACESTEP_LM_BACKEND`,
`ACESTEP_QUEUE_MAXSIZE`, ...) are read by the server itself from the environment, as upstream
documents them.
"""

import importlib
import inspect
import os
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from bot.adapters.cli.base import EXIT_USAGE, CommandFailed
from bot.settings import Settings

INSTALL_HINT: Final = "pip install 'acemusic[gpu]' (in a checkout: uv sync --extra gpu)"


@dataclass(frozen=True)
class EngineOptions:
    """Where `acemusic engine --acestep` listens, and the server's queue limit if given."""

    host: str
    port: int
    queue_size: int | None = None


def import_server() -> types.ModuleType:
    """`acestep.api_server`, or `CommandFailed` (exit 2) naming what is missing and how to add it.

    The `conformance` dependency group installs the package without its model stack, so "the
    package is there" is not enough: the import itself (torch, transformers, gradio, ...) decides.
    """
    try:
        api = importlib.import_module("acestep.api_server")  # the optional `gpu` extra
    except ImportError as exc:
        missing = getattr(exc, "name", None) or str(exc)
        raise CommandFailed(
            "`acemusic engine --acestep` runs the ACE-Step model in this process and needs the "
            f"optional `gpu` extra, which is not installed here (missing: {missing}). "
            f"Install it with: {INSTALL_HINT}",
            EXIT_USAGE,
        ) from None
    return api


def server_environment(settings: Settings, options: EngineOptions) -> dict[str, str]:
    """The server's own variables, from the bot's settings (written before the server starts)."""
    values = {
        "ACESTEP_CONFIG_PATH": settings.acestep_dit_model,
        "ACESTEP_LM_MODEL_PATH": settings.acestep_lm_model,
        "ACESTEP_INIT_LLM": "true",
        "ACESTEP_API_HOST": options.host,
        "ACESTEP_API_PORT": str(options.port),
    }
    if options.queue_size is not None:
        values["ACESTEP_QUEUE_MAXSIZE"] = str(options.queue_size)
    return values


def adapt_server(api: types.ModuleType, root: Path) -> None:
    """Point the server's project root at `root` and fit the handlers to the server's calls."""
    setattr(api, "_get_project_root", lambda: str(root))  # noqa: B010 -- a module's function
    dit_handler: Any = api.AceStepHandler
    parameters = inspect.signature(dit_handler.initialize_service).parameters
    if "project_root" not in parameters and "checkpoint_dir" in parameters:

        class ServerCallDiT(dit_handler):  # type: ignore[misc]
            """The DiT handler, called the way the server calls it (`project_root=`)."""

            def initialize_service(self, project_root: str, **options: Any) -> Any:
                checkpoints = os.path.join(project_root, "checkpoints")
                return super().initialize_service(checkpoint_dir=checkpoints, **options)

            def _get_project_root(self) -> str:
                return str(root)

        setattr(api, "AceStepHandler", ServerCallDiT)  # noqa: B010
    lm_handler: Any = api.LLMHandler
    if "persistent_storage_path" in inspect.signature(lm_handler).parameters:

        class EngineDirLM(lm_handler):  # type: ignore[misc]
            """The LM handler, keeping its model list under `root/checkpoints`."""

            def __init__(self, persistent_storage_path: str | None = None) -> None:
                super().__init__(persistent_storage_path=persistent_storage_path or str(root))

        setattr(api, "LLMHandler", EngineDirLM)  # noqa: B010


def serve_acestep(settings: Settings, options: EngineOptions) -> None:
    """Import, configure and serve the real ACE-Step server until interrupted (one worker)."""
    api = import_server()
    import uvicorn  # noqa: PLC0415

    root = settings.acestep_engine_dir.expanduser().resolve()
    try:
        (root / "checkpoints").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandFailed(
            f"ACESTEP_ENGINE_DIR: cannot create {root / 'checkpoints'}: {exc.strerror}",
            EXIT_USAGE,
        ) from None
    os.environ.update(server_environment(settings, options))
    if settings.api_key is None:
        os.environ.pop("ACESTEP_API_KEY", None)  # an empty key would lock every client out
    else:
        os.environ["ACESTEP_API_KEY"] = settings.api_key
    adapt_server(api, root)
    app = api.create_app()
    # The server keeps its queue and jobs in memory: one process, one worker (as upstream says).
    uvicorn.run(app, host=options.host, port=options.port, workers=1, log_level="info")
