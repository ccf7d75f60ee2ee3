"""Downloads that cannot succeed end the job with a reason; leftovers are cleaned; names say
placeholder when the audio is."""

import errno
import json
from pathlib import Path

import httpx
import pytest

from bot.adapters.slack.render import CardState, card_blocks
from bot.engine.acestep import download
from domain.records import JobStatus
from tests.engine.conftest import MakeRig, Rig


@pytest.fixture
def backend() -> str:
    """SQLite only: these tests are about HTTP faults between the engine and its servers, and the
    slowest of the engine's; the PostgreSQL runs of the other engine tests cover its storage."""
    return "sqlite"


class AudioRefused(httpx.AsyncBaseTransport):
    """Answers every /v1/audio with `status`; everything else passes through."""

    def __init__(self, inner: httpx.AsyncBaseTransport, status: int) -> None:
        self.inner = inner
        self.status = status

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/audio":
            return httpx.Response(self.status, json={"detail": "refused"})
        return await self.inner.handle_async_request(request)


async def _run(rig: Rig, job_id: int) -> None:
    for _ in range(30):
        await rig.step(1)
        if (await rig.job(job_id)).status.finished:
            return


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (401, "refused the bot's API key (HTTP 401): check ACESTEP_API_KEY"),
        (403, "refused to hand over the audio file (HTTP 403)"),
    ],
)
async def test_download_refused_for_auth_fails_the_job_with_a_reason(
    make_rig: MakeRig, status: int, words: str
) -> None:
    rig = await make_rig()
    rig.transports[0].inner = AudioRefused(rig.transports[0].inner, status)
    job = await rig.enqueue()
    await _run(rig, job.id)
    failed = await rig.job(job.id)
    assert failed.status is JobStatus.FAILED
    assert failed.error is not None
    assert words in failed.error


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "the bot's disk is full: free space in OUTPUT_DIR"),
        (errno.EACCES, "the bot may not write to OUTPUT_DIR"),
    ],
)
async def test_local_disk_errors_fail_the_job_with_a_reason(
    make_rig: MakeRig, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    def broken(self: object, data: bytes) -> None:
        raise OSError(code, "injected")

    monkeypatch.setattr(download._PartFile, "write", broken)
    rig = await make_rig()
    job = await rig.enqueue()
    await _run(rig, job.id)
    failed = await rig.job(job.id)
    assert failed.status is JobStatus.FAILED
    assert failed.error is not None
    assert words in failed.error
    assert not [p for p in rig.output_dir.rglob("*") if p.is_file()]  # nothing half-written
    card = json.dumps(card_blocks(CardState(job=failed)))
    assert "Failed" in card
    assert words in card  # the job's card tells people what to fix


async def test_partial_downloads_left_by_a_killed_process_are_removed_at_start(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig()
    day = rig.output_dir / "2026-01-02"
    day.mkdir(parents=True)
    leftover = day / ".job00001-spa-v1.wav.k3j2h1.part"
    leftover.write_bytes(b"half")
    kept = day / "job00001-spa-v1.wav"
    kept.write_bytes(b"whole")
    await rig.engine.tick()
    assert not leftover.exists()
    assert kept.exists()


async def test_placeholder_tracks_say_so_in_their_file_name(make_rig: MakeRig) -> None:
    rig = await make_rig()
    job = await rig.enqueue(caption="hotel lobby jazz")
    await rig.engine.run_until_idle()
    names = [Path(track.file_path).name for track in await rig.tracks(job.id)]
    assert names == [f"job{job.id:05d}-hotel-lobby-jazz-PLACEHOLDER-v1.wav"]


async def test_files_on_a_server_that_stays_away_are_made_again_elsewhere(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig(servers=2, capacity=1, failover_s=60)
    job = await rig.enqueue()
    await rig.engine.tick()
    assert (await rig.job(job.id)).server == "server0"
    await rig.standins[0].wait_until_idle()  # made; but its file can no longer be fetched
    rig.transports[0].inner = AudioUnreachable(rig.transports[0].inner)
    for _ in range(40):
        await rig.step(10)
        if (await rig.job(job.id)).status.finished:
            break
    done = await rig.job(job.id)
    assert (done.status, done.server, done.failures) == (JobStatus.DONE, "server1", 0)
    assert any("stopped answering" in note for note in done.notes)


class AudioUnreachable(httpx.AsyncBaseTransport):
    """/v1/audio cannot be reached; everything else passes through."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/audio":
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)


async def test_a_burst_of_502_on_downloads_waits_for_the_server(make_rig: MakeRig) -> None:
    rig = await make_rig(capacity=3, failover_s=600)
    refusing = AudioRefused(rig.transports[0].inner, 502)
    rig.transports[0].inner = refusing
    jobs = [await rig.enqueue() for _ in range(6)]
    for _ in range(30):  # 30 s of 502 from /v1/audio
        await rig.step(1)
    during = await rig.statuses(jobs)
    assert JobStatus.DOWNLOADING in during
    assert not any(status.finished for status in during)
    rig.transports[0].inner = refusing.inner
    for _ in range(60):
        await rig.step(5)
        if await rig.all_finished(jobs):
            break
    ended = [await rig.job(job.id) for job in jobs]
    assert [(job.status, job.failures, job.submissions) for job in ended] == [
        (JobStatus.DONE, 0, 1)
    ] * 6


async def test_a_file_the_server_always_errors_on_ends_the_job(make_rig: MakeRig) -> None:
    rig = await make_rig(server_error_limit=3, failover_s=600)
    rig.transports[0].inner = AudioRefused(rig.transports[0].inner, 500)
    job = await rig.enqueue()
    for _ in range(100):
        await rig.step(60)
        if (await rig.job(job.id)).status.finished:
            break
    failed = await rig.job(job.id)
    assert failed.status is JobStatus.FAILED
    assert failed.error is not None
    assert "3 times" in failed.error
