"""One zone type's figures: counts, mean scores, the ratio and its interval, the share of pairs
where ACE-Step scored at least as well, the verdict, and rater agreement.

"At least as well" is judged per pair on the mean over the raters who voted on it (a tie
counts for ACE-Step); its interval is Wilson's. The ratio's interval is the two-way bootstrap of
`evaluation.bootstrap`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from evaluation.agreement import RaterFigures, dominant_rater, krippendorff_alpha, rater_figures
from evaluation.bootstrap import ScoreTable, bootstrap_ratio, ratio_of_means
from evaluation.inputs import MissingCandidate, ReportSettings, Vote
from evaluation.intervals import Interval, wilson_interval
from evaluation.verdicts import Verdict, decide, more_votes_needed

CSV_COLUMNS = (
    "zone", "pairs", "pairs_without_candidate", "raters", "votes", "mean_ace", "mean_incumbent",
    "ratio", "ratio_low", "ratio_high", "share_at_least_as_good", "share_low", "share_high",
    "verdict", "more_votes_needed", "krippendorff_alpha", "dominant_rater",
)  # fmt: skip


@dataclass(frozen=True)
class ZoneFigures:
    """Every figure the report gives for one zone type (None where there are no votes)."""

    zone: str
    pairs: int  # pairs with at least one vote
    pairs_without_candidate: tuple[str, ...]  # reported, never dropped
    raters: int
    votes: int
    mean_ace: float | None
    mean_incumbent: float | None
    ratio: float | None  # mean ACE-Step score ÷ mean incumbent score
    ratio_interval: Interval | None
    pairs_at_least_as_good: int
    share_at_least_as_good: float | None
    share_interval: Interval
    verdict: Verdict
    more_votes_needed: int | None  # only for UNDECIDED zones with votes
    krippendorff_alpha: float | None
    rater_figures: tuple[RaterFigures, ...]
    dominant_rater: str | None  # a rater who cast more than half the zone's votes

    def to_json(self) -> dict[str, Any]:
        """The zone as a plain dict with stable keys."""
        return {
            "zone": self.zone,
            "pairs": self.pairs,
            "pairs_without_candidate": list(self.pairs_without_candidate),
            "raters": self.raters,
            "votes": self.votes,
            "mean_ace": self.mean_ace,
            "mean_incumbent": self.mean_incumbent,
            "ratio": self.ratio,
            "ratio_interval": _interval_json(self.ratio_interval),
            "pairs_at_least_as_good": self.pairs_at_least_as_good,
            "share_at_least_as_good": self.share_at_least_as_good,
            "share_interval": _interval_json(self.share_interval),
            "verdict": self.verdict.value,
            "more_votes_needed": self.more_votes_needed,
            "krippendorff_alpha": self.krippendorff_alpha,
            "rater_figures": [rater_json(f) for f in self.rater_figures],
            "dominant_rater": self.dominant_rater,
        }

    def to_csv_row(self) -> list[str]:
        """The zone's row under `CSV_COLUMNS`; empty cells where a figure is undefined."""
        ratio, share = self.ratio_interval, self.share_interval
        cells: list[object] = [
            self.zone, self.pairs, len(self.pairs_without_candidate), self.raters, self.votes,
            self.mean_ace, self.mean_incumbent, self.ratio, ratio and ratio.low,
            ratio and ratio.high, self.share_at_least_as_good, share.low, share.high,
            self.verdict.value, self.more_votes_needed, self.krippendorff_alpha,
            self.dominant_rater,
        ]  # fmt: skip
        return [csv_cell(c) for c in cells]


def csv_cell(value: object) -> str:
    """A CSV cell: floats to 4 decimals, None empty."""
    if value is None:
        return ""
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _interval_json(interval: Interval | None) -> dict[str, float] | None:
    return None if interval is None else {"low": interval.low, "high": interval.high}


def rater_json(figures: RaterFigures) -> dict[str, Any]:
    """One rater's figures as a plain dict."""
    return {
        "rater": figures.rater,
        "votes": figures.votes,
        "mean_ace": figures.mean_ace,
        "mean_incumbent": figures.mean_incumbent,
        "score_spread": figures.score_spread,
    }


def zone_figures(
    zone: str,
    votes: Sequence[Vote],
    missing: Sequence[MissingCandidate],
    settings: ReportSettings,
) -> ZoneFigures:
    """Compute one zone's figures from its votes and its pairs without a candidate."""
    without = tuple(sorted(m.pair_id for m in missing))
    if not votes:
        return _empty_zone(zone, without, settings)
    table = ScoreTable.from_votes(votes)
    ratio, interval, verdict, more = _ratio_figures(table, settings)
    ace_means, incumbent_means = table.pair_means()
    wins = int(np.sum(ace_means >= incumbent_means))
    return ZoneFigures(
        zone=zone,
        pairs=len(table.pairs),
        pairs_without_candidate=without,
        raters=len(table.raters),
        votes=len(votes),
        mean_ace=float(np.nanmean(table.ace)),
        mean_incumbent=float(np.nanmean(table.incumbent)),
        ratio=ratio,
        ratio_interval=interval,
        pairs_at_least_as_good=wins,
        share_at_least_as_good=wins / len(table.pairs),
        share_interval=wilson_interval(wins, len(table.pairs), settings.confidence),
        verdict=verdict,
        more_votes_needed=more,
        krippendorff_alpha=krippendorff_alpha(table),
        rater_figures=rater_figures(votes),
        dominant_rater=dominant_rater(votes),
    )


def _ratio_figures(
    table: ScoreTable, settings: ReportSettings
) -> tuple[float, Interval, Verdict, int | None]:
    """The ratio of means, its bootstrap interval, the verdict and (if undecided) votes needed."""
    ratio = ratio_of_means(table)
    boot = bootstrap_ratio(
        table, resamples=settings.resamples, seed=settings.seed, confidence=settings.confidence
    )
    verdict = decide(boot.interval, settings.threshold)
    if verdict is not Verdict.UNDECIDED:
        return ratio, boot.interval, verdict, None
    votes = int(np.sum(~np.isnan(table.ace)))
    more = more_votes_needed(
        ratio, boot.interval, votes, threshold=settings.threshold, cap=settings.max_more_votes
    )
    return ratio, boot.interval, verdict, more


def _empty_zone(zone: str, without: tuple[str, ...], settings: ReportSettings) -> ZoneFigures:
    return ZoneFigures(
        zone=zone, pairs=0, pairs_without_candidate=without, raters=0, votes=0,
        mean_ace=None, mean_incumbent=None, ratio=None, ratio_interval=None,
        pairs_at_least_as_good=0, share_at_least_as_good=None,
        share_interval=wilson_interval(0, 0, settings.confidence),
        verdict=Verdict.UNDECIDED, more_votes_needed=None, krippendorff_alpha=None,
        rater_figures=(), dominant_rater=None,
    )  # fmt: skip
