"""Text people type never becomes Slack markup: no `<!channel>` pings, no disguised links."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.adapters.slack.escape import escape_mrkdwn
from bot.adapters.slack.render import (
    CardState,
    card_blocks,
    card_fallback,
    fallback_text,
    reply_blocks,
    track_comment,
)
from commands.replies import Reply, usage_reply
from domain.records import JobRecord, JobStatus, TrackRecord

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
HOSTILE = "<!channel> <https://evil.example|click> & <@U0BOSS>"
RAW_MARKUP = ("<!channel>", "<https://evil", "<@U0BOSS>")


def assert_no_markup(rendered: Any) -> None:
    text = rendered if isinstance(rendered, str) else json.dumps(rendered)
    for markup in RAW_MARKUP:
        assert markup not in text, f"{markup!r} reached Slack unescaped: {text[:300]}"


def hostile_job(status: JobStatus) -> JobRecord:
    request = {
        "caption": HOSTILE,
        "duration_s": 30,
        "variants": 1,
        "instrumental": False,
        "lyrics": HOSTILE,
    }
    return JobRecord(
        id=3,
        status=status,
        priority=0,
        request=request,
        origin="slack",
        created_at=NOW,
        updated_at=NOW,
        requested_by="U1",
        notes=[f"Changed from job #1: {HOSTILE}"],
        error=HOSTILE,
        stage=HOSTILE,
    )


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("a & b", "a &amp; b"),
        ("&lt;", "&amp;lt;"),  # already-escaped text is shown as typed, not unescaped
        ("plain *bold* text", "plain *bold* text"),
    ],
)
def test_escape_mrkdwn(raw: str, escaped: str) -> None:
    assert escape_mrkdwn(raw) == escaped


def test_usage_error_echo_is_escaped_in_blocks_and_notification_text() -> None:
    reply = usage_reply(f"I don't know the preset '{HOSTILE}'.", f"/music {HOSTILE} 2min")
    assert_no_markup(reply_blocks(reply))
    assert_no_markup(fallback_text(reply))


def test_reply_fields_and_lines_are_escaped_everywhere() -> None:
    reply = Reply(title=HOSTILE, text=HOSTILE, fields=((HOSTILE, HOSTILE),), lines=(HOSTILE,))
    assert_no_markup(reply_blocks(reply))
    assert_no_markup(fallback_text(reply))


def test_only_the_people_a_reply_names_on_purpose_become_mentions() -> None:
    reply = Reply(
        text=f"Track 3 rejected (was approved by <@U0APPROVER>). Note: {HOSTILE}",
        lines=("Track 4 is already approved by <@U0APPROVER>",),
        mentions=("U0APPROVER",),
    )
    blocks, fallback = json.dumps(reply_blocks(reply)), fallback_text(reply)
    for rendered in (blocks, fallback):
        assert_no_markup(rendered)  # the typed note's <@U0BOSS>, <!channel> … stay text
        assert "approved by <@U0APPROVER>" in rendered
    assert blocks.count("<@U0APPROVER>") == 2


@pytest.mark.parametrize("status", list(JobStatus))
def test_card_with_hostile_caption_lyrics_notes_and_error(status: JobStatus) -> None:
    state = CardState(hostile_job(status), tracks=1)
    assert_no_markup(card_blocks(state))
    assert_no_markup(card_fallback(state))


def test_track_comment_with_hostile_caption_and_server() -> None:
    track = TrackRecord(
        id=9,
        job_id=3,
        variant=1,
        file_path="/o/a.mp3",
        file_size=1_000,
        audio_format="mp3",
        created_at=NOW,
        server="http://gpu:8001",
        task_id="t",
        caption=HOSTILE,
        lyrics=HOSTILE,
        metas={"bpm": "<!here>", "keyscale": HOSTILE},
        request_sent={},
        seed=HOSTILE,
        dit_model=HOSTILE,
        duration_s=30.0,
        qc_verdict="warn",
        qc_problems=[HOSTILE],
        placeholder=False,
    )
    comment = track_comment(track, hostile_job(JobStatus.DONE))
    assert_no_markup(comment)
    assert "<!here>" not in comment
