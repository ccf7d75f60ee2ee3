"""Batches in Slack: one digest message edited in place, tracks in its thread, a summary, a
manifest posted with `@bot batch`, the confirmation step and the Cancel button."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from domain.records import ScheduleRecord
from storage import batches as batches_repo
from storage import schedules as schedules_repo
from storage import slack_digests as digests_repo
from tests.fakeslack import CHANNEL_ID, payloads
from tests.fakeslack.render import file_json
from tests.slack.conftest import Harness, MakeBot

pytestmark = pytest.mark.slow


async def digest_ts(h: Harness, batch_id: int) -> str:
    async def posted() -> str | None:
        digest = await digests_repo.get_digest(h.services.db, batch_id)
        return digest.ts if digest else None

    return str(await h.until(posted, what=f"the digest of batch {batch_id}"))


async def finished_digest(h: Harness, batch_id: int) -> str:
    ts = await digest_ts(h, batch_id)

    async def final() -> bool:
        digest = await digests_repo.get_digest(h.services.db, batch_id)
        return bool(digest and digest.final)

    await h.until(final, what=f"the digest of batch {batch_id} to show its summary")
    return ts


async def thread_files(h: Harness, ts: str, count: int) -> int:
    """Wait for `count` files in the thread at `ts`; return how many are there.

    Track posts are paced after the batch settles, so they can trail the summary a little."""

    async def posted() -> bool:
        return len(h.fake.workspace.files_in(CHANNEL_ID, ts)) >= count

    await h.until(posted, what=f"{count} tracks in the thread {ts}")
    return len(h.fake.workspace.files_in(CHANNEL_ID, ts))


@pytest.mark.parametrize("mode", ["socket", "http"])
async def test_batch_digest_tracks_and_summary(make_bot: MakeBot, mode: str) -> None:
    h = await make_bot(mode, slack_channel_post_gap_seconds=0)
    await h.slash("batch spa x4 seed=5 10s wav")
    ts = await finished_digest(h, 1)
    message = h.fake.workspace.message(CHANNEL_ID, ts)
    first, last = str(message.versions[0]), str(message.versions[-1])
    assert "Batch #1" in first
    assert "0 of 4 tracks made" in first
    assert "Finished" in last
    assert "4 of 4 tracks" in last
    assert "report.csv" in last
    assert len(h.fake.calls_to("chat.postMessage")) == 1  # one digest message, edited in place
    assert await thread_files(h, ts, 4) == 4  # every track once, in the digest's thread
    assert not h.fake.calls_to("chat.postEphemeral") or "Batch #1 started" in str(
        h.fake.calls_to("chat.postEphemeral")[0].args
    )
    batch = await batches_repo.get_batch(h.services.db, 1)
    assert batch is not None
    assert batch.status == "done"
    report = Path(batch.details["summary"]["report_csv"])
    assert len(report.read_text().splitlines()) == 1 + 4
    assert not h.fake.problems


async def test_large_batch_waits_for_confirmation(make_bot: MakeBot) -> None:
    h = await make_bot(batch_confirm_tracks=3)
    await h.slash("batch spa x6 10s wav")

    async def asked() -> str | None:  # private answers to /music go through its response_url
        notes = h.fake.workspace.ephemerals
        return f"{notes[-1].text} {notes[-1].blocks}" if notes else None

    question = await h.until(asked, what="the confirmation question")
    assert "more than 3" in question
    assert "confirm" in question
    assert await batches_repo.list_batches(h.services.db) == []
    await h.slash("batch spa x6 10s wav confirm")
    await digest_ts(h, 1)


async def test_manifest_attached_to_a_mention_starts_a_batch(make_bot: MakeBot) -> None:
    h = await make_bot(slack_channel_post_gap_seconds=0)
    csv = b"preset,caption,duration,count\nspa,,10s,2\ncafe,acoustic guitar,10s,1\nnowhere,,10s,1\n"
    file, _message = h.fake.workspace.add_file(CHANNEL_ID, "morning.csv", csv)
    event = payloads.app_mention("batch")
    event["files"] = [file_json(h.fake.workspace, file, h.fake.base_url)]  # as Slack sends them
    await h.event(event)
    ts = await finished_digest(h, 1)
    assert await thread_files(h, ts, 3) == 3  # the two good rows' tracks
    batch = await batches_repo.get_batch(h.services.db, 1)
    assert batch is not None
    assert batch.name == "morning.csv"
    assert [row["row"] for row in batch.details["skipped_rows"]] == [4]


async def test_oversized_and_broken_manifests_get_a_clear_private_answer(make_bot: MakeBot) -> None:
    h = await make_bot()
    files = {
        "huge.csv": ("preset,count\n" + "spa,10000\n" * 4).encode(),
        "deep.json": b"[" * 100_000 + b"]" * 100_000,
        "wide.csv": b"preset,caption\nspa," + b"a" * 200_000 + b"\n",
    }
    for name, data in files.items():
        file, _message = h.fake.workspace.add_file(CHANNEL_ID, name, data)
        event = payloads.app_mention("batch")
        event["files"] = [file_json(h.fake.workspace, file, h.fake.base_url)]
        await h.event(event)

    async def answers() -> str:
        calls = h.fake.calls_to("chat.postEphemeral")
        return " ".join(str(c.args["text"]) for c in calls) if len(calls) >= 3 else ""

    said = await h.until(answers, what="three private answers")
    assert "huge.csv asks for 40000 tracks" in said
    assert "deep.json is not valid JSON (it is nested too deeply" in said
    assert "wide.csv: line 2 has a cell longer than 128 KB" in said
    assert "went wrong" not in said.lower()
    assert await batches_repo.list_batches(h.services.db) == []


async def test_a_hostile_file_name_cannot_ping_the_channel(make_bot: MakeBot) -> None:
    h = await make_bot(slack_channel_post_gap_seconds=0)
    name = "<!channel> <https://evil.example|invoice> & week.csv"
    file, _message = h.fake.workspace.add_file(CHANNEL_ID, name, b"preset,duration\nspa,10s\n")
    event = payloads.app_mention("batch")
    event["files"] = [file_json(h.fake.workspace, file, h.fake.base_url)]
    await h.event(event)
    ts = await digest_ts(h, 1)
    message = h.fake.workspace.message(CHANNEL_ID, ts)
    for version in message.versions:
        assert "<!channel>" not in str(version)
        assert "<https://evil" not in str(version)
    for call in h.fake.calls_to("chat.postMessage") + h.fake.calls_to("chat.update"):
        assert "&lt;!channel&gt;" in str(call.args["text"])


async def test_external_files_never_get_the_bot_token(make_bot: MakeBot) -> None:
    """A remote file's url_private is its own host: the bot refuses it and sends no token there;
    a hosted-looking file whose URL points elsewhere is refused the same way, and a file marked
    external is refused whatever its URL."""
    seen: list[str] = []

    async def steal(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization", ""))
        return web.Response(text="preset,count\nspa,1\n", content_type="text/csv")

    app = web.Application()
    app.router.add_get("/{tail:.*}", steal)
    async with TestServer(app, host="127.0.0.1") as elsewhere:
        h = await make_bot()
        file, _message = h.fake.workspace.add_file(CHANNEL_ID, "remote.csv", b"preset\nspa\n")
        remote = file_json(h.fake.workspace, file, h.fake.base_url)
        remote |= {"mode": "external", "is_external": True, "external_type": "gdrive"}
        remote["url_private"] = remote["url_private_download"] = str(elsewhere.make_url("/r.csv"))
        hosted = file_json(h.fake.workspace, file, h.fake.base_url)
        hosted["url_private_download"] = str(elsewhere.make_url("/h.csv"))
        linked = file_json(h.fake.workspace, file, h.fake.base_url) | {"is_external": True}
        for shared in (remote, hosted, linked):
            event = payloads.app_mention("batch")
            event["files"] = [shared]
            await h.event(event)

        async def refusals() -> list[str]:
            calls = [str(c.args) for c in h.fake.calls_to("chat.postEphemeral")]
            return calls if len(calls) >= 3 else []

        answers = await h.until(refusals, what="three refusals")
    assert seen == []  # not even a request, let alone the token
    assert all("upload the file itself" in answer for answer in answers)
    assert await batches_repo.list_batches(h.services.db) == []


async def test_cancel_button_cancels_the_rest_of_the_batch(make_bot: MakeBot) -> None:
    h = await make_bot(standin_job_seconds=5)
    await h.slash("batch spa x6 10s wav")
    ts = await digest_ts(h, 1)
    message = h.fake.render_message(CHANNEL_ID, ts)
    await h.interact(payloads.block_actions("batch_cancel", message=message))
    ts = await finished_digest(h, 1)
    batch = await batches_repo.get_batch(h.services.db, 1)
    assert batch is not None
    assert batch.details["summary"]["jobs_cancelled"] >= 1


async def test_schedule_fires_in_its_channel_once_and_survives_a_restart(make_bot: MakeBot) -> None:
    h = await make_bot(slack_channel_post_gap_seconds=0)
    await h.slash("schedule daily 09:00 spa x2 10s wav")

    async def stored() -> list[ScheduleRecord]:
        return await schedules_repo.list_schedules(h.services.db)

    [schedule] = await h.until(stored, what="the schedule to be stored")
    # Pretend 09:00 passed 5 minutes ago while the bot was down: a restart makes that run once.
    due = datetime.now(UTC) - timedelta(minutes=5)
    assert schedule.next_run_at is not None
    assert await schedules_repo.skip_run(
        h.services.db, schedule.id, fire_time=schedule.next_run_at, next_run_at=due
    )
    await h.stop()
    again = await make_bot(fake=h.fake, slack_channel_post_gap_seconds=0)
    ts = await finished_digest(again, 1)
    assert "schedule #1" in str(again.fake.workspace.message(CHANNEL_ID, ts).versions[-1])
    assert await thread_files(again, ts, 2) == 2
    again.run.scheduler.wake()
    await again.run.scheduler.run_due()  # nothing more is due: no second batch
    assert len(await batches_repo.list_batches(again.services.db)) == 1
    stored = await schedules_repo.get_schedule(again.services.db, schedule.id)
    assert stored is not None
    assert stored.runs == 1
    assert stored.last_batch_id == 1
