"""The decision figures of the blind listening test (issue 8, "The decision report").

Pure statistics over recorded votes: no storage, no Slack, no files. The wiring session feeds
`build_report` the votes it read from storage and renders the returned `EvaluationReport`
(`to_json`, `to_csv_rows`, and `evaluation.chart.chart_png` for the PNG).

Modules: `inputs` (what goes in), `errors`, `intervals` (Wilson), `bootstrap` (two-way cluster
bootstrap of the ratio of means), `verdicts` (GO / NO-GO / UNDECIDED and the overall call),
`agreement` (Krippendorff's alpha and per-rater figures), `cost` (measured cost per track),
`report` (the typed report), `chart` (the PNG; imports matplotlib lazily).
"""

from evaluation.errors import EvaluationError, InvalidCostError, InvalidVoteError
from evaluation.inputs import (
    CostInputs,
    JobTime,
    MissingCandidate,
    ReportSettings,
    TimeSource,
    Vote,
)
from evaluation.report import EvaluationReport, build_report
from evaluation.verdicts import OverallVerdict, Verdict
from evaluation.zones import ZoneFigures

__all__ = [
    "CostInputs",
    "EvaluationError",
    "EvaluationReport",
    "InvalidCostError",
    "InvalidVoteError",
    "JobTime",
    "MissingCandidate",
    "OverallVerdict",
    "ReportSettings",
    "TimeSource",
    "Verdict",
    "Vote",
    "ZoneFigures",
    "build_report",
]
