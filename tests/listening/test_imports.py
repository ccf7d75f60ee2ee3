"""`eval import`: references from a folder, a manifest or attachments, every bad row reported by
itself, the same content once per session, files copied under their content hash."""

import json
import os
from pathlib import Path

import pytest

from bot.services import Services
from commands.context import Caller
from commands.errors import UsageError
from commands.evaluation.imports import (
    Attachment,
    ImportOutcome,
    import_attachments,
    import_from_path,
    import_reply,
)
from domain.evaluations import EvalStatus
from domain.references import REFERENCE_MAX_BYTES
from storage import evaluations as evaluations_repo
from tests.listening.audio import tone

CALLER = Caller("slack", user_id="U1", channel_id="C1")


def problems(outcome: ImportOutcome) -> dict[str, str]:
    return {problem.where: problem.message for problem in outcome.problems}


def refs_dir(services: Services) -> Path:
    return services.settings.output_dir / "eval" / "refs"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """refs/spa (2 good, 1 undecodable, 1 too large, 1 symlink out), refs/lobby (alias),
    refs/disco (no such zone), a loose file at the top."""
    root = tmp_path / "refs"
    tone(root / "spa" / "calm-01.wav", 3.0)
    tone(root / "spa" / "calm-02.flac", 2.5, hz=330, fmt="flac")
    (root / "spa" / "broken.mp3").write_bytes(b"not audio at all" * 100)
    big = root / "spa" / "huge.wav"
    with big.open("wb") as handle:  # sparse: large on paper, nothing read
        handle.truncate(REFERENCE_MAX_BYTES + 1)
    outside = tone(tmp_path / "elsewhere" / "secret.wav", 1.0)
    os.symlink(outside, root / "spa" / "escape.wav")
    tone(root / "lobby" / "lobby-01.wav", 2.0, hz=440)
    tone(root / "disco" / "d.wav", 1.0)
    tone(root / "loose.wav", 1.0)
    return root


async def test_folder_import_keeps_good_files_and_reports_each_bad_one(
    services: Services, folder: Path
) -> None:
    outcome = await import_from_path(services, CALLER, "q1", folder)
    assert sorted(ref.original_name for ref in outcome.added) == [
        "calm-01.wav",
        "calm-02.flac",
        "lobby-01.wav",
    ]
    found = problems(outcome)
    assert set(found) == {
        "spa/broken.mp3",
        "spa/huge.wav",
        "spa/escape.wav",
        "disco/d.wav",
        "loose.wav",
    }
    assert found["spa/broken.mp3"].startswith("undecodable audio: broken.mp3 is not readable")
    assert "a reference is at most 50 MB" in found["spa/huge.wav"]
    assert "outside the given folder" in found["spa/escape.wav"]
    assert found["disco/d.wav"].startswith("unknown zone 'disco'; zones are")
    assert "spa, spa-balinese, tasting-menu" in found["disco/d.wav"]
    assert "zone sub-folder" in found["loose.wav"]
    by_name = {ref.original_name: ref for ref in outcome.added}
    assert by_name["lobby-01.wav"].zone == "hotel-lobby"  # an alias names the zone
    assert by_name["calm-01.wav"].duration_s == pytest.approx(3.0, abs=0.01)
    assert by_name["calm-02.flac"].audio_format == "flac"
    for ref in outcome.added:
        assert Path(ref.file_path) == refs_dir(services) / f"{ref.sha256}.{ref.audio_format}"
        assert (
            Path(ref.file_path).read_bytes()
            == (folder / ref.zone.replace("hotel-", "") / ref.original_name).read_bytes()
        )
    session = outcome.session
    assert session is not None
    assert (session.status, session.owner, session.origin) == (EvalStatus.COLLECTING, "U1", "slack")
    reply = import_reply(outcome)
    assert reply.ok
    assert "3 reference(s) imported, 5 refused" in reply.text
    assert "spa/huge.wav: " in "\n".join(reply.lines)


async def test_importing_twice_adds_nothing(services: Services, folder: Path) -> None:
    first = await import_from_path(services, CALLER, "q1", folder)
    files = sorted(refs_dir(services).iterdir())
    again = await import_from_path(services, CALLER, "q1", folder)
    assert again.added == ()
    assert sorted(again.already) == ["lobby/lobby-01.wav", "spa/calm-01.wav", "spa/calm-02.flac"]
    assert sorted(refs_dir(services).iterdir()) == files
    assert first.session is not None
    assert len(await evaluations_repo.list_references(services.db, first.session.id)) == 3
    assert "already imported" in "\n".join(import_reply(again).lines)


async def test_a_loose_file_takes_the_zone_given(services: Services, tmp_path: Path) -> None:
    tone(tmp_path / "in" / "one.wav", 1.5)
    outcome = await import_from_path(services, CALLER, "q2", tmp_path / "in", zone="Hotel Lobby")
    assert [ref.zone for ref in outcome.added] == ["hotel-lobby"]


async def test_manifest_rows_each_bad_kind_reported(services: Services, tmp_path: Path) -> None:
    base = tmp_path / "set"
    tone(base / "a.wav", 2.0)
    tone(base / "sub" / "b.mp3", 2.0, hz=300, fmt="mp3")
    tone(tmp_path / "outside.wav", 1.0)
    (base / "junk.wav").write_bytes(b"RIFF....WAVEjunk")
    manifest = base / "refs.csv"
    manifest.write_text(
        "file,zone,genre,bpm,key,caption,source\n"
        "a.wav,spa,ambient,72,Dm,soft pads,Mureka\n"
        "sub/b.mp3,lobby,,,,,\n"
        "missing.wav,spa,,,,,\n"
        "../outside.wav,spa,,,,,\n"
        "a.wav,disco,,,,,\n"
        "a.wav,spa,,fast,,,\n"
        "a.wav,spa,,400,,,\n"
        "junk.wav,spa,,,,,\n"
        f"{tmp_path / 'outside.wav'},spa,,,,,\n"
    )
    outcome = await import_from_path(services, CALLER, "q3", manifest)
    assert [(ref.original_name, ref.zone) for ref in outcome.added] == [
        ("a.wav", "spa"),
        ("b.mp3", "hotel-lobby"),
    ]
    first = outcome.added[0]
    assert (first.genre, first.bpm, first.key, first.caption, first.source) == (
        "ambient",
        72,
        "D minor",
        "soft pads",
        "Mureka",
    )
    found = problems(outcome)
    assert found["Row 4 (missing.wav)"] == "file not found"
    assert "outside the given folder" in found["Row 5 (../outside.wav)"]
    assert found["Row 6 (a.wav)"].startswith("unknown zone 'disco'")
    assert found["Row 7 (a.wav)"].startswith("bpm: 'fast' is not a number")
    assert found["Row 8 (a.wav)"] == "bpm: must be a whole number from 30 to 300 (got 400)"
    assert found["Row 9 (junk.wav)"].startswith("undecodable audio: junk.wav")
    assert "outside the given folder" in found[f"Row 10 ({tmp_path / 'outside.wav'})"]
    assert len(found) == 7


async def test_json_manifest(services: Services, tmp_path: Path) -> None:
    tone(tmp_path / "x.wav", 1.0)
    manifest = tmp_path / "refs.json"
    rows = [{"file": "x.wav", "zone": "cafe", "bpm": 100}, {"file": "x.wav"}]
    manifest.write_text(json.dumps({"rows": rows}))
    outcome = await import_from_path(services, CALLER, "q4", manifest)
    assert [(ref.zone, ref.bpm) for ref in outcome.added] == [("cafe", 100)]
    assert problems(outcome) == {"Row 2 (x.wav)": "zone: empty; name the zone type, e.g. spa"}


async def test_a_manifest_with_unknown_columns_is_refused(
    services: Services, tmp_path: Path
) -> None:
    manifest = tmp_path / "refs.csv"
    manifest.write_text("file,zone,tempo\na.wav,spa,90\n")
    with pytest.raises(UsageError, match="unknown column"):
        await import_from_path(services, CALLER, "q5", manifest)
    assert await evaluations_repo.get_session(services.db, "q5") is None


async def test_nothing_good_creates_no_session(services: Services, tmp_path: Path) -> None:
    (tmp_path / "r" / "spa").mkdir(parents=True)
    (tmp_path / "r" / "spa" / "bad.wav").write_bytes(b"nope")
    outcome = await import_from_path(services, CALLER, "q6", tmp_path / "r")
    assert outcome.session is None
    assert not import_reply(outcome).ok
    assert await evaluations_repo.get_session(services.db, "q6") is None


@pytest.mark.parametrize("status", [EvalStatus.LISTENING, EvalStatus.CLOSED])
async def test_no_import_once_listening_started(
    services: Services, tmp_path: Path, status: EvalStatus
) -> None:
    tone(tmp_path / "r" / "spa" / "a.wav", 1.0)
    first = await import_from_path(services, CALLER, "q7", tmp_path / "r")
    assert first.session is not None
    await evaluations_repo.update_session(services.db, first.session.id, status=status)
    tone(tmp_path / "r" / "spa" / "b.wav", 1.0, hz=500)
    with pytest.raises(UsageError, match=f"Session q7 is {status.value}"):
        await import_from_path(services, CALLER, "q7", tmp_path / "r")
    assert len(await evaluations_repo.list_references(services.db, first.session.id)) == 1


async def test_attachments_with_a_zone(services: Services, tmp_path: Path) -> None:
    data = tone(tmp_path / "a.wav", 1.0).read_bytes()
    files = [Attachment("a.wav", data), Attachment("b.wav", b"garbage")]
    outcome = await import_attachments(services, CALLER, "s1", files, zone="spa")
    assert [ref.original_name for ref in outcome.added] == ["a.wav"]
    assert set(problems(outcome)) == {"b.wav"}


async def test_attachments_with_a_manifest(services: Services, tmp_path: Path) -> None:
    a = tone(tmp_path / "a.wav", 1.0).read_bytes()
    b = tone(tmp_path / "b.wav", 1.2, hz=330).read_bytes()
    manifest = Attachment("refs.csv", b"file,zone,bpm\na.wav,spa,70\nb.wav,cafe,\nc.wav,spa,\n")
    files = [Attachment("a.wav", a), Attachment("b.wav", b), Attachment("d.wav", a)]
    outcome = await import_attachments(services, CALLER, "s2", files, manifest=manifest)
    assert [(ref.original_name, ref.zone, ref.bpm) for ref in outcome.added] == [
        ("a.wav", "spa", 70),
        ("b.wav", "cafe", None),
    ]
    assert problems(outcome) == {
        "Row 4 (c.wav)": "no attached file is called c.wav",
        "d.wav": "not named in the manifest; give zone= for files without a row",
    }


async def test_attachments_need_a_zone_or_a_manifest(services: Services) -> None:
    with pytest.raises(UsageError, match=r"zone=spa"):
        await import_attachments(services, CALLER, "s3", [Attachment("a.wav", b"x")])
    with pytest.raises(UsageError, match="Unknown zone 'nowhere'"):
        await import_attachments(
            services, CALLER, "s3", [Attachment("a.wav", b"x")], zone="nowhere"
        )
    big = Attachment("big.wav", b"\0" * (REFERENCE_MAX_BYTES + 1))
    outcome = await import_attachments(services, CALLER, "s3", [big], zone="spa")
    assert "at most 50 MB" in problems(outcome)["big.wav"]
