"""The decision report: planted zones give the right verdicts; JSON and CSV are stable."""

import csv
import io
import json

import pytest

from evaluation import (
    CostInputs,
    EvaluationError,
    EvaluationReport,
    InvalidVoteError,
    JobTime,
    MissingCandidate,
    OverallVerdict,
    ReportSettings,
    TimeSource,
    Verdict,
    Vote,
    build_report,
)
from evaluation.report import REPORT_CSV_COLUMNS

from .factory import GO_ACE, INCUMBENT, UNDECIDED_ACE, planted_votes, zone_votes


def test_planted_zones_get_go_no_go_and_undecided() -> None:
    report = build_report(planted_votes())
    verdicts = {zone.zone: zone.verdict for zone in report.zones}
    assert verdicts == {
        "spa": Verdict.GO,
        "quick-service": Verdict.NO_GO,
        "hotel-lobby": Verdict.UNDECIDED,
    }
    assert report.overall is OverallVerdict.PARTIAL
    assert report.undecided_zones == ("hotel-lobby",)


def test_zone_figures_by_hand() -> None:
    spa = build_report(planted_votes()).zones[2]
    assert (spa.zone, spa.pairs, spa.raters, spa.votes) == ("spa", 5, 3, 15)
    assert spa.mean_ace == pytest.approx(65 / 15)
    assert spa.mean_incumbent == pytest.approx(63 / 15)
    assert spa.ratio == pytest.approx(65 / 63)
    assert spa.ratio_interval is not None
    assert spa.ratio_interval.low >= 0.80
    # Pair means ACE-Step vs incumbent: 13/12, 13/13, 13/12, 14/13, 12/13 → 4 of 5 at least as good.
    assert (spa.pairs_at_least_as_good, spa.share_at_least_as_good) == (4, 0.8)
    assert spa.more_votes_needed is None


def test_undecided_zone_says_about_how_many_more_votes() -> None:
    lobby = build_report(planted_votes()).zones[0]
    assert lobby.zone == "hotel-lobby"
    assert lobby.ratio == pytest.approx(55 / 63)
    assert lobby.ratio_interval is not None
    assert lobby.ratio_interval.low < 0.80 <= lobby.ratio_interval.high
    assert lobby.more_votes_needed is not None
    assert 1 <= lobby.more_votes_needed < 1_000


def test_undecided_zone_decides_with_more_of_the_same_votes() -> None:
    lobby = build_report(planted_votes()).zones[0]
    assert lobby.more_votes_needed is not None
    repeats = -(-(15 + lobby.more_votes_needed) // 15) + 1  # a little past the estimate
    votes = zone_votes("hotel-lobby", UNDECIDED_ACE * repeats, INCUMBENT * repeats)
    assert build_report(votes).zones[0].verdict is Verdict.GO


def test_every_zone_go_is_go_and_none_is_no_go() -> None:
    assert build_report(zone_votes("spa", GO_ACE, INCUMBENT)).overall is OverallVerdict.GO
    assert build_report(zone_votes("spa", [[1, 1]], [[5, 5]])).overall is OverallVerdict.NO_GO


def test_the_threshold_is_a_setting() -> None:
    report = build_report(planted_votes(), settings=ReportSettings(threshold=1.2))
    assert {zone.verdict for zone in report.zones} == {Verdict.NO_GO}


def test_report_is_deterministic_for_a_seed() -> None:
    assert build_report(planted_votes()) == build_report(planted_votes())


def test_pairs_without_a_candidate_are_reported_not_dropped() -> None:
    missing = [MissingCandidate("spa-9", "spa"), MissingCandidate("bar-1", "bar")]
    report = build_report(planted_votes(), missing=missing)
    zones = {zone.zone: zone for zone in report.zones}
    assert zones["spa"].pairs_without_candidate == ("spa-9",)
    assert zones["spa"].verdict is Verdict.GO
    assert zones["bar"].votes == 0
    assert zones["bar"].verdict is Verdict.UNDECIDED
    assert zones["bar"].ratio is None
    assert [m.pair_id for m in report.missing_candidates] == ["bar-1", "spa-9"]
    assert "bar" in report.undecided_zones


def test_no_votes_at_all_is_an_empty_no_go_report() -> None:
    report = build_report([])
    assert (report.zones, report.overall, report.krippendorff_alpha) == (
        (),
        OverallVerdict.NO_GO,
        None,
    )


@pytest.mark.parametrize(
    ("votes", "missing"),
    [
        ([Vote("a", "spa", "r0", 4, 4), Vote("a", "spa", "r0", 5, 4)], []),  # voted twice
        ([Vote("a", "spa", "r0", 4, 4), Vote("a", "bar", "r1", 5, 4)], []),  # two zones
        ([Vote("a", "spa", "r0", 4, 4)], [MissingCandidate("a", "spa")]),  # voted, missing
    ],
)
def test_inconsistent_votes_are_refused(votes: list[Vote], missing: list[MissingCandidate]) -> None:
    with pytest.raises(InvalidVoteError):
        build_report(votes, missing=missing)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Vote("a", "spa", "r0", 0, 3),
        lambda: Vote("a", "spa", "r0", 3, 6),
        lambda: Vote("a", "spa", "r0", True, 3),
        lambda: Vote("a", "spa", "r0", 3.5, 3),
        lambda: Vote(" ", "spa", "r0", 3, 3),
        lambda: MissingCandidate("a", ""),
        lambda: ReportSettings(confidence=1.0),
        lambda: ReportSettings(resamples=0),
    ],
)
def test_bad_inputs_are_refused(make: object) -> None:
    with pytest.raises(EvaluationError):
        make()  # type: ignore[operator]


def _costed_report() -> EvaluationReport:
    jobs = (JobTime(100, TimeSource.SERVER), JobTime(140, TimeSource.SUBMIT_TO_DONE))
    cost = CostInputs(jobs, delivered_tracks=2, gpu_cost_per_hour=1.2)
    return build_report(planted_votes(), cost=cost, missing=[MissingCandidate("spa-9", "spa")])


def test_json_is_plain_and_has_stable_keys() -> None:
    data = _costed_report().to_json()
    assert json.loads(json.dumps(data)) == data
    assert list(data) == [
        "overall", "undecided_zones", "zones", "missing_candidates", "raters",
        "krippendorff_alpha", "cost", "method",
    ]  # fmt: skip
    assert data["overall"] == "PARTIAL"
    assert data["zones"][2]["verdict"] == "GO"
    assert data["zones"][2]["ratio_interval"]["low"] >= 0.8
    assert data["cost"]["cost_per_track"] == pytest.approx(120 * 1.2 / 3600)
    assert data["cost"]["time_sources"] == {"server time cost": 1, "submit-to-done": 1}
    assert data["method"]["resamples"] == 2_000
    assert data["missing_candidates"] == [
        {"pair_id": "spa-9", "zone": "spa", "reason": "no ACE-Step candidate"}
    ]


def test_csv_rows_have_a_header_a_row_per_zone_and_an_all_row() -> None:
    rows = _costed_report().to_csv_rows()
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    parsed = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert tuple(rows[0]) == REPORT_CSV_COLUMNS
    assert [row["zone"] for row in parsed] == ["hotel-lobby", "quick-service", "spa", "ALL"]
    assert [row["verdict"] for row in parsed] == ["UNDECIDED", "NO-GO", "GO", "PARTIAL"]
    assert parsed[2]["ratio"] == f"{65 / 63:.4f}"
    assert parsed[2]["pairs_without_candidate"] == "1"
    assert parsed[3]["cost_per_track"] == "0.0400"
    assert parsed[3]["incumbent_cost_per_track"] == "0.0580"
    assert parsed[0]["more_votes_needed"].isdigit()
    assert parsed[1]["more_votes_needed"] == ""


def test_a_listened_zone_without_votes_is_reported_undecided() -> None:
    report = build_report(planted_votes(), zones={"spa", "rooftop-bar"})
    zones = {zone.zone: zone for zone in report.zones}
    assert set(zones) == {*{v.zone for v in planted_votes()}, "rooftop-bar"}
    assert (zones["rooftop-bar"].votes, zones["rooftop-bar"].verdict) == (0, Verdict.UNDECIDED)
    assert "rooftop-bar" in report.undecided_zones
    assert report.overall is not OverallVerdict.GO
