"""The stats chart: mean score per preset, with the number of ratings (n) and tracks made on
each bar; placeholder presets grey and hatched, with a red note saying what they are.

`stats_png` returns the PNG's bytes (Slack uploads them, the CLI writes stats.png), so this module
does no I/O. As `evaluation/chart.py`: matplotlib is imported inside the function and draws on its
Agg canvas directly (no pyplot, no global state, no display needed).
"""

import io
from typing import Final

from commands.stats.figures import NO_PRESET, PLACEHOLDER_MARK, Period
from domain.stats import GroupFigures, RatingStats

MAX_BARS: Final = 20
REAL_COLOUR: Final = "#1565c0"
PLACEHOLDER_COLOUR: Final = "#9e9e9e"
PLACEHOLDER_CHART_NOTE: Final = (
    "Grey hatched bars: PLACEHOLDER audio from the built-in stand-in, not ACE-Step"
)


def charted(stats: RatingStats) -> list[GroupFigures]:
    """The presets the chart draws: rated ones first as listed, at most `MAX_BARS`."""
    return [g for g in stats.presets if g.ratings][:MAX_BARS]


def stats_png(stats: RatingStats, period: Period, *, dpi: int = 120) -> bytes:
    """Render the chart as PNG bytes (presets without ratings are left out: no mean to draw)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415 (lazy: heavy)
    from matplotlib.figure import Figure  # noqa: PLC0415

    bars = charted(stats)
    figure = Figure(figsize=(max(5.0, 0.9 * len(bars) + 2.5), 4.4), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    names = [_name(g) for g in bars]
    means = [g.mean_score or 0.0 for g in bars]
    drawn = axes.bar(
        range(len(bars)),
        means,
        color=[PLACEHOLDER_COLOUR if g.placeholder else REAL_COLOUR for g in bars],
        hatch=None,
        edgecolor="black",
        linewidth=0.6,
    )
    for patch, group in zip(drawn.patches, bars, strict=True):
        if group.placeholder:
            patch.set_hatch("//")
    axes.bar_label(
        drawn,
        labels=[f"{g.mean_score or 0:.2f}\nn={g.ratings} · {g.made} made" for g in bars],
        fontsize=7,
        padding=2,
    )
    axes.set_xticks(range(len(bars)), names, fontsize=8, rotation=20 if len(bars) > 4 else 0)
    top = max([0.0, *means])
    axes.set_ylim(min(0.0, *means) - 0.1 if means and min(means) < 0 else 0.0, top * 1.3 + 0.5)
    axes.set_ylabel("mean score (each person's latest reaction)")
    axes.set_title(f"Mean score per preset — {period.label}", fontsize=10)
    if any(g.placeholder for g in bars):
        figure.suptitle(PLACEHOLDER_CHART_NOTE, color="firebrick", fontsize=9, fontweight="bold")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _name(group: GroupFigures) -> str:
    name = group.key or NO_PRESET
    return f"{name}\n{PLACEHOLDER_MARK}" if group.placeholder else name
