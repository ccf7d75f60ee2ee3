"""A batch report is written a few rows at a time and appears whole or not at all."""

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.engine.batches.report import COLUMNS, ReportWriter, write_report


def _row(track_id: int) -> dict[str, object]:
    return dict.fromkeys(COLUMNS, "") | {"track_id": track_id, "caption": f"take {track_id}"}


def test_rows_added_in_pages_make_one_report(tmp_path: Path) -> None:
    report = ReportWriter(tmp_path, {"tracks_made": 5})
    report.add([_row(1), _row(2)])
    report.add([])
    report.add([_row(3), _row(4), _row(5)])
    json_path, csv_path = report.finish()
    document = json.loads(json_path.read_text())
    assert document["batch"] == {"tracks_made": 5}
    assert [row["track_id"] for row in document["tracks"]] == [1, 2, 3, 4, 5]
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text())))
    assert [row["caption"] for row in rows] == [f"take {i}" for i in range(1, 6)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv", "report.json"]


def test_an_empty_batch_has_a_report_with_no_tracks(tmp_path: Path) -> None:
    json_path, csv_path = ReportWriter(tmp_path, {"tracks_made": 0}).finish()
    assert json.loads(json_path.read_text()) == {"batch": {"tracks_made": 0}, "tracks": []}
    assert csv_path.read_text().strip() == ",".join(COLUMNS)


def test_a_failure_midway_keeps_the_earlier_report_and_leaves_no_temporary_files(
    tmp_path: Path,
) -> None:
    write_report(tmp_path, {"tracks_made": 1}, [_row(1)])
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def rows() -> Iterator[dict[str, object]]:
        yield _row(7)
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_report(tmp_path, {"tracks_made": 2}, rows())
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
