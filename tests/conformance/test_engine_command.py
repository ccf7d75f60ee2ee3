"""`acemusic engine --acestep`: the real ACE-Step server served by the command, in a real process.

The command runs unchanged in a subprocess on 127.0.0.1 with the model replaced by a placeholder
(placeholder_acemusic.py, as realserver.py does in process); our client then submits, polls and
downloads a track over HTTP. Without the `gpu` extra the command exits 2 and says how to install it.
"""

import ast
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from audiofile.codec import probe_audio
from bot.engine.acestep import AceStepAuthError, AceStepClient, TaskPhase, build_release_payload
from tests.cli.helpers import ACEMUSIC

from .placeholder_acemusic import RECORD_NAME, ForkSignatureDiT
from .realserver import DIT_MODEL, LM_MODEL
from .test_client import finish, make_request

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
API_KEY = "sk-engine-command-test-key"
START_S = 60.0  # a bound for the subprocess to import and start, not a speed assertion


def _package_installed() -> bool:
    if os.environ.get("CI"):  # in CI a missing package is a failure, not a skip
        return True
    return importlib.util.find_spec("acestep") is not None


needs_package = pytest.mark.skipif(
    not _package_installed(), reason="ace-step15-fork (the `conformance` group) is not installed"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _base_env(home: Path, **extra: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "LANG": "C.UTF-8"} | extra


@pytest.fixture
def engine_dir(tmp_path: Path) -> Path:
    return tmp_path / "engine"


@pytest.fixture
def served(tmp_path: Path, engine_dir: Path) -> Iterator[str]:
    """`acemusic engine --acestep` (placeholder model) on a free loopback port; its base URL."""
    port = _free_port()
    env = _base_env(
        tmp_path,
        PYTHONPATH=str(REPO),
        ACESTEP_ENGINE_DIR=str(engine_dir),
        ACESTEP_API_KEY=API_KEY,
        ACESTEP_DIT_MODEL=DIT_MODEL,
        ACESTEP_LM_MODEL=LM_MODEL,
        MAX_CUDA_VRAM="24",  # upstream's switch simulating a 24 GB GPU (the LM is then allowed)
    )
    command = [sys.executable, "-m", "tests.conformance.placeholder_acemusic"]
    args = ["engine", "--acestep", "--host", "127.0.0.1", "--port", str(port)]
    log = (tmp_path / "engine.log").open("w")
    process = subprocess.Popen(
        [*command, *args], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"the engine exited ({process.returncode}): {_log(tmp_path)}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == httpx.codes.OK:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the engine did not answer /health: {_log(tmp_path)}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _log(tmp_path: Path) -> str:
    return (tmp_path / "engine.log").read_text()[-3000:]


@needs_package
async def test_the_command_serves_the_real_server_and_a_track_comes_back(
    served: str, engine_dir: Path, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(base_url=served, timeout=10) as http:
        client = AceStepClient(http, name="engine-acestep", api_key=API_KEY)
        assert (await client.health())["status"] == "ok"
        submission = await client.release_task(build_release_payload(make_request(), model=None))
        state = await finish(client, submission.task_id)
        assert state.phase is TaskPhase.SUCCEEDED
        assert len(state.files) == 2
        first = state.files[0]
        assert (first.dit_model, first.lm_model) == (DIT_MODEL, LM_MODEL)
        downloaded = await client.download(first.file, tmp_path / "take1.wav")
        assert probe_audio(downloaded.path).duration_s == pytest.approx(10.0, abs=0.01)
        # The key from ACESTEP_API_KEY is the server's: a client without it is refused.
        with pytest.raises(AceStepAuthError):
            await AceStepClient(http, name="no-key").release_task(
                build_release_payload(make_request(), model=None)
            )
    # The server's audio and both models live under ACESTEP_ENGINE_DIR (not site-packages),
    # and the DiT handler got the checkpoint folder although the server passes `project_root`.
    audio = httpx.URL(first.file).params["path"]
    assert Path(audio).resolve().is_relative_to(engine_dir.resolve())
    checkpoints = str(engine_dir.resolve() / "checkpoints")
    recorded = json.loads((engine_dir / "checkpoints" / RECORD_NAME).read_text())
    assert recorded["dit"] == {"checkpoint_dir": checkpoints, "model": DIT_MODEL}
    assert recorded["lm"] == {
        "checkpoint_dir": checkpoints,
        "model": LM_MODEL,
        "storage": str(engine_dir.resolve()),
    }


@needs_package
def test_the_placeholder_dit_has_the_installed_handlers_signature() -> None:
    """The placeholder stays honest: same parameters as the installed `initialize_service`."""
    spec = importlib.util.find_spec("acestep")
    assert spec is not None
    assert spec.origin is not None
    source = (Path(spec.origin).parent / "handler.py").read_text()
    (method,) = (
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef) and node.name == "initialize_service"
    )
    installed = [arg.arg for arg in method.args.args]
    placeholder = ForkSignatureDiT.initialize_service.__code__.co_varnames[
        : ForkSignatureDiT.initialize_service.__code__.co_argcount
    ]
    assert installed == list(placeholder)
    assert "project_root" not in installed  # what the adaptation in the command is for


def test_without_the_gpu_extra_the_command_says_how_to_install_it(tmp_path: Path) -> None:
    """The dev install has the server module but no torch: exit 2, the missing module, the fix."""
    if importlib.util.find_spec("torch") is not None:
        pytest.skip("torch is installed here (the gpu extra): nothing is missing")
    result = subprocess.run(
        [ACEMUSIC, "engine", "--acestep"],
        cwd=tmp_path,
        env=_base_env(tmp_path, ACESTEP_ENGINE_DIR=str(tmp_path / "engine")),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert "pip install 'acemusic[gpu]'" in result.stderr
    assert "uv sync --extra gpu" in result.stderr
    expected = "torch" if importlib.util.find_spec("acestep") else "acestep"
    assert f"(missing: {expected})" in result.stderr
    assert not (tmp_path / "engine").exists()  # nothing created before the check


def test_without_the_package_the_command_names_it(tmp_path: Path) -> None:
    """With `acestep` not importable at all (as in a plain `pip install acemusic`)."""
    probe = (
        "import sys; sys.modules['acestep'] = None\n"  # makes `import acestep...` fail
        "from bot.adapters.cli.main import main\n"
        "main(['engine', '--acestep', '--port', '0'], prog_name='acemusic')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=_base_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert "(missing: acestep.api_server)" in result.stderr
    assert "pip install 'acemusic[gpu]'" in result.stderr


def test_stand_in_options_are_refused_with_acestep(tmp_path: Path) -> None:
    result = subprocess.run(
        [ACEMUSIC, "engine", "--acestep", "--failure-rate", "0.5"],
        cwd=tmp_path,
        env=_base_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert "--failure-rate: options of the built-in stand-in, not of --acestep" in result.stderr
