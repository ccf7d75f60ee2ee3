"""The decision report: every zone's figures, the overall verdict, agreement and cost.

`build_report` checks the votes (scores 1–5 by construction; one vote per rater per pair; a pair
in one zone only; a pair with votes is not also "without candidate") and computes the rest. The
report is a frozen dataclass; `to_json()` gives a plain dict with stable keys and
`to_csv_rows()` a header row and one row per zone, then an "ALL" row with the overall figures.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from evaluation.agreement import RaterFigures, krippendorff_alpha, rater_figures
from evaluation.bootstrap import ScoreTable
from evaluation.cost import CostFigures, cost_figures
from evaluation.errors import InvalidVoteError
from evaluation.inputs import CostInputs, MissingCandidate, ReportSettings, Vote
from evaluation.verdicts import OverallVerdict, Verdict, overall
from evaluation.zones import CSV_COLUMNS, ZoneFigures, csv_cell, rater_json, zone_figures

REPORT_CSV_COLUMNS = (*CSV_COLUMNS, "cost_per_track", "incumbent_cost_per_track", "cost_ratio")


@dataclass(frozen=True)
class EvaluationReport:
    """The whole decision: zones sorted by name, the overall call, raters, agreement and cost."""

    zones: tuple[ZoneFigures, ...]
    overall: OverallVerdict
    undecided_zones: tuple[str, ...]  # named beside the overall verdict: more votes may change it
    missing_candidates: tuple[MissingCandidate, ...]
    raters: tuple[RaterFigures, ...]  # across all zones, busiest first
    krippendorff_alpha: float | None  # across all zones
    cost: CostFigures | None
    settings: ReportSettings

    def to_json(self) -> dict[str, Any]:
        """The report as a plain dict with stable keys (JSON-serialisable)."""
        return {
            "overall": self.overall.value,
            "undecided_zones": list(self.undecided_zones),
            "zones": [zone.to_json() for zone in self.zones],
            "missing_candidates": [_missing_json(m) for m in self.missing_candidates],
            "raters": [rater_json(r) for r in self.raters],
            "krippendorff_alpha": self.krippendorff_alpha,
            "cost": None if self.cost is None else _cost_json(self.cost),
            "method": _method_json(self.settings),
        }

    def to_csv_rows(self) -> list[list[str]]:
        """A header, one row per zone, and an "ALL" row with the overall verdict and the cost."""
        blank = [""] * 3
        rows = [list(REPORT_CSV_COLUMNS)]
        rows += [zone.to_csv_row() + blank for zone in self.zones]
        rows.append(self._all_row())
        return rows

    def _all_row(self) -> list[str]:
        row = dict.fromkeys(REPORT_CSV_COLUMNS, "")
        row["zone"] = "ALL"
        row["verdict"] = self.overall.value
        row["krippendorff_alpha"] = csv_cell(self.krippendorff_alpha)
        if self.cost is not None:
            row["cost_per_track"] = csv_cell(self.cost.cost_per_track)
            row["incumbent_cost_per_track"] = csv_cell(self.cost.incumbent_cost_per_track)
            row["cost_ratio"] = csv_cell(self.cost.cost_ratio)
        return list(row.values())


def _missing_json(missing: MissingCandidate) -> dict[str, str]:
    return {"pair_id": missing.pair_id, "zone": missing.zone, "reason": missing.reason}


def _cost_json(cost: CostFigures) -> dict[str, Any]:
    return {
        "jobs": cost.jobs,
        "delivered_tracks": cost.delivered_tracks,
        "gpu_seconds_total": cost.gpu_seconds_total,
        "gpu_seconds_per_track": cost.gpu_seconds_per_track,
        "gpu_cost_per_hour": cost.gpu_cost_per_hour,
        "cost_per_track": cost.cost_per_track,
        "incumbent_cost_per_track": cost.incumbent_cost_per_track,
        "cost_ratio": cost.cost_ratio,
        "time_sources": {source.value: n for source, n in sorted(cost.sources.items())},
    }


def _method_json(settings: ReportSettings) -> dict[str, Any]:
    return {
        "threshold": settings.threshold,
        "confidence": settings.confidence,
        "bootstrap": "two-way cluster bootstrap over pairs and raters, percentile interval",
        "resamples": settings.resamples,
        "seed": settings.seed,
        "rng": "numpy.random.default_rng (PCG64)",
        "share_interval": "Wilson score",
        "agreement": "Krippendorff's alpha, interval metric",
    }


def check_votes(votes: Sequence[Vote], missing: Sequence[MissingCandidate]) -> None:
    """Refuse a second vote by one rater on a pair, a pair in two zones, or a voted missing pair."""
    zone_of: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    for vote in votes:
        if (vote.pair_id, vote.rater) in seen:
            raise InvalidVoteError(f"{vote.rater} voted twice on pair {vote.pair_id}")
        seen.add((vote.pair_id, vote.rater))
        if zone_of.setdefault(vote.pair_id, vote.zone) != vote.zone:
            raise InvalidVoteError(f"pair {vote.pair_id} is filed under two zones")
    for pair in missing:
        if pair.pair_id in zone_of:
            raise InvalidVoteError(f"pair {pair.pair_id} has votes but no ACE-Step candidate")


def build_report(
    votes: Sequence[Vote],
    *,
    missing: Sequence[MissingCandidate] = (),
    cost: CostInputs | None = None,
    settings: ReportSettings | None = None,
    zones: Collection[str] = (),
) -> EvaluationReport:
    """Compute the decision report from the votes, the pairs without a candidate, and the cost.

    `zones`: zone types that were listened to; one without any vote is still reported
    (UNDECIDED, no figures), so a zone nobody scored is never silently left out.
    """
    settings = settings or ReportSettings()
    check_votes(votes, missing)
    names = sorted({v.zone for v in votes} | {m.zone for m in missing} | set(zones))
    figures = tuple(
        zone_figures(
            name,
            [v for v in votes if v.zone == name],
            [m for m in missing if m.zone == name],
            settings,
        )
        for name in names
    )
    return EvaluationReport(
        zones=figures,
        overall=overall([z.verdict for z in figures]),
        undecided_zones=tuple(z.zone for z in figures if z.verdict is Verdict.UNDECIDED),
        missing_candidates=tuple(sorted(missing, key=lambda m: (m.zone, m.pair_id))),
        raters=rater_figures(votes),
        krippendorff_alpha=krippendorff_alpha(ScoreTable.from_votes(votes)) if votes else None,
        cost=None if cost is None else cost_figures(cost),
        settings=settings,
    )
