"""Jobs end to end in-process: submit -> poll -> download, and what results report."""

import io
import urllib.parse
from pathlib import Path

import pytest
import soundfile as sf

from domain.music import parse_key
from standin import PLACEHOLDER_LM_MODEL, PLACEHOLDER_MODEL_PREFIX, PLACEHOLDER_NOTICE
from standin.lm import ENHANCEMENT_MARK

from .conftest import MakeStandIn
from .helpers import SHORT_JOB, StandIn, items

CONTENT_TYPES = {"mp3": "audio/mpeg", "wav": "audio/wav", "flac": "audio/flac"}


def server_path(item: dict[str, object]) -> Path:
    """The absolute server path inside an item's `/v1/audio?path=...` URL."""
    query = urllib.parse.urlsplit(str(item["file"])).query
    return Path(urllib.parse.parse_qs(query)["path"][0])


async def download(standin: StandIn, item: dict[str, object]) -> bytes:
    response = await standin.client.get(str(item["file"]), headers=standin.headers)
    assert response.status_code == 200, response.text
    return response.content


@pytest.mark.parametrize("fmt", ["mp3", "wav", "flac"])
async def test_submit_poll_download_gives_two_different_tracks(standin: StandIn, fmt: str) -> None:
    body = {
        "prompt": "hotel lobby jazz",
        "audio_duration": 2,
        "audio_format": fmt,
        "bpm": 100,
        "key_scale": "D minor",
        "time_signature": "3",
    }
    found = await standin.run(**body)

    assert len(found) == 2  # batch_size defaults to 2
    assert found[0]["file"] != found[1]["file"]
    contents = [await download(standin, item) for item in found]
    assert contents[0] != contents[1]
    for item, content in zip(found, contents, strict=True):
        assert server_path(item).suffix == f".{fmt}"
        assert str(item["file"]).startswith("/v1/audio?path=%2F")  # percent-encoded, no safe chars
        info = sf.info(io.BytesIO(content))
        assert info.channels == 2
        assert info.duration == pytest.approx(2.0, abs=0.1)
        assert item["metas"] == {
            "bpm": 100,
            "duration": 2.0,
            "genres": "N/A",
            "keyscale": "D minor",
            "timesignature": "3",
            "prompt": "hotel lobby jazz",
            "lyrics": "",
        }
        assert item["status"] == 1
        assert item["progress"] == 1.0
        assert item["stage"] == "succeeded"
        assert item["prompt"] == "hotel lobby jazz"
        assert isinstance(item["create_time"], int)
        assert item["env"] == "development"
        assert item["wave"] == ""
        assert str(item["dit_model"]).startswith(PLACEHOLDER_MODEL_PREFIX)
        assert item["lm_model"] == PLACEHOLDER_LM_MODEL
        assert str(item["generation_info"]).startswith(PLACEHOLDER_NOTICE)
        assert len(str(item["seed_value"]).split(",")) == 2
    response = await standin.client.get(str(found[0]["file"]))
    assert response.headers["content-type"] == CONTENT_TYPES[fmt]


async def test_open_fields_are_chosen_and_reported(standin: StandIn) -> None:
    (item,) = await standin.run(prompt="spa", batch_size=1, audio_format="wav")

    metas = item["metas"]
    assert isinstance(metas["bpm"], int)
    assert 30 <= metas["bpm"] <= 300
    assert parse_key(metas["keyscale"]) == metas["keyscale"]
    assert metas["timesignature"] in ("2", "3", "4", "6")
    assert isinstance(metas["duration"], int)
    assert 10 <= metas["duration"] <= 120
    info = sf.info(io.BytesIO(await download(standin, item)))
    assert info.duration == pytest.approx(metas["duration"], abs=0.05)


async def test_without_lm_open_fields_read_not_available(make_standin: MakeStandIn) -> None:
    standin = await make_standin(lm_available=False)
    (item,) = await standin.run(prompt="spa", batch_size=1, audio_format="wav")

    metas = item["metas"]
    assert [metas[k] for k in ("bpm", "duration", "keyscale", "timesignature")] == ["N/A"] * 4
    info = sf.info(io.BytesIO(await download(standin, item)))
    assert 10.0 <= info.duration <= 120.0  # upstream's random length when nothing chooses one


async def test_seeds_are_ignored_and_always_random(standin: StandIn) -> None:
    body = {**SHORT_JOB, "seed": 42, "use_random_seed": False}
    first = (await standin.run(**body))[0]["seed_value"]
    second = (await standin.run(**body))[0]["seed_value"]

    assert first != "42"
    assert first != second


async def test_unsupported_audio_format_becomes_flac(standin: StandIn) -> None:
    (item,) = await standin.run(**{**SHORT_JOB, "audio_format": "ogg"})

    assert server_path(item).suffix == ".flac"
    response = await standin.client.get(str(item["file"]))
    assert response.headers["content-type"] == "audio/flac"


async def test_format_is_the_use_format_alias_not_audio_format(standin: StandIn) -> None:
    body = {"prompt": "hotel lobby jazz", "audio_duration": 1, "batch_size": 1}
    (plain,) = await standin.run(**body, format="wav")
    (enhanced,) = await standin.run(**body, format="true")

    assert server_path(plain).suffix == ".mp3"  # "wav" parsed as use_format=false
    assert plain["prompt"] == "hotel lobby jazz"
    assert ENHANCEMENT_MARK in str(enhanced["prompt"])
    assert enhanced["metas"]["prompt"] == "hotel lobby jazz"  # metas keep the original


async def test_floats_for_integer_fields_are_dropped(make_standin: MakeStandIn) -> None:
    standin = await make_standin(lm_available=False)
    body = {"prompt": "jazz", "audio_duration": 1, "audio_format": "wav"}
    dropped = await standin.run(**body, bpm=124.0, batch_size=1.0)
    kept = await standin.run(**body, bpm="124", batch_size="1")
    half = await standin.run(**body, bpm="120.5", batch_size=1)

    assert len(dropped) == 2
    assert dropped[0]["metas"]["bpm"] == "N/A"
    assert len(kept) == 1
    assert kept[0]["metas"]["bpm"] == 124
    assert half[0]["metas"]["bpm"] == "N/A"


async def test_fields_come_from_aliases_param_obj_and_metas(standin: StandIn) -> None:
    (item,) = await standin.run(
        caption="lounge",
        duration="1",
        param_obj='{"bpm": 90, "batch_size": 1}',
        metas={"keyscale": "F# minor", "timeSignature": "6"},
    )

    metas = item["metas"]
    assert (item["prompt"], metas["duration"], metas["bpm"]) == ("lounge", 1.0, 90)
    assert (metas["keyscale"], metas["timesignature"]) == ("F# minor", "6")


async def test_unknown_model_silently_uses_the_primary(standin: StandIn) -> None:
    (second,) = await standin.run(**SHORT_JOB, model="acemusic-placeholder-base")
    (unknown,) = await standin.run(**SHORT_JOB, model="acestep/acemusic-placeholder-base")

    assert second["dit_model"] == "acemusic-placeholder-base"
    assert unknown["dit_model"] == "acemusic-placeholder-turbo"


async def test_failed_jobs_carry_no_reason(make_standin: MakeStandIn) -> None:
    standin = await make_standin(failure_rate=1.0)
    entry = await standin.finish(await standin.submit(**SHORT_JOB))

    assert entry["status"] == 2
    assert items(entry) == [
        {
            "file": "",
            "wave": "",
            "status": 2,
            "create_time": items(entry)[0]["create_time"],
            "env": "development",
            "progress": 0.0,
            "stage": "failed",
        }
    ]
    standin.server.set_failure_rate(0.0)
    assert len(await standin.run(**SHORT_JOB)) == 1


async def test_lm_only_options_fail_without_the_lm(make_standin: MakeStandIn) -> None:
    standin = await make_standin(lm_available=False)
    for option in ({"thinking": True}, {"use_format": True}, {"sample_query": "jazz"}):
        entry = await standin.finish(await standin.submit(**SHORT_JOB, **option))
        assert entry["status"] == 2, option
    assert len(await standin.run(**SHORT_JOB)) == 1


async def test_sample_query_invents_caption_lyrics_and_metas(standin: StandIn) -> None:
    (item,) = await standin.run(
        sample_query="french cafe pop", prompt="ignored", batch_size=1, audio_format="wav"
    )

    assert "french cafe pop" in str(item["prompt"])
    assert item["lyrics"]
    assert "N/A" not in [item["metas"][k] for k in ("bpm", "duration", "keyscale")]
    assert item["metas"]["prompt"] == "ignored"


async def test_gpu_tier_clamps_length_and_count_but_metas_echo_request(
    make_standin: MakeStandIn,
) -> None:
    standin = await make_standin(max_duration_s=1.0, max_batch=1)
    found = await standin.run(prompt="jazz", audio_duration=3, batch_size=3, audio_format="wav")

    assert len(found) == 1
    assert found[0]["metas"]["duration"] == 3.0
    assert sf.info(io.BytesIO(await download(standin, found[0]))).duration == pytest.approx(1.0)


async def test_analysis_only_succeeds_without_audio(standin: StandIn) -> None:
    (item,) = await standin.run(**SHORT_JOB, analysis_only=True)

    assert item["file"] == ""
    assert item["status"] == 1


async def test_tracks_land_inside_the_configured_audio_dir(standin: StandIn) -> None:
    (item,) = await standin.run(**SHORT_JOB)

    audio_dir = standin.server.config.audio_dir.resolve() / "api_audio"
    assert server_path(item).parent == audio_dir
    assert server_path(item).is_file()


async def test_task_types_follow_upstream(standin: StandIn) -> None:
    (cover,) = await standin.run(**SHORT_JOB, task_type="cover")
    (sourced,) = await standin.run(**SHORT_JOB, task_type="cover", src_audio_path="/srv/a.wav")
    repaint = await standin.finish(await standin.submit(**SHORT_JOB, task_type="repaint"))

    assert cover["metas"]["bpm"] != "N/A"  # a cover without source is text2music, LM and all
    assert sourced["metas"]["bpm"] == "N/A"  # a real cover skips the LM
    assert repaint["status"] == 2  # needs source audio


async def test_analysis_only_reports_no_seeds(standin: StandIn) -> None:
    (item,) = await standin.run(**SHORT_JOB, analysis_only=True)

    assert item["seed_value"] == ""
    assert str(item["generation_info"]).startswith(PLACEHOLDER_NOTICE)


async def test_job_seconds_control_is_validated(standin: StandIn) -> None:
    with pytest.raises(ValueError, match="finite"):
        standin.server.set_job_seconds(float("inf"))
    with pytest.raises(ValueError, match="between 0 and 1"):
        standin.server.set_failure_rate(2.0)
