"""Cards stay within Block Kit limits at every stage; access and quota refusals are specific."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.adapters.slack import render
from bot.adapters.slack.access import AccessPolicy
from bot.adapters.slack.render import CardState, card_blocks, reply_blocks, track_comment
from commands.replies import Reply
from domain.records import JobRecord, JobStatus, TrackRecord
from storage import jobs as jobs_repo
from storage.database import Database

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
REQUEST = {
    "caption": "smooth jazz <b>&</b>, piano",
    "duration_s": 180,
    "variants": 2,
    "bpm": 86,
    "key_scale": "A minor",
    "preset_id": "hotel-lobby",
}


def job(status: JobStatus, **changes: Any) -> JobRecord:
    fields: dict[str, Any] = {
        "id": 12,
        "status": status,
        "priority": 0,
        "request": REQUEST,
        "origin": "slack",
        "created_at": NOW,
        "updated_at": NOW,
        "requested_by": "U1",
    }
    return JobRecord(**(fields | changes))


def within_limits(blocks: list[dict[str, Any]]) -> None:
    assert len(blocks) <= render.MAX_BLOCKS
    for block in blocks:
        text = (block.get("text") or {}).get("text", "")
        assert len(text) <= render.SECTION_CHARS
        fields = block.get("fields") or []
        assert len(fields) <= render.FIELDS_PER_SECTION
        assert all(len(f["text"]) <= render.FIELD_CHARS for f in fields)
        if block["type"] == "context":
            assert len(block["elements"]) <= render.CONTEXT_ELEMENTS
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75
                assert element["value"] == "12"


@pytest.mark.parametrize(
    ("status", "shows", "buttons"),
    [
        (JobStatus.QUEUED, "*Queued* — 2 job(s) ahead, ready in about 1:30", [render.CANCEL]),
        (JobStatus.SUBMITTED, "*Sent to the GPU*", [render.CANCEL]),
        (JobStatus.RUNNING, "*Generating* 45% — Decoding audio...", [render.CANCEL]),
        (JobStatus.DOWNLOADING, "*Checking the audio*", [render.CANCEL]),
        (
            JobStatus.DONE,
            "*Done* — 2 track(s) in the thread",
            [render.AGAIN, render.MORE, render.REFINE],
        ),
        (JobStatus.FAILED, "*Failed* — the server lost it", [render.RETRY]),
        (JobStatus.CANCELLED, "*Cancelled*", [render.RETRY]),
    ],
)
def test_card_at_every_stage(status: JobStatus, shows: str, buttons: list[str]) -> None:
    state = CardState(
        job(status, progress=0.45, stage="Decoding audio...", error="the server lost it"),
        ahead=2,
        wait_s=90,
        tracks=2,
    )
    blocks = card_blocks(state)
    within_limits(blocks)
    assert shows in blocks[0]["text"]["text"]
    assert "<@U1>" in blocks[0]["text"]["text"]
    assert [e["action_id"] for e in blocks[-1]["elements"]] == buttons
    caption = json.dumps(blocks)
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in caption  # user text is escaped, never markup
    assert "hotel-lobby" in caption


def test_card_shows_placeholder_warning_and_recent_notes() -> None:
    notes = [f"note {i}" for i in range(12)]
    blocks = card_blocks(CardState(job(JobStatus.DONE, notes=notes), tracks=1, placeholder=True))
    within_limits(blocks)
    text = json.dumps(blocks)
    assert "Placeholder audio" in text
    assert "note 11" in text
    assert "note 6" not in text  # only the latest five notes


def test_long_replies_are_cut_to_fit() -> None:
    reply = Reply(
        text="x", fields=tuple((f"f{i}", "v") for i in range(25)), lines=("y" * 500,) * 400
    )
    blocks = reply_blocks(reply)
    within_limits(blocks)
    assert "more (not shown)" in json.dumps(blocks[-1])


def test_track_comment_carries_provenance_and_rating_hint() -> None:
    track = TrackRecord(
        id=41,
        job_id=12,
        variant=1,
        file_path="/o/a.mp3",
        file_size=3_400_000,
        audio_format="mp3",
        created_at=NOW,
        server="http://gpu-1:8001",
        task_id="t",
        caption="jazz",
        lyrics="",
        metas={"bpm": 86, "keyscale": "A minor"},
        request_sent={},
        seed="123",
        dit_model="acestep-v15-turbo",
        duration_s=180.0,
        qc_verdict="warn",
        qc_problems=["too quiet: -31.0 LUFS"],
        placeholder=True,
    )
    comment = track_comment(track, job(JobStatus.DONE))
    assert "*Track 41* — job #12, take 1 of 2 · 3:00 · 86 bpm · A minor · mp3 · 3.4 MB" in comment
    assert (
        "audio check ⚠️ too quiet: -31.0 LUFS · seed 123 · model acestep-v15-turbo · server gpu-1"
        in comment
    )
    assert render.RATE_HINT in comment
    assert render.PLACEHOLDER_NOTE in comment


def policy(**changes: Any) -> AccessPolicy:
    fields: dict[str, Any] = {
        "allowed_channels": frozenset(),
        "allowed_users": frozenset(),
        "admins": frozenset({"UADMIN"}),
        "daily_tracks": 0,
    }
    return AccessPolicy(**(fields | changes))


def test_allow_lists_and_admins() -> None:
    assert policy().check(user_id="U1", channel_id="C1") is None
    strict = policy(allowed_users=frozenset({"U2"}), allowed_channels=frozenset({"C9"}))
    refusal = strict.check(user_id="U1", channel_id="C9")
    assert refusal is not None
    assert "not on the list" in refusal.text
    channel = strict.check(user_id="U2", channel_id="C1")
    assert channel is not None
    assert "<#C9>" in channel.text
    assert strict.check(user_id="UADMIN", channel_id="C1") is None


async def test_daily_quota_counts_todays_tracks_except_failures(db: Database) -> None:
    quota = policy(daily_tracks=5)
    for variants, status in ((2, JobStatus.DONE), (2, JobStatus.QUEUED), (4, JobStatus.FAILED)):
        made = await jobs_repo.create_job(
            db, request={"variants": variants}, origin="slack", requested_by="U1"
        )
        await jobs_repo.update_job(db, made.id, status=status)
    now = datetime.now(UTC)
    assert await quota.check_quota(db, user_id="U1", tracks=1, now=now) is None
    refusal = await quota.check_quota(db, user_id="U1", tracks=2, now=now)
    assert refusal is not None
    assert "you have 1 of your 5 for today left" in refusal.text
    assert await quota.check_quota(db, user_id="UADMIN", tracks=50, now=now) is None
    assert await quota.check_quota(db, user_id="U1", tracks=5, now=now + timedelta(days=1)) is None
