"""`eval prepare` and the seal step through the real engine and the in-process stand-in:
one job per reference (its length, tempo, K variants, batch priority) in a batch tied to the
session; pairs sealed with a passing candidate, or marked NO_CANDIDATE / BROKEN with the reason;
a session interrupted mid-way continues where it stopped."""

from pathlib import Path

import pytest

from bot.engine.batches.service import run_batch_to_end
from bot.engine.evaluations.seal import (
    draw_side,
    run_session_to_end,
    seal_pair,
    seal_sessions,
)
from bot.services import Services, open_services
from commands.context import Caller
from commands.errors import UsageError
from commands.evaluation.args import parse_prepare_args
from commands.evaluation.imports import import_from_path
from commands.evaluation.sessions import parse_session_name
from commands.router import handle
from domain.constants import PRIORITY_BATCH
from domain.evaluations import EvalSessionRecord, EvalStatus, PairState, session_folder
from domain.records import JobStatus
from presets import load_presets
from storage import batches as batches_repo
from storage import evaluations as evaluations_repo
from storage import jobs as jobs_repo
from storage import tracks as tracks_repo
from tests.conftest import make_settings
from tests.listening.audio import tone

CALLER = Caller("slack", user_id="U1", channel_id="C1")


def references(root: Path) -> Path:
    """spa: 12.4 s at 80 bpm and 3 s (clamped to 10 s); hotel-lobby: 11 s."""
    tone(root / "a.wav", 12.4)
    tone(root / "b.wav", 3.0, hz=330)
    tone(root / "c.wav", 11.0, hz=440)
    manifest = root / "refs.csv"
    manifest.write_text(
        "file,zone,bpm,key,genre\na.wav,spa,80,Am,ambient\nb.wav,spa,,,\nc.wav,lobby,,,\n"
    )
    return manifest


async def session_named(services: Services, name: str) -> EvalSessionRecord:
    session = await evaluations_repo.get_session(services.db, name)
    assert session is not None
    return session


async def imported(services: Services, tmp_path: Path, name: str = "q1") -> EvalSessionRecord:
    outcome = await import_from_path(services, CALLER, name, references(tmp_path / "refs"))
    assert len(outcome.added) == 3, outcome.problems
    return await session_named(services, name)


async def run_jobs(services: Services, batch_id: int) -> None:
    batch = await run_batch_to_end(services, batch_id, lambda _line: None, every_s=60)
    assert batch is not None


async def test_prepare_queues_one_best_of_k_job_per_reference(
    services: Services, tmp_path: Path
) -> None:
    session = await imported(services, tmp_path)
    reply = await handle("/music eval prepare q1 --best-of 3", services, CALLER)
    assert reply.ok, reply.plain()
    assert reply.batch_id is not None
    assert "preparing 3 pair(s), best of 3" in (reply.title or "")
    batch = await batches_repo.get_batch(services.db, reply.batch_id)
    assert batch is not None
    assert (batch.evaluation_id, batch.name, batch.requested_count) == (session.id, "eval q1", 9)
    jobs = await jobs_repo.list_jobs(services.db, limit=None)
    assert len(jobs) == 3
    assert {job.priority for job in jobs} == {PRIORITY_BATCH}
    pairs = await evaluations_repo.list_pairs(services.db, session.id)
    refs = {ref.id: ref for ref in await evaluations_repo.list_references(services.db, session.id)}
    by_job = {job.id: job for job in jobs}
    seen = set()
    for pair in pairs:
        assert pair.state is PairState.WAITING
        assert pair.job_id is not None
        request = by_job[pair.job_id].request
        ref = refs[pair.reference_id]
        seen.add((ref.original_name, request["duration_s"], request["bpm"] if ref.bpm else None))
        assert request["variants"] == 3
        assert request["preset_id"] == ref.zone == pair.zone
    assert seen == {("a.wav", 12, 80), ("b.wav", 10, None), ("c.wav", 11, None)}
    a_job = next(by_job[p.job_id] for p in pairs if refs[p.reference_id].original_name == "a.wav")
    assert a_job.request["key_scale"] == "A minor"
    assert "ambient" in a_job.request["caption"]
    now = await session_named(services, "q1")
    assert (now.status, now.batch_id, now.settings["best_of"]) == (
        EvalStatus.PREPARING,
        reply.batch_id,
        3,
    )


async def test_sealed_pairs_have_a_passing_candidate_and_neutral_files(
    services: Services, tmp_path: Path
) -> None:
    session = await imported(services, tmp_path)
    reply = await handle("/music eval prepare q1 best-of=2 zones=spa", services, CALLER)
    assert reply.ok, reply.plain()
    assert reply.batch_id is not None
    await run_jobs(services, reply.batch_id)
    ready = await seal_sessions(services)
    assert [s.name for s in ready] == ["q1"]
    pairs = await evaluations_repo.list_pairs(services.db, session.id)
    assert len(pairs) == 2  # only spa was asked for
    folder = session_folder(services.settings.output_dir, "q1")
    for pair in pairs:
        assert pair.state is PairState.READY, pair.reason
        assert pair.ace_side == draw_side(session.seed, pair.number)
        assert (pair.file_a, pair.file_b) == (
            str(folder / f"{pair.label}-A.mp3"),
            str(folder / f"{pair.label}-B.mp3"),
        )
        assert Path(pair.file_a).is_file()
        assert Path(pair.file_b).is_file()
        assert pair.track_id is not None
        chosen = await tracks_repo.get_track(services.db, pair.track_id)
        assert chosen is not None
        assert chosen.job_id == pair.job_id
        assert (chosen.qc_verdict, chosen.rejected) == ("pass", False)
        loudness = pair.details["loudness"]
        assert abs(loudness["A"]["integrated_lufs"] - loudness["B"]["integrated_lufs"]) <= 0.5
    assert (await session_named(services, "q1")).status is EvalStatus.READY


async def prepared_tracks(services: Services, tmp_path: Path) -> tuple[int, list[int]]:
    """A best-of-3 session's one pair, made: its id and its three tracks' ids, oldest first."""
    session = await imported(services, tmp_path)
    reply = await handle("/music eval prepare q1 best-of=3 zones=spa per-zone=1", services, CALLER)
    assert reply.batch_id is not None
    await run_jobs(services, reply.batch_id)
    (pair,) = await evaluations_repo.list_pairs(services.db, session.id)
    assert pair.job_id is not None
    tracks = await tracks_repo.list_tracks(services.db, job_ids=[pair.job_id], oldest_first=True)
    return pair.id, [track.id for track in tracks]


async def test_closest_passing_variant_is_chosen(services: Services, tmp_path: Path) -> None:
    pair_id, tracks = await prepared_tracks(services, tmp_path)
    assert len(tracks) == 3
    # Variant 1 fails the checks, variant 3 is the closest in length of those left.
    await tracks_repo.update_track(services.db, tracks[0], qc_verdict="fail", duration_s=12.4)
    await tracks_repo.update_track(services.db, tracks[1], qc_verdict="pass", duration_s=9.0)
    await tracks_repo.update_track(services.db, tracks[2], qc_verdict="pass", duration_s=13.0)
    await seal_sessions(services)
    sealed = await evaluations_repo.get_pair(services.db, pair_id)
    assert sealed is not None
    assert (sealed.state, sealed.track_id) == (PairState.READY, tracks[2])
    assert (sealed.details["variants_considered"], sealed.details["variants_passing"]) == (3, 2)


async def test_all_variants_failing_is_no_candidate(services: Services, tmp_path: Path) -> None:
    session = await imported(services, tmp_path)
    reply = await handle("/music eval prepare q1 best-of=2 zones=lobby", services, CALLER)
    assert reply.batch_id is not None
    await run_jobs(services, reply.batch_id)
    (pair,) = await evaluations_repo.list_pairs(services.db, session.id)
    for track in await tracks_repo.list_tracks(services.db, job_ids=[pair.job_id or 0]):
        await tracks_repo.update_track(services.db, track.id, qc_verdict="fail")
    ready = await seal_sessions(services)
    sealed = await evaluations_repo.get_pair(services.db, pair.id)
    assert sealed is not None
    assert (sealed.state, sealed.reason) == (
        PairState.NO_CANDIDATE,
        "no ACE-Step candidate: all 2 variants failed the audio checks",
    )
    assert (sealed.file_a, sealed.file_b, sealed.ace_side) == (None, None, None)
    assert [s.name for s in ready] == ["q1"]  # settled, so the session is ready all the same
    status = await handle("/music eval status q1", services, CALLER)
    assert f"{sealed.label} (hotel-lobby): no ACE-Step candidate" in status.plain()


async def test_a_failed_job_is_no_candidate_with_its_error(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, acestep_max_attempts=1)
    async with open_services(settings) as services:
        session = await imported(services, tmp_path)
        assert services.standin is not None
        services.standin.set_failure_rate(1.0)
        reply = await handle("/music eval prepare q1 zones=lobby", services, CALLER)
        assert reply.batch_id is not None
        await run_jobs(services, reply.batch_id)
        await seal_sessions(services)
        (pair,) = await evaluations_repo.list_pairs(services.db, session.id)
        job = await jobs_repo.get_job(services.db, pair.job_id or 0)
        assert job is not None
        assert job.status is JobStatus.FAILED
        assert pair.state is PairState.NO_CANDIDATE
        assert pair.reason == f"no ACE-Step candidate: the job failed: {job.error}"


async def test_a_vanished_reference_is_broken(services: Services, tmp_path: Path) -> None:
    session = await imported(services, tmp_path)
    reply = await handle("/music eval prepare q1 best-of=1 zones=lobby", services, CALLER)
    assert reply.batch_id is not None
    (pair,) = await evaluations_repo.list_pairs(services.db, session.id)
    reference = await evaluations_repo.get_reference(services.db, pair.reference_id)
    assert reference is not None
    Path(reference.file_path).unlink()
    await run_jobs(services, reply.batch_id)
    await seal_sessions(services)
    sealed = await evaluations_repo.get_pair(services.db, pair.id)
    assert sealed is not None
    assert (sealed.state, sealed.reason) == (PairState.BROKEN, "reference file missing")


async def test_pairs_wait_while_their_jobs_run(services: Services, tmp_path: Path) -> None:
    session = await imported(services, tmp_path)
    reply = await handle("/music eval prepare q1 best-of=1", services, CALLER)
    assert reply.ok
    assert await seal_sessions(services) == []  # nothing ran yet
    pairs = await evaluations_repo.list_pairs(services.db, session.id)
    assert {pair.state for pair in pairs} == {PairState.WAITING}
    assert (await session_named(services, "q1")).status is EvalStatus.PREPARING


async def test_a_session_interrupted_mid_way_continues(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    async with open_services(settings) as first:
        session = await imported(first, tmp_path)
        reply = await handle("/music eval prepare q1 best-of=1", first, CALLER)
        assert reply.batch_id is not None
        await run_jobs(first, reply.batch_id)
        waiting = await evaluations_repo.list_pairs(first.db, session.id)
        await seal_pair(first, session, waiting[0])  # then the process "dies"
    async with open_services(settings) as second:
        pairs = await evaluations_repo.list_pairs(second.db, session.id)
        assert [pair.state for pair in pairs].count(PairState.WAITING) == 2
        done = await run_session_to_end(second, session.id, lambda _line: None)
        assert done is not None
        assert done.status is EvalStatus.READY
        after = await evaluations_repo.list_pairs(second.db, session.id)
        assert [pair.state for pair in after] == [PairState.READY] * 3
        assert after[0] == pairs[0]  # the pair sealed before is left as it was


async def test_unfinished_jobs_resume_after_a_restart(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    async with open_services(settings) as first:
        session = await imported(first, tmp_path)
        reply = await handle("/music eval prepare q1 best-of=1 zones=spa", first, CALLER)
        assert reply.batch_id is not None  # stopped before any job ran
    async with open_services(settings) as second:
        done = await run_session_to_end(second, session.id, lambda _line: None, every_s=60)
        assert done is not None
        assert done.status is EvalStatus.READY
        pairs = await evaluations_repo.list_pairs(second.db, session.id)
        assert [pair.state for pair in pairs] == [PairState.READY] * 2


async def test_prepare_again_adds_only_new_references(services: Services, tmp_path: Path) -> None:
    session = await imported(services, tmp_path)
    first = await handle("/music eval prepare q1 best-of=1 zones=spa", services, CALLER)
    assert first.ok
    again = await handle("/music eval prepare q1 best-of=1 zones=spa", services, CALLER)
    assert "already has its pair" in again.text
    rest = await handle("/music eval prepare q1 best-of=1", services, CALLER)
    assert "preparing 1 pair(s)" in (rest.title or "")
    assert len(await evaluations_repo.list_pairs(services.db, session.id)) == 3
    numbers = [p.number for p in await evaluations_repo.list_pairs(services.db, session.id)]
    assert sorted(numbers) == [1, 2, 3]


@pytest.mark.parametrize("status", [EvalStatus.LISTENING, EvalStatus.CLOSED])
async def test_no_prepare_once_listening(
    services: Services, tmp_path: Path, status: EvalStatus
) -> None:
    session = await imported(services, tmp_path)
    await evaluations_repo.update_session(services.db, session.id, status=status)
    reply = await handle("/music eval prepare q1", services, CALLER)
    assert not reply.ok
    assert f"is {status.value}" in reply.text
    assert await jobs_repo.list_jobs(services.db) == []


async def test_prepare_without_references_says_so(services: Services, tmp_path: Path) -> None:
    reply = await handle("/music eval prepare nothing", services, CALLER)
    assert not reply.ok
    assert "Import its references first" in reply.text
    await imported(services, tmp_path)
    reply = await handle("/music eval prepare q1 zones=cafe", services, CALLER)
    assert not reply.ok
    assert "has no references for cafe" in reply.text
    assert await jobs_repo.list_jobs(services.db) == []


async def test_prepare_respects_the_quota(tmp_path: Path) -> None:
    async def admit(tracks: int) -> str | None:
        return f"over quota by {tracks}"

    async with open_services(make_settings(tmp_path)) as services:
        await imported(services, tmp_path)
        caller = Caller("slack", user_id="U1", admit=admit)
        reply = await handle("/music eval prepare q1 best-of=2", services, caller)
        assert (reply.ok, reply.text) == (False, "over quota by 6")
        assert await jobs_repo.list_jobs(services.db) == []
        assert await batches_repo.list_batches(services.db) == []


async def test_status_never_names_the_ace_step_file(services: Services, tmp_path: Path) -> None:
    session = await imported(services, tmp_path)
    reply = await handle("/music eval prepare q1 best-of=1", services, CALLER)
    assert reply.batch_id is not None
    await run_jobs(services, reply.batch_id)
    await seal_sessions(services)
    text = (await handle("/music eval status q1", services, CALLER)).plain()
    assert "State: ready" in text
    assert "Pairs: 3 ready" in text
    assert "References: hotel-lobby 1, spa 2" in text
    for pair in await evaluations_repo.list_pairs(services.db, session.id):
        track = await tracks_repo.get_track(services.db, pair.track_id or 0)
        assert track is not None
        for secret in (track.file_path, track.caption, str(track.seed), f"-{pair.ace_side}."):
            assert secret not in text
    listing = (await handle("/music eval", services, CALLER)).plain()
    assert "q1: ready" in listing


def test_session_names_and_options_are_checked() -> None:
    presets = load_presets()
    assert parse_session_name(" Q1 ", example="x") == "q1"
    for bad in ("", "-q", "a b", "x" * 65, "q/1"):
        with pytest.raises(UsageError):
            parse_session_name(bad, example="x")
    dashed = parse_prepare_args("q1 --zones spa,Hotel-Lobby --per-zone 2 --best-of 8", presets)
    plain = parse_prepare_args("q1 zones=spa,lobby per-zone=2 best-of=8", presets)
    assert dashed == plain
    assert (plain.zones, plain.per_zone, plain.best_of) == (("spa", "hotel-lobby"), 2, 8)
    assert parse_prepare_args("q1", presets).best_of == 4
    for bad, message in (
        ("q1 --best-of 9", "--best-of must be 1 to 8 (got 9)"),
        ("q1 best-of=0", "--best-of must be 1 to 8 (got 0)"),
        ("q1 --per-zone two", "--per-zone takes a whole number"),
        ("q1 --zones disco", "Unknown zone 'disco'"),
        ("q1 --colour red", "Unknown option '--colour'"),
        ("q1 q2", "Only one session name"),
        ("q1 --best-of", "--best-of needs a value"),
    ):
        with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
            parse_prepare_args(bad, presets)


async def test_eval_text_commands_explain_themselves(services: Services) -> None:
    listing = await handle("/music eval", services, CALLER)
    assert "No listening-test session yet" in listing.text
    typed = await handle("/music eval import q1", services, CALLER)
    assert not typed.ok
    assert "Attach the reference audio files" in typed.text
    assert "acemusic eval import q1 <folder|manifest.csv>" in typed.text
    unknown = await handle("/music eval dance q1", services, CALLER)
    assert not unknown.ok
    assert "'dance' is not an eval command: import, prepare, status" in unknown.text
    missing = await handle("/music eval status nope", services, CALLER)
    assert not missing.ok
    assert "No session is called nope" in missing.text
    help_text = (await handle("/music help", services, CALLER)).plain()
    assert "eval import|prepare|start|close|report|status <session>" in help_text
