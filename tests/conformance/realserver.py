"""The real ACE-Step 1.5 API server, in process, with its model replaced by a placeholder generator.

`acestep.api_server` comes from the PyPI package `ace-step15-fork` (the `conformance` dependency
group; its torch/transformers/diffusers requirements are replaced in pyproject.toml by the few
web packages the server module needs). The server's own code runs unchanged: request parsing, the
job store and queue, the worker, the result cache (diskcache), `/query_result`, `/v1/audio`,
`/v1/stats`, `/format_input`, auth. Only what would load or run a model is replaced:

- `acestep.handler` (the DiT), `acestep.llm_inference` (the 5 Hz LM) and `acestep.audio_utils`
  (torch audio saving) are placeholder modules put in `sys.modules` before the server is imported;
- `acestep.gradio_ui.events.results_handlers` likewise (it imports gradio; the server only uses
  its `_build_generation_info` text helper, replaced by a short placeholder text);
- the server's `generate_music` and `format_sample` (in `acestep.inference`, whose real result
  classes are kept) are replaced by `placeholder_generate` / `placeholder_format`, which write
  short tone files at the asked length and echo the asked metadata;
- `_ensure_model_downloaded` does nothing, and `_get_project_root` points at a folder of the test
  (the server keeps its caches, checkpoints and audio under it).

Nothing here is a model: every file it writes is PLACEHOLDER AUDIO (a quiet tone).
"""

import contextlib
import os
import sys
import threading
import types
import uuid
import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx
import numpy as np
import pytest

from audiofile.codec import write_audio

SAMPLE_RATE: Final = 48_000
DIT_MODEL: Final = "acestep-v15-turbo"
LM_MODEL: Final = "acestep-5Hz-lm-1.7B"
SAVED_FORMATS: Final = ("mp3", "wav", "flac")  # what the real AudioSaver writes; others -> flac
GATE_TIMEOUT_S: Final = 30.0  # a held generation gives up waiting after this
FORMATTED_PREFIX: Final = "formatted (placeholder LM): "


class PlaceholderDiT:
    """Stands in for `acestep.handler.AceStepHandler`: loads nothing."""

    dtype = "float32"

    def initialize_service(self, **_: Any) -> tuple[str, bool]:
        return "placeholder DiT: no model loaded", True


class PlaceholderLM:
    """Stands in for `acestep.llm_inference.LLMHandler`: loads nothing."""

    def initialize(self, **_: Any) -> tuple[str, bool]:
        return "placeholder LM: no model loaded", True


def _refuse(*_: Any, **__: Any) -> Any:
    raise AssertionError("placeholder module: the real model code path must not be reached")


def _placeholder_generation_info(**kwargs: Any) -> str:
    return f"placeholder generation info: {kwargs.get('num_audios', 0)} track(s)"


def _install_placeholder_modules() -> None:
    """Put the model modules' placeholders in `sys.modules` (only if not imported yet)."""
    placeholders: dict[str, dict[str, Any]] = {
        "acestep.handler": {"AceStepHandler": PlaceholderDiT},
        "acestep.llm_inference": {"LLMHandler": PlaceholderLM},
        "acestep.audio_utils": {
            "AudioSaver": _refuse,
            "generate_uuid_from_params": _refuse,
            "save_audio": _refuse,
        },
        "acestep.gradio_ui.events.results_handlers": {
            "_build_generation_info": _placeholder_generation_info
        },
    }
    for name, attributes in placeholders.items():
        if name in sys.modules:
            continue
        module = types.ModuleType(name, "placeholder for a model module (tests/conformance)")
        for attribute, value in attributes.items():
            setattr(module, attribute, value)
        sys.modules[name] = module


def import_api_server() -> types.ModuleType:
    """`acestep.api_server` on placeholder model modules; skips when the group is not installed."""
    if not os.environ.get("CI"):  # in CI a missing package is a failure, not a skip
        pytest.importorskip("acestep.constants", reason="the `conformance` group is not installed")
    _install_placeholder_modules()
    with warnings.catch_warnings():
        # Upstream's request model uses pydantic v1's `class Config` (deprecated in v2).
        warnings.simplefilter("ignore")
        import acestep.api_server as api
    return api


def _open_gate() -> threading.Event:
    gate = threading.Event()
    gate.set()
    return gate


@dataclass
class Calls:
    """What the server asked of the placeholder model, for assertions."""

    generations: list[tuple[Any, Any]] = field(default_factory=list)  # (params, config)
    formats: list[dict[str, Any]] = field(default_factory=list)
    fail_next: list[str] = field(default_factory=list)  # error texts for the next generations
    gate: threading.Event = field(default_factory=_open_gate)  # cleared: generations wait for it

    def hold(self) -> None:
        """Make the next generations wait (in the server's worker thread) until `release`."""
        self.gate.clear()

    def release(self) -> None:
        self.gate.set()


def _tone(duration_s: float, index: int) -> np.ndarray:
    frames = max(1, round(duration_s * SAMPLE_RATE))
    t = np.arange(frames, dtype=np.float64) / SAMPLE_RATE
    pitch = 220.0 * (1 + index)
    wobble = 1.0 + 0.2 * np.sin(2 * np.pi * 0.5 * t)
    mono = 0.2 * np.sin(2 * np.pi * pitch * t) * wobble
    rng = np.random.default_rng(index)
    mono = mono + 0.01 * rng.standard_normal(frames)
    return np.stack([mono, mono], axis=1).astype(np.float32)


def placeholder_generate(calls: Calls) -> Any:
    """A `generate_music(dit_handler, llm_handler, params, config, save_dir, progress)` that writes
    `config.batch_size` placeholder files of `params.duration` seconds (30 s when none is asked),
    named and shaped like the real function's result (`acestep.inference.GenerationResult`)."""
    from acestep.inference import GenerationResult

    def generate(
        *, dit_handler: Any, llm_handler: Any, params: Any, config: Any, save_dir: str, **_: Any
    ) -> Any:
        calls.generations.append((params, config))
        calls.gate.wait(timeout=GATE_TIMEOUT_S)
        if calls.fail_next:
            error = calls.fail_next.pop(0)
            return GenerationResult(success=False, error=error, status_message=error)
        fmt = config.audio_format if config.audio_format in SAVED_FORMATS else "flac"
        duration = params.duration if params.duration and params.duration > 0 else 30.0
        audios = []
        for index in range(config.batch_size):
            seed = params.seed if not config.use_random_seed and params.seed >= 0 else 1000 + index
            key = str(uuid.uuid4())
            path = Path(save_dir) / f"{key}.{fmt}"
            write_audio(_tone(duration, index), SAMPLE_RATE, path, fmt)
            audio_params = dict(vars(params), seed=seed)
            audios.append(
                {"path": str(path), "key": key, "sample_rate": SAMPLE_RATE, "params": audio_params}
            )
        return GenerationResult(
            audios=audios,
            status_message="placeholder generation (no model)",
            extra_outputs={"lm_metadata": {}, "time_costs": {}},
        )

    return generate


def placeholder_format(calls: Calls) -> Any:
    """A `format_sample(...)` that prefixes the caption and echoes the given metadata."""
    from acestep.inference import FormatSampleResult

    def format_sample(
        *, caption: str, lyrics: str, user_metadata: dict[str, Any] | None = None, **_: Any
    ) -> Any:
        meta = user_metadata or {}
        calls.formats.append({"caption": caption, "lyrics": lyrics, **meta})
        return FormatSampleResult(
            caption=FORMATTED_PREFIX + caption,
            lyrics=lyrics,
            bpm=meta.get("bpm") or 96,
            duration=meta.get("duration") or 42.0,
            keyscale=meta.get("keyscale") or "A minor",
            language=meta.get("language") or "en",
            timesignature=meta.get("timesignature") or "4",
        )

    return format_sample


@dataclass
class RealServer:
    """One started real server app and a client on it (in process, `httpx.ASGITransport`)."""

    app: Any
    http: httpx.AsyncClient
    calls: Calls
    root: Path

    @property
    def audio_dir(self) -> Path:
        return Path(self.app.state.temp_audio_dir)


def _server_environment(monkeypatch: pytest.MonkeyPatch, root: Path, api_key: str | None) -> None:
    """The deployment's settings (turbo DiT, 1.7B LM loaded at start, a 24 GB GPU), with every
    variable the server's start-up writes set first so the test's environment is restored."""
    tmp = root / "tmp"
    values = {
        "ACESTEP_TMPDIR": str(tmp),
        "TMPDIR": str(tmp),
        "TEMP": str(tmp),
        "TMP": str(tmp),
        "TRITON_CACHE_DIR": str(root / "triton"),
        "TORCHINDUCTOR_CACHE_DIR": str(root / "inductor"),
        "MAX_CUDA_VRAM": "24",  # upstream's switch to simulate a GPU's memory (gpu_config.py)
        "ACESTEP_CONFIG_PATH": DIT_MODEL,
        "ACESTEP_LM_MODEL_PATH": LM_MODEL,
        "ACESTEP_INIT_LLM": "true",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    for name in ("ACESTEP_CONFIG_PATH2", "ACESTEP_CONFIG_PATH3", "ACESTEP_QUEUE_MAXSIZE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    if api_key is None:
        monkeypatch.delenv("ACESTEP_API_KEY", raising=False)
    else:
        monkeypatch.setenv("ACESTEP_API_KEY", api_key)


@contextlib.asynccontextmanager
async def real_server(
    monkeypatch: pytest.MonkeyPatch,
    root: Path,
    *,
    api_key: str | None = None,
    queue_maxsize: int | None = None,
) -> AsyncIterator[RealServer]:
    """Start the real app (its lifespan: queue worker, cache, placeholder models) and yield it."""
    api = import_api_server()
    from acestep import local_cache

    root.mkdir(parents=True, exist_ok=True)
    _server_environment(monkeypatch, root, api_key)
    if queue_maxsize is not None:
        monkeypatch.setenv("ACESTEP_QUEUE_MAXSIZE", str(queue_maxsize))
    calls = Calls()
    monkeypatch.setattr(api, "_get_project_root", lambda: str(root))
    monkeypatch.setattr(api, "_ensure_model_downloaded", lambda *_: str(root / "checkpoints"))
    monkeypatch.setattr(api, "generate_music", placeholder_generate(calls))
    monkeypatch.setattr(api, "format_sample", placeholder_format(calls))
    # The result cache is a process-wide singleton: a fresh one per server, in the test's folder.
    monkeypatch.setattr(local_cache, "_local_cache", None)
    monkeypatch.setattr(local_cache.LocalCache, "_instance", None)
    app = api.create_app()
    async with app.router.lifespan_context(app):
        # An exception in a route is a 500 reply, as uvicorn sends it, not an exception here.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://acestep.test") as http:
            try:
                yield RealServer(app=app, http=http, calls=calls, root=root)
            finally:
                calls.release()
                cache = app.state.local_cache
                if cache is not None:
                    cache.close()
    # Let the api key of this server not leak into the next (a module global upstream).
    api.set_api_key(None)
