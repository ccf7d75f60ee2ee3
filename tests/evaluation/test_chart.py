"""The decision chart is a real PNG."""

from pathlib import Path

from evaluation import MissingCandidate, build_report
from evaluation.chart import chart_png

from .factory import planted_votes

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_chart_is_a_png_of_some_substance(tmp_path: Path) -> None:
    report = build_report(planted_votes(), missing=[MissingCandidate("bar-1", "bar")])
    path = tmp_path / "decision.png"
    path.write_bytes(chart_png(report))
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 10_000


def test_chart_of_an_empty_report_still_renders() -> None:
    assert chart_png(build_report([])).startswith(PNG_MAGIC)


def test_a_note_changes_the_picture() -> None:
    report = build_report(planted_votes())
    assert chart_png(report, note="PLACEHOLDER AUDIO") != chart_png(report)
