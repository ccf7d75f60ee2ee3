"""The layering of issue 14 holds: import-linter's contracts in pyproject.toml are all kept.

domain imports nothing of the project; presets and storage build on domain only; commands on
domain, presets and storage; the engine never imports adapters, the composition root, commands or
the stand-in; only the adapters import bot.adapters; no import cycles between sibling packages.
No contract ignores any import: a breach is fixed, not listed.
"""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
NOT_PRODUCT = {"tests", "bench"}


def test_import_contracts_are_kept() -> None:
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_product_package_is_under_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - NOT_PRODUCT
    assert packages <= set(config["root_packages"])


def test_no_contract_ignores_an_import() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    ignored = {
        c["name"]: c["ignore_imports"] for c in config["contracts"] if c.get("ignore_imports")
    }
    assert ignored == {}
