"""Asked against measured where people see tracks: the Slack post, `/music tracks`, the console
and `acemusic tracks --json`; nothing at all for a track that was never analysed."""

import json
from datetime import UTC, datetime
from typing import Any

from bot.adapters.console.text import describe_file, track_json
from bot.adapters.slack.render import track_comment
from bot.services import Services
from commands.context import Caller
from commands.router import handle
from domain.analysis import TrackAnalysis, adherence
from domain.records import JobRecord, JobStatus, TrackRecord
from storage import jobs, tracks
from tests.storage.test_tracks_and_leases import track_fields

CALLER = Caller("cli")  # the operator at the terminal sees every track
OBEYED = TrackAnalysis(
    analyser="test 1.0", tempo_bpm=61.0, tempo_confidence=0.9, key="A minor", key_confidence=0.7
)
MISSED = TrackAnalysis(
    analyser="test 1.0", tempo_bpm=90.0, tempo_confidence=0.9, key="C major", key_confidence=0.7
)
ASKED: dict[str, Any] = {"asked_bpm": 60.0, "asked_key": "C major", "asked_duration_s": 180.0}


async def stored(services: Services, analysis: TrackAnalysis | None) -> TrackRecord:
    job = await jobs.create_job(services.db, request={"preset_id": "spa"}, origin="cli")
    judged = None if analysis is None else adherence(analysis, **ASKED, duration_s=180.0)
    return await tracks.add_track(
        services.db,
        job_id=job.id,
        variant=1,
        **track_fields(duration_s=180.0, metas={"bpm": 60, "keyscale": "C major"}),
        analysis=analysis,
        adherence=judged,
    )


async def test_tracks_listing_shows_asked_and_measured_and_marks_a_miss(
    services: Services,
) -> None:
    await stored(services, None)
    await stored(services, OBEYED)
    await stored(services, MISSED)
    reply = await handle("tracks", services, CALLER)
    missed, obeyed, older = reply.lines  # newest first
    assert "· asked 60 BPM, measured 61 · asked C major, measured A minor" in obeyed
    assert "❌" not in obeyed
    assert "❌ asked 60 BPM, measured 90 (tempo missed) · asked C major, measured C major" in missed
    assert "asked" not in older
    assert "None" not in older


async def test_console_line_and_json_carry_the_adherence(services: Services) -> None:
    missed = await stored(services, MISSED)
    older = await stored(services, None)
    assert describe_file(missed).endswith(
        "❌ asked 60 BPM, measured 90 (tempo missed) · asked C major, measured C major"
    )
    assert "asked" not in describe_file(older)
    as_json = json.loads(json.dumps(track_json(missed), default=str))
    assert as_json["analysis"]["tempo_bpm"] == 90.0
    assert as_json["analysis"]["key"] == "C major"
    assert as_json["adherence"]["asked_bpm"] == 60.0
    assert as_json["adherence"]["tempo_ok"] is False
    assert as_json["adherence"]["obeys"] is False
    assert as_json["adherence"]["missed"] == ["tempo"]
    plain = json.loads(json.dumps(track_json(older), default=str))
    assert (plain["analysis"], plain["adherence"]) == (None, None)


async def test_slack_post_says_asked_and_measured_instead_of_the_servers_metas(
    services: Services,
) -> None:
    job = JobRecord(
        id=1,
        status=JobStatus.DONE,
        priority=0,
        request={"caption": "spa", "duration_s": 180, "variants": 2},
        origin="slack",
        created_at=datetime(2026, 12, 5, tzinfo=UTC),
        updated_at=datetime(2026, 12, 5, tzinfo=UTC),
    )
    obeyed = track_comment(await stored(services, OBEYED), job)
    assert "🎚 asked 60 BPM, measured 61 · asked C major, measured A minor" in obeyed
    assert "60 bpm" not in obeyed
    missed = track_comment(await stored(services, MISSED), job)
    assert "🎚 ❌ asked 60 BPM, measured 90 (tempo missed)" in missed
    older = track_comment(await stored(services, None), job)
    assert "3:00 · 60 bpm · C major · mp3" in older
    assert "🎚" not in older
    assert "None" not in older


async def test_stats_say_how_often_tempo_and_key_came_out_as_asked(services: Services) -> None:
    await stored(services, OBEYED)
    await stored(services, MISSED)
    await stored(services, None)
    reply = await handle("stats all", services, CALLER)
    [spa] = [line for line in reply.lines if line.strip().startswith("spa:")]
    assert spa.endswith("; tempo 1/2 on request (50%), key 2/2 (100%)")
    assert "None" not in reply.plain()
