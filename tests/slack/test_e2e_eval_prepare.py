"""The listening test's first steps in Slack: references attached to `@bot eval import`, then
`/music eval prepare`, whose batch digest shows progress only — no track is posted, no caption,
failure reason, track id or report path is shown — and whose pairs are sealed READY."""

from pathlib import Path

import pytest

from domain.evaluations import EvalStatus, PairState
from storage import evaluations as evaluations_repo
from storage import slack_digests as digests_repo
from storage import tracks as tracks_repo
from tests.fakeslack import CHANNEL_ID, USER_ID, payloads
from tests.fakeslack.render import file_json
from tests.listening.audio import tone
from tests.slack.conftest import Harness, MakeBot

pytestmark = pytest.mark.slow


def attach(h: Harness, event: dict[str, object], files: dict[str, bytes]) -> None:
    shared = []
    for name, data in files.items():
        file, _message = h.fake.workspace.add_file(CHANNEL_ID, name, data)
        shared.append(file_json(h.fake.workspace, file, h.fake.base_url))
    event["files"] = shared


async def private_answers(h: Harness, count: int) -> list[str]:
    async def answered() -> list[str]:
        calls = [str(c.args) for c in h.fake.calls_to("chat.postEphemeral")]
        return calls if len(calls) >= count else []

    return list(await h.until(answered, what=f"{count} private answer(s)"))


async def test_attached_references_are_imported(make_bot: MakeBot, tmp_path: Path) -> None:
    h = await make_bot()
    good = tone(tmp_path / "calm.wav", 1.5).read_bytes()
    other = tone(tmp_path / "jazz.wav", 2.0, hz=330).read_bytes()
    event = payloads.app_mention("eval import Q1 zone=spa")
    attach(h, event, {"calm.wav": good, "broken.mp3": b"not audio" * 50})
    await h.event(event)
    (first_answer,) = await private_answers(h, 1)  # mentions are handled concurrently
    manifest = b"file,zone,bpm\njazz.wav,hotel lobby,92\n"
    second = payloads.app_mention("eval import q1 zone=spa")  # for files the manifest leaves out
    attach(h, second, {"refs.csv": manifest, "jazz.wav": other, "calm.wav": good})
    await h.event(second)
    second_answer = (await private_answers(h, 2))[1]
    assert "Session q1: 1 reference(s) imported, 1 refused" in first_answer
    assert "broken.mp3: undecodable audio" in first_answer
    assert "1 reference(s) imported, 1 already imported" in second_answer
    session = await evaluations_repo.get_session(h.services.db, "q1")
    assert session is not None
    assert session.owner == USER_ID  # the person who mentioned the bot
    refs = await evaluations_repo.list_references(h.services.db, session.id)
    assert sorted((ref.original_name, ref.zone, ref.bpm) for ref in refs) == [
        ("calm.wav", "spa", None),
        ("jazz.wav", "hotel-lobby", 92),
    ]
    assert not h.fake.problems


async def test_bare_audio_needs_a_zone(make_bot: MakeBot, tmp_path: Path) -> None:
    h = await make_bot()
    event = payloads.app_mention("eval import q2")
    attach(h, event, {"calm.wav": tone(tmp_path / "c.wav", 1.0).read_bytes()})
    await h.event(event)
    (answer,) = await private_answers(h, 1)
    assert "zone=spa" in answer
    assert await evaluations_repo.get_session(h.services.db, "q2") is None


async def test_prepare_digest_shows_counts_only_and_posts_no_track(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    h = await make_bot(slack_channel_post_gap_seconds=0)
    event = payloads.app_mention("eval import q3 zone=spa")
    attach(
        h,
        event,
        {
            "a.wav": tone(tmp_path / "a.wav", 1.0).read_bytes(),
            "b.wav": tone(tmp_path / "b.wav", 1.2, hz=300).read_bytes(),
        },
    )
    await h.event(event)
    await private_answers(h, 1)
    await h.slash("eval prepare q3 best-of=2")

    async def ready() -> bool:
        session = await evaluations_repo.get_session(h.services.db, "q3")
        return session is not None and session.status is EvalStatus.READY

    await h.until(ready, what="the session to be sealed")
    session = await evaluations_repo.get_session(h.services.db, "q3")
    assert session is not None
    assert session.batch_id is not None
    pairs = await evaluations_repo.list_pairs(h.services.db, session.id)
    assert [pair.state for pair in pairs] == [PairState.READY, PairState.READY]

    async def final() -> str | None:
        digest = await digests_repo.get_digest(h.services.db, session.batch_id or 0)
        return digest.ts if digest and digest.final else None

    ts = str(await h.until(final, what="the digest's summary"))
    for _ in range(3):
        await h.one_pass()  # track posts would be queued and sent here
    assert h.fake.workspace.files_in(CHANNEL_ID, ts) == []
    assert h.fake.calls_to("files.completeUploadExternal") == []
    message = h.fake.workspace.message(CHANNEL_ID, ts)
    shown = " ".join(str(version) for version in message.versions)
    assert "4 of 4 tracks" in shown
    assert "blind listening test" in shown
    tracks = await tracks_repo.list_tracks(h.services.db, limit=None)
    for track in tracks:
        assert track.caption not in shown
        assert Path(track.file_path).name not in shown
        assert f"track {track.id} " not in shown
    for secret in ("report.csv", "posted in the thread", "Top-rated", "spa"):
        assert secret not in shown
