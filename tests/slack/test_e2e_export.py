"""End to end through the local Slack: `/music export` by an admin writes the catalogue and
uploads catalogue.csv where it was asked, with the summary privately; anyone else is refused and
nothing is written; bad options get a specific private answer."""

import csv

import pytest

from domain.approvals import ApprovalSource, Decision
from storage import approvals
from storage import tracks as tracks_repo
from tests.fakeslack import CHANNEL_ID, OTHER_USER_ID
from tests.slack.conftest import Harness, MakeBot
from tests.slack.test_e2e_authorization import private_answers

pytestmark = pytest.mark.slow

ADMIN = "U0FAKEADMN"


async def approved_track(h: Harness) -> int:
    await h.slash("spa 10 sec x1 wav")

    async def made() -> int | None:
        found = await tracks_repo.list_tracks(h.services.db, limit=1)
        return found[0].id if found else None

    track_id: int = await h.until(made, what="a track")
    await approvals.decide(
        h.services.db, [track_id], Decision.APPROVED, user_id=ADMIN, source=ApprovalSource.COMMAND
    )
    return track_id


async def test_an_admin_exports_and_gets_the_manifest_others_are_refused(
    make_bot: MakeBot,
) -> None:
    h = await make_bot("socket", slack_admin_users=[ADMIN], delivery_format="flac")
    track_id = await approved_track(h)
    folder = h.services.settings.output_dir / "catalogue"

    await h.slash("export", user_id=OTHER_USER_ID)
    [refusal] = await private_answers(h, OTHER_USER_ID, 1)
    assert "Only admins may export the catalogue" in refusal
    assert not folder.exists()

    await h.slash("export preset spa since 7d", user_id=ADMIN)

    async def shared() -> list[object] | None:
        files = [f for f in h.fake.workspace.files_in(CHANNEL_ID) if f.name == "catalogue.csv"]
        return files or None

    [manifest] = await h.until(shared, what="the manifest in the channel")
    assert manifest.data is not None
    [row] = list(csv.DictReader(manifest.data.decode().splitlines()))
    assert row["track_id"] == str(track_id)
    assert (folder / row["file"]).is_file()
    [share] = manifest.shares
    comment = h.fake.workspace.message(CHANNEL_ID, share.ts).text
    assert f"<@{ADMIN}>" in comment
    assert "Catalogue exported: 1 file(s), 1 written now" in comment
    answers = await private_answers(h, ADMIN, 1)
    assert any("Unchanged" in text or "Catalogue exported" in text for text in answers), answers

    await h.slash("export to ../../etc", user_id=ADMIN)
    answers = await private_answers(h, ADMIN, 2)
    assert "'../../etc' cannot be an export folder" in answers[-1]
    await h.slash("export min-score lots", user_id=ADMIN)
    answers = await private_answers(h, ADMIN, 3)
    assert "min-score takes a number" in answers[-1]


async def test_a_manifest_upload_that_breaks_off_is_told_privately_and_the_export_stands(
    make_bot: MakeBot,
) -> None:
    """The upload URL drops the connection (an httpx transport error, no HTTP status): the
    summary and a private note with the manifest's path reach the admin, the files stay, and the
    next export uploads as usual."""
    h = await make_bot("socket", slack_admin_users=[ADMIN], delivery_format="flac")
    track_id = await approved_track(h)
    folder = h.services.settings.output_dir / "catalogue"
    h.fake.drop_upload()

    await h.slash("export", user_id=ADMIN)

    answers = await private_answers(h, ADMIN, 2)
    assert "Catalogue exported: 1 file(s), 1 written now" in answers[0]
    manifest = folder / "catalogue.csv"
    assert answers[1].startswith("catalogue.csv could not be uploaded (")
    assert answers[1].endswith(f"; it is at {manifest}")
    assert [upload.status for upload in h.fake.uploads].count(0) == 1  # the one dropped
    assert not any(f.name == "catalogue.csv" for f in h.fake.workspace.files_in(CHANNEL_ID))
    [row] = list(csv.DictReader(manifest.read_text().splitlines()))
    assert row["track_id"] == str(track_id)
    assert (folder / row["file"]).is_file()

    await h.slash("export", user_id=ADMIN)

    async def shared() -> list[object] | None:
        files = [f for f in h.fake.workspace.files_in(CHANNEL_ID) if f.name == "catalogue.csv"]
        return files or None

    [again] = await h.until(shared, what="the manifest of the second export in the channel")
    assert again.data == manifest.read_bytes()
