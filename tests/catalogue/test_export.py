"""The catalogue export over the real composition root and a real SQLite database: selection,
skips with reasons, unique stable titles, idempotence, incremental exports, the manifest, CSV
neutralisation, path safety, unwritable folders and a full disk."""

import asyncio
import csv
import errno
import json
import logging
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import mutagen.id3
import numpy as np
import pytest
import soundfile as sf

from bot.engine.audio import delivery, render
from bot.services import Services, open_services
from domain.approvals import ApprovalSource, Decision
from domain.catalogue import (
    MANIFEST_COLUMNS,
    ExportError,
    ExportFilter,
    ManifestRow,
    SkipReason,
    catalogue_title,
    file_name,
    title_base,
)
from standin.audio.synth import SAMPLE_RATE, Arrangement, render_placeholder
from storage import approvals, jobs, ratings, tracks
from storage import batches as batches_repo
from storage import evaluations as evaluations_repo
from tests.conftest import make_settings

CAPTION = "warm cafe jazz for evenings"


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    """The composition root with FLAC delivery (fast to encode; MP3 is tested in tests/audio)."""
    settings = make_settings(tmp_path, delivery_format="flac", catalogue_artist="Hotel Sound Co")
    async with open_services(settings) as built:
        yield built


async def add_track(
    services: Services,
    tmp_path: Path,
    *,
    caption: str = CAPTION,
    preset_id: str | None = "cafe",
    approve: bool = True,
    qc_verdict: str = "pass",
    metas: dict[str, Any] | None = None,
    batch_id: int | None = None,
    seed: int = 1,
) -> int:
    """A track whose file exists (3 s of placeholder music), approved unless asked otherwise."""
    path = tmp_path / "outputs" / f"take-{seed}.wav"
    path.parent.mkdir(parents=True, exist_ok=True)
    audio = render_placeholder(Arrangement(3.0, 100, "A minor", "4", seed=seed))
    sf.write(path, audio, SAMPLE_RATE, subtype="PCM_16")
    request = {"caption": caption, "duration_s": 3, "preset_id": preset_id}
    job = await jobs.create_job(services.db, request=request, origin="cli", batch_id=batch_id)
    track = await tracks.add_track(
        services.db,
        job_id=job.id,
        variant=1,
        file_path=str(path),
        file_size=path.stat().st_size,
        audio_format="wav",
        server="builtin",
        task_id=f"t{seed}",
        caption=caption,
        lyrics="[Instrumental]",
        metas=metas if metas is not None else {"bpm": 96, "keyscale": "A minor"},
        request_sent={"prompt": caption},
        qc_verdict=qc_verdict,
    )
    if approve:
        await approvals.decide(
            services.db,
            [track.id],
            Decision.APPROVED,
            user_id="U1",
            source=ApprovalSource.COMMAND,
            forced=qc_verdict == "fail",
        )
    return track.id


def manifest(folder: Path) -> list[dict[str, str]]:
    with (folder / "catalogue.csv").open(newline="") as file:
        return list(csv.DictReader(file))


def mtimes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


async def test_export_writes_tagged_files_and_a_manifest_then_nothing_when_unchanged(
    services: Services, tmp_path: Path
) -> None:
    first = await add_track(services, tmp_path, seed=1)
    second = await add_track(services, tmp_path, seed=2, caption="late night lounge jazz")
    folder = tmp_path / "catalogue"

    result = await services.catalogue.export(ExportFilter(), folder)

    assert sorted(result.written) == [first, second]
    assert result.skipped == ()
    rows = {int(row["track_id"]): row for row in manifest(folder)}
    assert set(rows) == {first, second}
    assert rows[first]["title"] == f"Cafe Warm Jazz Evenings {first:04d}"
    assert rows[second]["title"] == f"Cafe Late Night Lounge {second:04d}"
    assert rows[second]["genre"] == "acoustic"  # none named: the preset's first genre
    assert rows[first]["preset"] == "cafe"
    assert rows[first]["zone_type"] == "cafe/restaurant"
    assert rows[first]["genre"] == "cafe jazz"  # the preset's genre the caption names
    assert rows[first]["approval"] == "approved"
    written = folder / rows[first]["file"]
    flac = mutagen.flac.FLAC(written)
    assert flac["TITLE"] == [rows[first]["title"]]
    assert flac["ARTIST"] == ["Hotel Sound Co"]
    assert flac["ALBUM"] == ["Cafe"]
    assert flac["COMMENT"][0].startswith(f"acemusic track {first} ")
    assert -14.5 <= float(rows[first]["loudness_lufs"]) <= -13.5
    assert float(rows[first]["true_peak_dbtp"]) <= -1.0
    document = json.loads((folder / "catalogue.json").read_text())
    assert [f["track_id"] for f in document["files"]] == [first, second]
    assert document["files"][0]["sha256"] == rows[first]["sha256"]

    before = mtimes(folder)
    audio_before = {n: t for n, t in before.items() if not n.startswith("catalogue.")}
    again = await services.catalogue.export(ExportFilter(), folder)
    assert again.written == ()
    assert again.unchanged == 2
    after = mtimes(folder)
    assert {n: t for n, t in after.items() if not n.startswith("catalogue.")} == audio_before
    assert [row.title for row in again.rows] == [row.title for row in result.rows]  # stable


async def test_export_is_incremental_and_the_manifest_lists_the_whole_selection(
    services: Services, tmp_path: Path
) -> None:
    first = await add_track(services, tmp_path, seed=1)
    folder = tmp_path / "catalogue"
    await services.catalogue.export(ExportFilter(), folder)
    before = mtimes(folder)
    second = await add_track(services, tmp_path, seed=2, approve=False)
    await approvals.decide(
        services.db, [second], Decision.APPROVED, user_id="U2", source=ApprovalSource.REACTION
    )

    result = await services.catalogue.export(ExportFilter(), folder)

    assert result.written == (second,)
    assert [int(row["track_id"]) for row in manifest(folder)] == [first, second]
    unchanged = {name for name in before if not name.startswith("catalogue.")}
    assert all(mtimes(folder)[name] == before[name] for name in unchanged)


async def test_a_changed_setting_or_a_deleted_file_is_written_again(
    services: Services, tmp_path: Path
) -> None:
    track_id = await add_track(services, tmp_path, seed=1)
    folder = tmp_path / "catalogue"
    first = await services.catalogue.export(ExportFilter(), folder)
    (folder / first.rows[0].file).unlink()
    assert (await services.catalogue.export(ExportFilter(), folder)).written == (track_id,)

    services.settings = services.settings.model_copy(update={"catalogue_artist": "Other Co"})
    again = await services.catalogue.export(ExportFilter(), folder)
    assert again.written == (track_id,)
    assert mutagen.flac.FLAC(folder / again.rows[0].file)["ARTIST"] == ["Other Co"]


async def test_skips_are_listed_with_their_reasons(services: Services, tmp_path: Path) -> None:
    kept = await add_track(services, tmp_path, seed=1)
    gone = await add_track(services, tmp_path, seed=2)
    Path((await tracks.get_track(services.db, gone)).file_path).unlink()  # type: ignore[union-attr]
    failed = await add_track(services, tmp_path, seed=3, qc_verdict="fail", approve=False)
    rejected = await add_track(services, tmp_path, seed=4, approve=False)
    for track_id in (failed, rejected, kept):
        await ratings.add_rating(
            services.db, track_id=track_id, user_id="U9", emoji="fire", score=5
        )
    await approvals.decide(
        services.db, [rejected], Decision.REJECTED, user_id="U1", source=ApprovalSource.COMMAND
    )
    folder = tmp_path / "catalogue"

    approved = await services.catalogue.export(ExportFilter(), folder)
    assert [row.track_id for row in approved.rows] == [kept]
    assert [(s.track_id, s.reason) for s in approved.skipped] == [(gone, SkipReason.MISSING_SOURCE)]

    by_score = await services.catalogue.export(ExportFilter(min_score=4), folder)
    assert [row.track_id for row in by_score.rows] == [kept]
    assert {(s.track_id, s.reason) for s in by_score.skipped} == {
        (failed, SkipReason.FAILED_CHECK),
        (rejected, SkipReason.REJECTED),
    }
    assert by_score.rows[0].ratings == 1
    assert by_score.rows[0].mean_score == 5.0
    document = json.loads((folder / "catalogue.json").read_text())
    assert {s["reason"] for s in document["skipped"]} == {
        SkipReason.FAILED_CHECK,
        SkipReason.REJECTED,
    }


async def test_candidates_of_an_open_listening_test_are_hidden(
    services: Services, tmp_path: Path
) -> None:
    session, _ = await evaluations_repo.get_or_create_session(
        services.db, "q1", origin="cli", owner=None, seed=1
    )
    batch, _ = await batches_repo.create_batch(
        services.db, name="eval q1", origin="cli", jobs=[], priority=0, evaluation_id=session.id
    )
    hidden = await add_track(services, tmp_path, seed=1, batch_id=batch.id)

    result = await services.catalogue.export(ExportFilter(), tmp_path / "catalogue")

    assert result.rows == ()
    assert [(s.track_id, s.reason) for s in result.skipped] == [(hidden, SkipReason.HIDDEN)]


async def test_manifest_cells_that_would_run_as_formulas_are_neutralised(
    services: Services, tmp_path: Path
) -> None:
    await add_track(services, tmp_path, metas={"bpm": 96, "keyscale": "=HYPERLINK(1)"})
    folder = tmp_path / "catalogue"
    await services.catalogue.export(ExportFilter(), folder)
    [row] = manifest(folder)
    assert row["key"] == "'=HYPERLINK(1)"
    assert tuple(manifest(folder)[0]) == MANIFEST_COLUMNS


def test_every_formula_start_is_neutralised_and_numbers_are_not() -> None:
    row = ManifestRow(
        file="a.mp3",
        title="+1 cmd",
        duration_s=-3.0,
        bpm=None,
        key="-x",
        bpm_source=None,
        key_source="asked",
        asked_bpm=None,
        asked_key="-x",
        genre="@sum",
        preset="=p",
        zone_type=None,
        loudness_lufs=-14.0,
        true_peak_dbtp=-1.0,
        approval=None,
        ratings=0,
        mean_score=None,
        track_id=1,
        sha256="ab",
    )
    cells = dict(zip(MANIFEST_COLUMNS, row.csv_cells(), strict=True))
    assert (cells["title"], cells["key"], cells["genre"], cells["preset"]) == (
        "'+1 cmd",
        "'-x",
        "'@sum",
        "'=p",
    )
    assert cells["loudness_lufs"] == -14.0


async def test_a_symlink_in_the_way_is_refused_and_never_followed(
    services: Services, tmp_path: Path
) -> None:
    track_id = await add_track(services, tmp_path, seed=1)
    folder = tmp_path / "catalogue"
    folder.mkdir()
    outside = tmp_path / "outside.flac"
    outside.write_bytes(b"keep me")
    name = file_name(catalogue_title(title_base("Cafe", CAPTION), track_id), "flac")
    (folder / name).symlink_to(outside)

    result = await services.catalogue.export(ExportFilter(), folder)

    assert [(s.track_id, s.reason) for s in result.skipped] == [(track_id, SkipReason.PATH_TAKEN)]
    assert outside.read_bytes() == b"keep me"


async def test_an_export_folder_behind_a_symlink_is_resolved_and_written_inside_it(
    services: Services, tmp_path: Path
) -> None:
    await add_track(services, tmp_path, seed=1)
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    result = await services.catalogue.export(ExportFilter(), link)
    assert result.folder == str(real.resolve())
    assert (real / "catalogue.csv").is_file()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
async def test_an_unwritable_folder_is_a_clear_error(services: Services, tmp_path: Path) -> None:
    await add_track(services, tmp_path, seed=1)
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(ExportError, match=r"cannot write to .*readonly"):
            await services.catalogue.export(ExportFilter(), folder)
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)
    assert len((await services.catalogue.export(ExportFilter(), folder)).written) == 1


async def test_a_folder_that_cannot_exist_is_a_clear_error(
    services: Services, tmp_path: Path
) -> None:
    await add_track(services, tmp_path, seed=1)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError, match=r"cannot write to .*a-file/catalogue"):
        await services.catalogue.export(ExportFilter(), blocker / "catalogue")


async def test_permission_refused_while_writing_is_a_clear_error_and_leaves_nothing(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # what a folder made read-only under a running export does (the chmod test needs non-root)
    await add_track(services, tmp_path, seed=1)
    folder = tmp_path / "catalogue"

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(render.tempfile, "mkstemp", refused)
    with pytest.raises(ExportError, match=r"cannot write to .*Permission denied.*write access"):
        await services.catalogue.export(ExportFilter(), folder)
    assert list(folder.iterdir()) == []


async def test_a_full_disk_stops_the_export_cleanly_and_running_it_again_just_works(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await add_track(services, tmp_path, seed=1)
    second = await add_track(services, tmp_path, seed=2)
    folder = tmp_path / "catalogue"
    real_tagger = delivery.write_vorbis
    calls = {"n": 0}

    def fills_up(path: Path, tags: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # the second file meets a full disk
            raise OSError(errno.ENOSPC, "No space left on device")
        real_tagger(path, tags)

    monkeypatch.setattr(delivery, "write_vorbis", fills_up)
    with pytest.raises(ExportError, match=r"disk .* is full"):
        await services.catalogue.export(ExportFilter(), folder)
    leftovers = sorted(p.name for p in folder.iterdir())
    assert len(leftovers) == 1
    assert leftovers[0].endswith(".flac")
    assert not list(folder.glob(".*"))

    monkeypatch.setattr(delivery, "write_vorbis", real_tagger)
    result = await services.catalogue.export(ExportFilter(), folder)
    assert result.written == (second,)  # the first was already there, whole
    assert [row.track_id for row in result.rows] == [first, second]


async def test_the_selection_filters_by_preset_and_time(services: Services, tmp_path: Path) -> None:
    cafe = await add_track(services, tmp_path, seed=1)
    await add_track(services, tmp_path, seed=2, preset_id=None, caption="rainy piano")
    folder = tmp_path / "catalogue"
    by_preset = await services.catalogue.export(ExportFilter(preset_id="cafe"), folder)
    assert [row.track_id for row in by_preset.rows] == [cafe]
    future = (await tracks.get_track(services.db, cafe)).created_at.replace(year=2999)  # type: ignore[union-attr]
    assert (await services.catalogue.export(ExportFilter(since=future), folder)).rows == ()


def test_titles_are_made_from_the_preset_and_caption() -> None:
    assert title_base("Lobby", "evening jazz, the lobby at dusk") == "Lobby Evening Jazz Dusk"
    assert title_base(None, "") == "Track"
    assert catalogue_title("Lobby Evening Jazz", 417) == "Lobby Evening Jazz 0417"
    assert catalogue_title("Lobby Evening Jazz", 417, 1) == "Lobby Evening Jazz 0417 B"
    assert file_name("Lobby Evening Jazz 0417", "mp3") == "lobby-evening-jazz-0417.mp3"
    assert np.all([c.isalnum() or c in "-." for c in file_name("../../etc/passwd 1", "flac")])


async def test_delivery_files_are_rendered_in_the_audio_process_pool(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, delivery_format="flac", audio_check_workers=1)
    async with open_services(settings) as pooled:
        track_id = await add_track(pooled, tmp_path, seed=1)
        result = await pooled.catalogue.export(ExportFilter(), tmp_path / "catalogue")
        assert result.written == (track_id,)
        assert pooled.audio.workers == 1
        assert pooled.audio._pool is not None  # a worker process did the rendering


async def test_two_exports_into_one_folder_at_once_write_each_file_once(
    services: Services, tmp_path: Path
) -> None:
    """The delivery keeper and `/music export` at the same moment: one export writes the files,
    the other waits for the folder, finds them recorded and writes nothing; one manifest."""
    ids = [await add_track(services, tmp_path, seed=seed) for seed in (1, 2, 3)]
    folder = tmp_path / "catalogue"

    first, second = await asyncio.gather(
        services.catalogue.export(ExportFilter(), folder),
        services.catalogue.export(ExportFilter(), folder),
    )

    assert sorted([*first.written, *second.written]) == ids  # every file written exactly once
    assert {len(first.written), len(second.written)} == {0, 3}
    assert [row.file for row in first.rows] == [row.file for row in second.rows]
    rows = manifest(folder)
    assert [int(row["track_id"]) for row in rows] == ids
    expected = {"catalogue.csv", "catalogue.json", *(row["file"] for row in rows)}
    assert {path.name for path in folder.iterdir()} == expected  # no temporary files left
    for row in rows:
        assert delivery.file_sha256(folder / row["file"])[0] == row["sha256"]


HOLD_THE_FOLDER = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.readline()  # until the test says so
"""


async def test_an_export_waits_while_another_process_exports_into_the_folder(
    services: Services, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Another process holding the folder (as its export does): this export waits, writing
    nothing, and goes ahead once the other lets go."""
    track_id = await add_track(services, tmp_path, seed=1)
    folder = tmp_path / "catalogue"
    folder.mkdir()
    other = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        HOLD_THE_FOLDER,
        str(folder),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert other.stdin is not None
    assert other.stdout is not None
    try:
        assert await other.stdout.readline() == b"held\n"
        caplog.set_level(logging.INFO, logger="bot.engine.catalogue.export")
        export = asyncio.create_task(services.catalogue.export(ExportFilter(), folder))
        async with asyncio.timeout(30):  # a bound, not a speed assertion
            while True:
                if "waiting for it" in caplog.text:
                    break
                await asyncio.sleep(0.01)
        assert not export.done()
        assert list(folder.iterdir()) == []  # nothing written while the other holds the folder
        other.stdin.write(b"go\n")
        await other.stdin.drain()
        result = await export
    finally:
        if other.returncode is None:
            other.kill()
        await other.wait()

    assert result.written == (track_id,)
    assert [int(row["track_id"]) for row in manifest(folder)] == [track_id]
