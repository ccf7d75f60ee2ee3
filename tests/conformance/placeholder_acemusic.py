"""TEST ONLY: the `acemusic` command with the ACE-Step model replaced by a PLACEHOLDER.

    python -m tests.conformance.placeholder_acemusic engine --acestep --host 127.0.0.1 --port N

(with the repository root on PYTHONPATH) runs the product's own command line unchanged: `engine
--acestep` imports, configures and serves the real `acestep.api_server` exactly as on a GPU box.
Before that, this module does what realserver.py does for the in-process tests: it puts placeholder
modules for the model code in `sys.modules` (no torch, no model) and replaces the server's
`generate_music` / `format_sample` with realserver.py's placeholders, which write quiet tones, and
`_ensure_model_downloaded` with a function that downloads nothing. The product has no test switch:
the replacement happens here, in the test's own interpreter, before the command runs.

The placeholder DiT handler has the signature of the PyPI build's real `initialize_service`
(`checkpoint_dir`, not the `project_root` its server passes; test_engine_command.py checks the
signature against the installed source), so the command's adaptation is exercised. Both handlers
record how they were initialised in `<checkpoint_dir>/placeholder-model.json`, for the test.
"""

import json
import sys
import types
import warnings
from pathlib import Path
from typing import Any, Final

from tests.conformance.realserver import (
    Calls,
    PlaceholderDiT,
    PlaceholderLM,
    _install_placeholder_modules,
    placeholder_format,
    placeholder_generate,
)

RECORD_NAME: Final = "placeholder-model.json"


def _record(checkpoint_dir: str, role: str, values: dict[str, Any]) -> None:
    path = Path(checkpoint_dir) / RECORD_NAME
    recorded = json.loads(path.read_text()) if path.exists() else {}
    recorded[role] = values
    path.write_text(json.dumps(recorded))


class ForkSignatureDiT(PlaceholderDiT):
    """PLACEHOLDER DiT with the PyPI build's `AceStepHandler.initialize_service` signature."""

    def initialize_service(  # type: ignore[override]  # noqa: PLR0917 -- the real signature
        self,
        checkpoint_dir: str,
        config_path: str,
        device: str = "auto",
        use_flash_attention: bool = False,
        compile_model: bool = False,
        offload_to_cpu: bool = False,
        offload_dit_to_cpu: bool = False,
        quantization: str | None = None,
    ) -> tuple[str, bool]:
        _record(checkpoint_dir, "dit", {"checkpoint_dir": checkpoint_dir, "model": config_path})
        return "placeholder DiT: no model loaded", True


class RecordingLM(PlaceholderLM):
    """PLACEHOLDER LM taking the real `LLMHandler` constructor argument; records its start."""

    def __init__(self, persistent_storage_path: str | None = None) -> None:
        self.persistent_storage_path = persistent_storage_path

    def initialize(self, **options: Any) -> tuple[str, bool]:
        checkpoint_dir = str(options["checkpoint_dir"])
        _record(
            checkpoint_dir,
            "lm",
            {
                "checkpoint_dir": checkpoint_dir,
                "model": options["lm_model_path"],
                "storage": self.persistent_storage_path,
            },
        )
        return "placeholder LM: no model loaded", True


def install_placeholders() -> None:
    """Model modules and model functions replaced; the server module itself stays real."""
    handler = types.ModuleType("acestep.handler", "PLACEHOLDER (tests/conformance)")
    handler.AceStepHandler = ForkSignatureDiT  # type: ignore[attr-defined]
    lm = types.ModuleType("acestep.llm_inference", "PLACEHOLDER (tests/conformance)")
    lm.LLMHandler = RecordingLM  # type: ignore[attr-defined]
    sys.modules["acestep.handler"] = handler
    sys.modules["acestep.llm_inference"] = lm
    _install_placeholder_modules()  # the others (audio saving, gradio's text helper)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # upstream's pydantic v1 style `class Config`
        import acestep.api_server as api

    calls = Calls()
    api.generate_music = placeholder_generate(calls)
    api.format_sample = placeholder_format(calls)
    api._ensure_model_downloaded = lambda model, checkpoint_dir: str(Path(checkpoint_dir) / model)


if __name__ == "__main__":
    install_placeholders()
    from bot.adapters.cli.main import main

    main(sys.argv[1:], prog_name="acemusic")
