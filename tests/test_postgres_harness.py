"""The PostgreSQL test server's binaries: version 15 when there, else the newest, else a loud
failure that says what to install (never a silent skip)."""

from pathlib import Path

import pytest

from tests import postgres


def fake_install(root: Path, *versions: str) -> None:
    for version in versions:
        bindir = root / version / "bin"
        bindir.mkdir(parents=True)
        (bindir / "initdb").touch()


def test_version_15_is_preferred(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_install(tmp_path, "13", "15", "17")
    monkeypatch.setattr(postgres, "PG_ROOT", tmp_path)
    assert postgres.find_bindir() == tmp_path / "15" / "bin"


def test_else_the_newest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_install(tmp_path, "9.6", "16", "17")
    monkeypatch.setattr(postgres, "PG_ROOT", tmp_path)
    assert postgres.find_bindir() == tmp_path / "17" / "bin"


def test_no_binaries_fail_naming_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres, "PG_ROOT", tmp_path)
    with pytest.raises(postgres.PostgresMissing, match=r"postgresql-15.*\.ci/run"):
        postgres.find_bindir()
