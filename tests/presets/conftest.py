"""Preset test fixtures: a writer of preset files in tmp_path, and the valid-preset factory."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from .factory import PresetWriter, valid_preset


@pytest.fixture
def preset_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "presets"
    folder.mkdir()
    return folder


@pytest.fixture
def write_preset(preset_dir: Path) -> PresetWriter:
    """Write a preset dict (or raw YAML text) as `<name>.yaml` in `preset_dir`; returns the path."""

    def write(data: dict[str, Any] | str, name: str | None = None) -> Path:
        stem = name or (data["id"] if isinstance(data, dict) else "raw")
        path = preset_dir / f"{stem}.yaml"
        text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def make_preset() -> Callable[..., dict[str, Any]]:
    """`make_preset(**changes)`: a valid preset dict with some fields replaced or removed."""
    return valid_preset
