"""References analysed on import: a tempo or key the manifest leaves out is measured (through the
injectable analyser; the real one is `bot.engine.audio.analysis.analyse_file`), a given one is
never replaced, an unsure or failed measurement leaves it unknown, and `eval prepare` makes the
candidates at the measured tempo and key."""

from pathlib import Path

from audiofile.codec import write_audio
from bot.services import Services
from commands.evaluation.imports import import_from_path, import_reply, measured_fields
from commands.router import handle
from domain.analysis import TrackAnalysis
from storage import evaluations as evaluations_repo
from storage import jobs as jobs_repo
from tests.analysis import signals
from tests.listening.audio import tone
from tests.listening.test_prepare_seal import CALLER

SURE = TrackAnalysis(
    analyser="fake", tempo_bpm=91.6, tempo_confidence=0.8, key="D minor", key_confidence=0.6
)


def manifest(root: Path) -> Path:
    """a.wav: tempo and key given; b.wav: neither; c.wav: only the tempo."""
    tone(root / "a.wav", 11.0)
    tone(root / "b.wav", 11.0, hz=330)
    tone(root / "c.wav", 11.0, hz=440)
    path = root / "refs.csv"
    path.write_text("file,zone,bpm,key\na.wav,spa,80,Am\nb.wav,spa,,\nc.wav,lobby,70,\n")
    return path


async def test_missing_tempo_and_key_are_measured_and_given_ones_kept(
    services: Services, tmp_path: Path
) -> None:
    analysed: list[Path] = []

    def fake_analyser(path: Path) -> TrackAnalysis:
        analysed.append(path)
        return SURE

    services.reference_analyser = fake_analyser
    outcome = await import_from_path(services, CALLER, "q1", manifest(tmp_path / "refs"))
    assert len(outcome.added) == 3, outcome.problems
    found = {Path(r.original_name).name: (r.bpm, r.key) for r in outcome.added}
    assert found == {"a.wav": (80, "A minor"), "b.wav": (92, "D minor"), "c.wav": (70, "D minor")}
    assert len(analysed) == 2  # a.wav had both: not measured
    assert import_reply(outcome).lines[1:] == (
        "Row 3 (b.wav): tempo 92 BPM and key D minor measured (none given)",
        "Row 4 (c.wav): key D minor measured (none given)",
    )

    assert outcome.session is not None
    prepared = await handle("/music eval prepare q1 best-of=2", services, CALLER)
    assert prepared.ok, prepared.plain()
    pairs = await evaluations_repo.list_pairs(services.db, outcome.session.id)
    requests = {}
    for pair in pairs:
        assert pair.job_id is not None
        job = await jobs_repo.get_job(services.db, pair.job_id)
        assert job is not None
        requests[(job.request.get("bpm"), job.request.get("key_scale"))] = pair.reference_id
    assert (92, "D minor") in requests


async def test_without_an_analyser_or_when_it_fails_references_import_as_before(
    services: Services, tmp_path: Path
) -> None:
    services.reference_analyser = None
    outcome = await import_from_path(services, CALLER, "q1", manifest(tmp_path / "refs"))
    assert {Path(r.original_name).name: r.bpm for r in outcome.added}["b.wav"] is None
    assert outcome.measured == ()

    def broken(path: Path) -> TrackAnalysis:
        raise RuntimeError("no audio backend")

    services.reference_analyser = broken
    again = await import_from_path(services, CALLER, "q2", manifest(tmp_path / "refs2"))
    assert len(again.added) == 3
    assert {Path(r.original_name).name: r.key for r in again.added}["b.wav"] is None


def test_only_sure_measurements_in_range_fill_the_gaps() -> None:
    unsure = TrackAnalysis(
        analyser="fake", tempo_bpm=90.0, tempo_confidence=0.1, key="C major", key_confidence=0.05
    )
    assert measured_fields(unsure, {"bpm": None, "key": None}) == {}
    assert measured_fields(None, {"bpm": None, "key": None}) == {}
    too_fast = TrackAnalysis(analyser="fake", tempo_bpm=320.0, tempo_confidence=0.9)
    assert measured_fields(too_fast, {"bpm": None, "key": None}) == {}
    assert measured_fields(SURE, {"bpm": 80, "key": None}) == {"key": "D minor"}


async def test_the_services_measure_references_with_the_real_analysis(
    services: Services, tmp_path: Path
) -> None:
    """No fake: `Services` wires `analyse_file` (run through the audio workers) by default."""
    folder = tmp_path / "refs"
    folder.mkdir()
    music = signals.groove(96, "E minor", 20)
    write_audio(music, signals.SAMPLE_RATE, folder / "lounge.wav", "wav")
    (folder / "refs.csv").write_text("file,zone\nlounge.wav,spa\n")
    outcome = await import_from_path(services, CALLER, "q1", folder / "refs.csv")
    [reference] = outcome.added
    assert reference.key in ("E minor", "G major")  # the asked key or its relative major
    assert reference.bpm is not None
    assert abs(reference.bpm - 96) <= 96 * 0.04
