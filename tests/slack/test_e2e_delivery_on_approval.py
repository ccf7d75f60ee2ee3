"""End to end through the local Slack: approving a track by its ✅ makes its delivery file in the
catalogue folder (the delivery keeper every engine process runs); a pass with nothing newly
approved renders nothing; a failing folder is reported and retried, never half-written."""

import json

import pytest

from bot.engine.catalogue.keeper import RETRY_AFTER_FAILURE_S, DeliveryKeeper
from tests.fakeslack import payloads
from tests.slack.conftest import MakeBot
from tests.slack.test_e2e_approval import APPROVER, CHECK, approved_by, bot_with_tracks, posted

pytestmark = pytest.mark.slow


async def test_a_check_mark_delivers_the_track_into_the_catalogue_folder(
    make_bot: MakeBot,
) -> None:
    h = await bot_with_tracks(make_bot, 2, delivery_format="flac")
    [(first, ts), (second, _)] = await posted(h)
    keeper = DeliveryKeeper(h.services)
    assert await keeper.pass_once() is None  # nothing approved yet: no folder, no manifest
    folder = h.services.settings.output_dir / "catalogue"
    assert not (folder / "catalogue.json").exists()

    await h.event(payloads.reaction_added(CHECK, ts=ts, user=APPROVER))
    await approved_by(h, first.id, APPROVER)
    result = await keeper.pass_once()
    assert result is not None
    assert result.written == (first.id,)
    [row] = result.rows
    delivered = folder / row.file
    assert delivered.is_file()
    assert delivered.suffix == ".flac"
    manifest = json.loads((folder / "catalogue.json").read_text())
    assert [f["track_id"] for f in manifest["files"]] == [first.id]

    # nothing newly approved: the next pass renders nothing and leaves the file alone
    stamp = delivered.stat().st_mtime_ns
    assert await keeper.pass_once() is None
    assert delivered.stat().st_mtime_ns == stamp
    assert second.approval is None


async def test_an_unwritable_catalogue_folder_is_reported_and_retried_later(
    make_bot: MakeBot, caplog: pytest.LogCaptureFixture
) -> None:
    h = await bot_with_tracks(make_bot, 1)
    [(track, ts)] = await posted(h)
    blocked = h.services.settings.output_dir / "catalogue"
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("a file where the folder should be")
    now = [1000.0]
    keeper = DeliveryKeeper(h.services, clock=lambda: now[0])
    await h.event(payloads.reaction_added(CHECK, ts=ts, user=APPROVER))
    await approved_by(h, track.id, APPROVER)
    assert await keeper.pass_once() is None
    assert "delivery files for approved tracks not written" in caplog.text
    assert await keeper.pass_once() is None  # the same approvals: not retried at once
    blocked.unlink()
    now[0] += RETRY_AFTER_FAILURE_S
    result = await keeper.pass_once()
    assert result is not None
    assert result.written == (track.id,)
