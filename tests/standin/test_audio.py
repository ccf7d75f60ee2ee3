"""`/v1/audio`: containment, errors, media types and ranges (ACESTEP_API.md §7)."""

import urllib.parse
from pathlib import Path

import pytest

from .helpers import SHORT_JOB, StandIn

OUTSIDE = "Access denied: path outside allowed directory"


def url(path: Path | str) -> str:
    return f"/v1/audio?path={urllib.parse.quote(str(path), safe='')}"


def audio_dir(standin: StandIn) -> Path:
    return standin.server.config.audio_dir.resolve() / "api_audio"


async def test_paths_outside_the_audio_dir_are_refused(standin: StandIn, tmp_path: Path) -> None:
    secret = tmp_path / "secret.wav"
    secret.write_bytes(b"RIFF")
    link = audio_dir(standin) / "link.wav"
    link.symlink_to(secret)

    for path in (secret, audio_dir(standin) / ".." / "secret.wav", link, "/etc/hostname"):
        response = await standin.client.get(url(path))
        assert (response.status_code, response.json()) == (403, {"detail": OUTSIDE}), path


async def test_missing_file_is_404(standin: StandIn) -> None:
    response = await standin.client.get(url(audio_dir(standin) / "gone.mp3"))

    assert (response.status_code, response.json()) == (404, {"detail": "Audio file not found"})


async def test_missing_path_is_422_in_fastapi_shape(standin: StandIn) -> None:
    response = await standin.client.get("/v1/audio")

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["query", "path"], "missing")


async def test_head_is_not_allowed(standin: StandIn) -> None:
    (item,) = await standin.run(**SHORT_JOB)

    assert (await standin.client.head(item["file"])).status_code == 405


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("a.mp3", "audio/mpeg"),
        ("a.wav", "audio/wav"),
        ("a.FLAC", "audio/flac"),
        ("a.ogg", "audio/ogg"),
        ("a.bin", "audio/mpeg"),
    ],
)
async def test_media_type_follows_the_extension(
    standin: StandIn, name: str, media_type: str
) -> None:
    (audio_dir(standin) / name).write_bytes(b"0123456789")
    response = await standin.client.get(url(audio_dir(standin) / name))

    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert "content-disposition" not in response.headers


async def test_range_requests_get_206(standin: StandIn) -> None:
    (audio_dir(standin) / "r.wav").write_bytes(b"0123456789")
    response = await standin.client.get(
        url(audio_dir(standin) / "r.wav"), headers={"Range": "bytes=2-4"}
    )

    assert response.status_code == 206
    assert response.content == b"234"


async def test_a_directory_is_a_plain_500(standin: StandIn) -> None:
    response = await standin.client.get(url(audio_dir(standin)))

    assert (response.status_code, response.text) == (500, "Internal Server Error")
