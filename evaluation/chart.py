"""The decision chart: per zone type, ACE-Step's mean score as a share of the incumbent's, with
its bootstrap interval, coloured by verdict, against the threshold line (0.80).

`chart_png` returns the PNG's bytes (the caller uploads them to Slack or writes them beside the
CSV/JSON), so this module does no I/O either. matplotlib is imported inside the function and
draws on its Agg canvas directly (no pyplot, no global state, no display needed).
"""

import io
from typing import TYPE_CHECKING

from evaluation.report import EvaluationReport
from evaluation.verdicts import Verdict
from evaluation.zones import ZoneFigures

if TYPE_CHECKING:
    from matplotlib.axes import Axes

COLOURS = {Verdict.GO: "#2e7d32", Verdict.NO_GO: "#c62828", Verdict.UNDECIDED: "#ef6c00"}


def chart_png(report: EvaluationReport, *, dpi: int = 120, note: str | None = None) -> bytes:
    """Render the report's chart as PNG bytes; `note` (e.g. that the audio is a placeholder) is
    printed in red above the chart, so the image says it wherever it travels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415 (lazy: heavy)
    from matplotlib.figure import Figure  # noqa: PLC0415

    figure = Figure(figsize=(max(5.0, 1.3 * len(report.zones) + 2), 4.2), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for x, zone in enumerate(report.zones):
        _draw_zone(axes, x, zone)
    _decorate(axes, report)
    if note:
        figure.suptitle(note, color="firebrick", fontsize=10, fontweight="bold")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _draw_zone(axes: "Axes", x: int, zone: ZoneFigures) -> None:
    """One zone's point and interval, or a "no votes" note."""
    if zone.ratio is None or zone.ratio_interval is None:
        axes.annotate("no votes", (x, 0.5), ha="center", color="grey", fontsize=8)
        return
    below = zone.ratio - zone.ratio_interval.low
    above = zone.ratio_interval.high - zone.ratio
    colour = COLOURS[zone.verdict]
    axes.errorbar(
        [x], [zone.ratio], yerr=[[max(0.0, below)], [max(0.0, above)]],
        fmt="o", color=colour, capsize=6, markersize=7,
    )  # fmt: skip
    axes.annotate(
        f"{zone.ratio:.2f}\n{zone.verdict.value}", (x, zone.ratio_interval.high),
        xytext=(0, 6), textcoords="offset points", ha="center", fontsize=8, color=colour,
    )  # fmt: skip


def _decorate(axes: "Axes", report: EvaluationReport) -> None:
    """Threshold and parity lines, zone labels, axis ranges and the title."""
    settings = report.settings
    threshold = settings.threshold
    axes.axhline(threshold, color="black", linestyle="--", linewidth=1)
    axes.axhline(1.0, color="grey", linestyle=":", linewidth=1)
    axes.text(-0.45, threshold, f" {threshold:.2f} threshold", va="bottom", fontsize=8)
    axes.set_xticks(range(len(report.zones)), [z.zone for z in report.zones], fontsize=9)
    axes.set_xlim(-0.6, max(0.6, len(report.zones) - 0.4))
    highs = [z.ratio_interval.high for z in report.zones if z.ratio_interval is not None]
    axes.set_ylim(0.0, max([1.3, *(h + 0.2 for h in highs)]))
    axes.set_ylabel("ACE-Step mean ÷ incumbent mean")
    axes.set_title(
        f"Overall: {report.overall.value} — {settings.confidence:.0%} intervals, "
        f"two-way bootstrap ({settings.resamples} draws, seed {settings.seed})",
        fontsize=9,
    )
