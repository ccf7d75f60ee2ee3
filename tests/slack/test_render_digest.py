"""A batch digest escapes every person-made string (the file name, failure reasons, the report
path) in its blocks and in its notification text, so a file called `<!channel>.csv` cannot ping
a channel or forge a link."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.adapters.slack.render_digest import DigestState, digest_blocks, digest_fallback
from domain.records import BatchRecord, JobStatus
from storage.batches import BatchTally

HOSTILE = "<!channel> & <https://evil.example|your invoice>.csv"
ESCAPED = "&lt;!channel&gt; &amp; &lt;https://evil.example|your invoice&gt;.csv"


def state(*, finished: bool, requested_by: str | None = "U123") -> DigestState:
    details: dict[str, Any] = {"skipped_rows": [{"row": 3, "problem": "<!here>"}]}
    if finished:
        details["summary"] = {
            "tracks_made": 1,
            "tracks_requested": 2,
            "report_csv": "outputs/batches/<!here>/report.csv",
        }
    batch = BatchRecord(
        id=7,
        name=HOSTILE,
        status="done" if finished else "running",
        requested_count=2,
        origin="slack",
        created_at=datetime.now(UTC),
        requested_by=requested_by,
        details=details,
    )
    tally = BatchTally(
        jobs_by_status={JobStatus.DONE: 1, JobStatus.FAILED: 1},
        tracks_requested=2,
        tracks_made=1,
        tracks_flagged=0,
        failures={"server said <!everyone> & left": 1},
    )
    return DigestState(batch, tally, posted=1, eta_s=None)


@pytest.mark.parametrize("finished", [False, True])
def test_the_notification_text_escapes_the_batch_name(finished: bool) -> None:
    text = digest_fallback(state(finished=finished))
    assert ESCAPED in text
    assert "<!channel>" not in text
    assert "<https://" not in text


@pytest.mark.parametrize("finished", [False, True])
def test_the_blocks_escape_every_person_made_string(finished: bool) -> None:
    rendered = json.dumps(digest_blocks(state(finished=finished)))
    assert ESCAPED in rendered
    for raw in ("<!channel>", "<!here>", "<!everyone>", "<https://"):
        assert raw not in rendered
    assert "<@U123>" in rendered  # the bot's own mention of who started it stays a mention


def test_a_requester_that_is_not_a_slack_user_id_is_not_made_a_mention() -> None:
    rendered = json.dumps(digest_blocks(state(finished=False, requested_by="<!channel>")))
    assert "<!channel>" not in rendered
    assert "<@" not in rendered
