"""Measured tempo and key win in delivery tags and the catalogue manifest, asked values beside."""

import json
from pathlib import Path

import mutagen.flac

from bot.services import Services
from domain.analysis import Adherence, TrackAnalysis, adherence
from domain.catalogue import ExportFilter, TempoKey, tempo_and_key
from storage import tracks
from tests.catalogue.test_export import add_track, manifest, services  # noqa: F401

HALF_TIME = TrackAnalysis(  # a beat tracker locked on half of 96 BPM; key measured sure
    analyser="test", tempo_bpm=48.3, tempo_confidence=0.8, key="C major", key_confidence=0.7
)
UNSURE = TrackAnalysis(analyser="test", tempo_bpm=70.0, tempo_confidence=0.1, key_confidence=0.0)


def judged(analysis: TrackAnalysis) -> Adherence:
    return adherence(
        analysis, asked_bpm=96, asked_key="A minor", asked_duration_s=None, duration_s=None
    )


def test_measured_values_win_folded_to_the_asked_tempo() -> None:
    music = tempo_and_key(96, "A minor", HALF_TIME, judged(HALF_TIME))
    assert music == TempoKey(
        bpm=97, key="C major", bpm_source="measured", key_source="measured", asked_bpm=96,
        asked_key="A minor",
    )  # fmt: skip


def test_a_tempo_miss_is_tagged_as_measured_not_folded() -> None:
    fast = TrackAnalysis(analyser="test", tempo_bpm=131.0, tempo_confidence=0.9)
    music = tempo_and_key(96, "A minor", fast, judged(fast))
    assert (music.bpm, music.bpm_source, music.asked_bpm) == (131, "measured", 96)
    assert (music.key, music.key_source) == ("A minor", "asked")


def test_unsure_or_missing_analysis_keeps_the_asked_values() -> None:
    for analysis in (None, UNSURE):
        result = judged(analysis) if analysis else None
        music = tempo_and_key("96", "A minor", analysis, result)
        assert (music.bpm, music.bpm_source, music.key, music.key_source) == (
            96,
            "asked",
            "A minor",
            "asked",
        )
    assert tempo_and_key(None, "", None, None) == TempoKey(None, None, None, None, None, None)
    assert tempo_and_key("N/A", None, None, None).bpm is None


async def test_export_tags_the_measured_tempo_and_key_and_lists_both(
    services: Services,  # noqa: F811
    tmp_path: Path,
) -> None:
    analysed = await add_track(services, tmp_path, seed=1)
    await tracks.save_analysis(services.db, analysed, HALF_TIME, judged(HALF_TIME))
    older = await add_track(services, tmp_path, seed=2, caption="late night lounge jazz")
    folder = tmp_path / "catalogue"
    await services.catalogue.export(ExportFilter(), folder)
    rows = {int(row["track_id"]): row for row in manifest(folder)}
    assert {k: rows[analysed][k] for k in ("bpm", "key", "bpm_source", "key_source")} == {
        "bpm": "97",
        "key": "C major",
        "bpm_source": "measured",
        "key_source": "measured",
    }
    assert (rows[analysed]["asked_bpm"], rows[analysed]["asked_key"]) == ("96", "A minor")
    assert (rows[older]["bpm"], rows[older]["bpm_source"], rows[older]["asked_bpm"]) == (
        "96",
        "asked",
        "96",
    )
    flac = mutagen.flac.FLAC(folder / rows[analysed]["file"])
    assert (flac["BPM"], flac["INITIALKEY"]) == (["97"], ["C major"])
    document = json.loads((folder / "catalogue.json").read_text())
    first = next(f for f in document["files"] if f["track_id"] == analysed)
    assert (first["bpm"], first["asked_bpm"], first["bpm_source"]) == (97, 96, "measured")
