"""`/music export …` options: what is understood, and a specific answer for what is not."""

from datetime import UTC, datetime, timedelta

import pytest

from commands.errors import UsageError
from commands.export import parse_export
from domain.catalogue import ExportFilter
from presets import PresetLibrary

NOW = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


def test_options_with_or_without_dashes(library: PresetLibrary) -> None:
    selection, folder = parse_export("--preset cafe since 7d to december", library, NOW)
    assert selection == ExportFilter(preset_id="cafe", since=NOW - timedelta(days=7))
    assert folder == "december"
    by_score, _ = parse_export("min-score 3.5 since 2026-12-01", library, NOW)
    assert by_score.min_score == 3.5
    assert by_score.since == datetime(2026, 12, 1, tzinfo=UTC)
    assert parse_export("approved", library, NOW) == (ExportFilter(), None)
    assert parse_export("", library, NOW) == (ExportFilter(), None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("approved min-score 3", "choose either `approved`"),
        ("preset", "'preset' needs a value"),
        ("preset cafe preset spa", "'preset' is given twice"),
        ("loudly", "'loudly' is not an export option"),
        ("preset nowhere", "there is no preset 'nowhere'"),
        ("since soon", "'soon' is not a time"),
        ("min-score 1e9", "out of range"),
        ("to ../up", "cannot be an export folder"),
        ("to /etc", "cannot be an export folder"),
        ("to .hidden", "cannot be an export folder"),
    ],
)
def test_what_cannot_be_used_is_said_specifically(
    library: PresetLibrary, text: str, message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        parse_export(text, library, NOW)
    assert message in caught.value.message
