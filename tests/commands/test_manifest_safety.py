"""Hostile or broken manifests: every one is a usage error that names the row or the problem
(never an internal error), and the tracks a manifest asks for are totalled before any planning."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commands.errors import UsageError
from commands.manifests import check_total, read_manifest
from commands.plans import plan_preset
from presets import PresetLibrary
from presets.schema import BATCH_MAX_COUNT

from .helpers import DEFAULTS

DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"rows": [' + b'{"caption": ' * 5_000 + b"1" + b"}" * 5_000 + b"]}"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (DEEP_ARRAY, "deep.json", "nested too deeply"),
        (DEEP_OBJECT, "deep.json", "nested too deeply"),
        (b'[{"preset": "spa", "count": ' + b"9" * 5000 + b"}]", "m.json", "number too long"),
        (b"preset,caption\nspa," + b"a" * 200_000 + b"\n", "huge.csv", "line 2"),
        (b"preset,caption\nspa," + b"a" * 200_000 + b"\n", "huge.csv", "longer than"),
        (b"preset,count\nspa\x00\x00\x01,1\n", "nul.csv", "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.csv", "binary"),
        ("preset,count\nspa,1\n".encode("utf-16"), "u16.csv", "UTF-16"),
        ("preset,count\nspa,1\n".encode("utf-16-be"), "u16.csv", "UTF-16"),
        ("preset,caption\nspa,café au lait\n".encode("latin-1"), "latin.csv", "line 2"),
        ("preset,caption\nspa,café au lait\n".encode("latin-1"), "latin.csv", "CSV UTF-8"),
        (b"", "empty.csv", "is empty"),
        (b"   \n\n", "blank.csv", "is empty"),
        (b"preset,count\n", "header.csv", "has a header but no rows"),
        (b"[]", "none.json", "has a header but no rows"),
    ],
)
def test_malformed_manifests_are_usage_errors(data: bytes, name: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        read_manifest(data, name)
    assert message in caught.value.message
    assert caught.value.example.startswith("preset,")


def test_a_row_asking_more_than_the_preset_limit_is_a_row_problem() -> None:
    rows, problems = read_manifest(b"preset,count\nspa,20001\nspa,2\n", "m.csv")
    assert [row.row for row in rows] == [3]
    assert [(p.row, p.message) for p in problems] == [
        (2, "count: must be 1 to 20000 tracks (got 20001)")
    ]


def test_the_total_is_bounded_and_the_biggest_rows_are_named() -> None:
    data = "preset,count\n" + "spa,10000\n" * 4
    rows, _problems = read_manifest(data.encode(), "week.csv")
    with pytest.raises(UsageError) as caught:
        check_total(rows, "week.csv", max_tracks=20_000)
    assert "40000 tracks" in caught.value.message
    assert "at most 20000" in caught.value.message
    assert "BATCH_MAX_TRACKS" in caught.value.message
    assert "row 2 (10000), row 3 (10000), row 4 (10000), row 5 (10000)." in caught.value.message
    check_total(rows[:2], "week.csv", max_tracks=20_000)  # exactly the limit is fine


def test_the_rows_named_are_the_largest_first() -> None:
    data = "preset,count\nspa,1\nspa,9000\nspa,2\nspa,9500\nspa,3000\n"
    rows, _problems = read_manifest(data.encode(), "mixed.csv")
    with pytest.raises(UsageError) as caught:
        check_total(rows, "mixed.csv", max_tracks=20_000)
    assert "row 5 (9500), row 3 (9000), row 6 (3000), row 4 (2), row 2 (1)" in caught.value.message


def test_json_manifests_are_totalled_the_same_way() -> None:
    document = json.dumps({"rows": [{"preset": "spa", "count": 600}] * 2}).encode()
    rows, _problems = read_manifest(document, "m.json")
    with pytest.raises(UsageError, match="1200 tracks"):
        check_total(rows, "m.json", max_tracks=1000)


def test_a_preset_batch_above_the_total_bound_is_refused(library: PresetLibrary) -> None:
    with pytest.raises(UsageError, match="1 to 500 tracks"):
        plan_preset("spa", 501, presets=library, defaults=DEFAULTS, seed=1, max_tracks=500)
    made = plan_preset("spa", 500, presets=library, defaults=DEFAULTS, seed=1, max_tracks=500)
    assert made.tracks == 500


MANIFEST_PIECES = st.sampled_from(
    ['"', ",", "\n", "\r", "\t", "spa", "count", "10001", "\x00", ";", "é", "\ufeff", "{", "[", "5"]
)


@settings(max_examples=300, deadline=None)
@given(
    data=st.one_of(st.binary(max_size=300), st.lists(MANIFEST_PIECES).map("".join).map(str.encode)),
    name=st.sampled_from(["m.csv", "m.json", "m.tsv", "m.txt"]),
)
def test_any_bytes_are_rows_problems_or_a_usage_error(data: bytes, name: str) -> None:
    try:
        rows, problems = read_manifest(b"preset,caption,count\n" + data, name)
    except UsageError:
        return  # a clear refusal is fine; any other exception fails the test
    assert all(1 <= row.count <= BATCH_MAX_COUNT for row in rows)
    assert all(problem.row >= 1 for problem in problems)
