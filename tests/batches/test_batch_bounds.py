"""Batches are bounded before any work: the tracks a manifest or a `batch` command asks for are
totalled against BATCH_MAX_TRACKS before planning, and planning runs off the event loop."""

import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.cli.batch import batch_command
from bot.services import Services, open_services
from commands import batch as batch_module
from commands.batch import plan_manifest, plan_manifest_off_loop
from commands.context import Caller
from commands.errors import UsageError
from commands.router import handle
from storage import batches as batches_repo
from tests.conftest import make_settings

CALLER = Caller("test", user_id="U1", channel_id="C1")


@pytest.fixture
async def bounded(tmp_path: Path) -> AsyncIterator[Services]:
    async with open_services(make_settings(tmp_path, batch_max_tracks=50)) as built:
        yield built


def never_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("planning started for a batch that is too large")

    monkeypatch.setattr(batch_module, "plan_rows", refuse)  # (a preset's count: `check_count`)


def planning_threads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the thread each plan is made on."""
    threads: list[int] = []

    def recorded(real: Callable[..., Any]) -> Callable[..., Any]:
        def plan(*args: Any, **kwargs: Any) -> Any:
            threads.append(threading.get_ident())
            return real(*args, **kwargs)

        return plan

    monkeypatch.setattr(batch_module, "plan_rows", recorded(batch_module.plan_rows))
    monkeypatch.setattr(batch_module, "plan_preset", recorded(batch_module.plan_preset))
    return threads


def test_four_rows_of_ten_thousand_are_refused_before_planning(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    never_plan(monkeypatch)
    data = ("preset,count\n" + "spa,10000\n" * 4).encode()
    with pytest.raises(UsageError) as caught:
        plan_manifest(data, "huge.csv", services, seed=1)
    assert "asks for 40000 tracks" in caught.value.message
    assert "at most 20000 (BATCH_MAX_TRACKS)" in caught.value.message


async def test_the_bound_is_a_setting_for_manifests_and_batch_text(
    bounded: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    never_plan(monkeypatch)
    with pytest.raises(UsageError, match="asks for 60 tracks"):
        plan_manifest(b"preset,count\nspa,30\ncafe,30\n", "m.csv", bounded, seed=1)
    reply = await handle("/music batch spa x60", bounded, CALLER)
    assert not reply.ok
    assert "1 to 50 tracks (got 60)" in reply.plain()
    assert await batches_repo.list_batches(bounded.db) == []


async def test_planning_runs_off_the_event_loop(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = planning_threads(monkeypatch)
    loop_thread = threading.get_ident()
    reply = await handle("/music batch spa x3 10s", services, CALLER)
    assert reply.ok, reply.plain()
    plan, _source = await plan_manifest_off_loop(
        b"preset,count\nspa,2\n", "m.csv", services, seed=1
    )
    assert plan.tracks == 2
    assert len(threads) == 2
    assert loop_thread not in threads


async def test_cli_batch_refuses_an_oversized_or_broken_manifest_as_usage(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    too_big = tmp_path / "huge.csv"
    too_big.write_text("preset,count\n" + "spa,10000\n" * 4)
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    for path in (too_big, deep):
        code = await batch_command(
            services,
            str(path),
            count=None,
            seed=1,
            dry_run=True,
            yes=False,
            as_json=False,
        )
        assert code == 2
    out = capsys.readouterr().out
    assert "asks for 40000 tracks" in out
    assert "nested too deeply" in out
