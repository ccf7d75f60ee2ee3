"""The stats in words and tables (pure: no I/O): Slack's answer, the CLI's table, stats.json.

Placeholder figures (tracks of the built-in stand-in, not ACE-Step) never mix with real ones: the
headline and totals are ACE-Step's alone, placeholder rows are marked "[placeholder]" and their
totals get a line of their own, and the chart draws them grey and hatched with a red note.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from commands.errors import UsageError
from domain.stats import GroupFigures, RaterFigures, RatingStats

DEFAULT_PERIOD: Final = "30d"
MAX_DAYS: Final = 3650
EXAMPLE: Final = "/music stats 7d"
PERIOD_WORDS: Final = "7d, 30d, all (or any number of days, e.g. 90d)"
ROWS_SHOWN: Final = 8  # per section in Slack; the CLI table and stats.json list every row
PLACEHOLDER_MARK: Final = "[placeholder]"
PLACEHOLDER_NOTE: Final = (
    "⚠️ [placeholder] rows are tracks of the built-in stand-in (simple synthesised audio), not "
    "ACE-Step: they are counted apart and left out of the ACE-Step figures."
)
DEFINITIONS: Final = (
    "Mean score: each person's latest reaction per track. Approval rate: approved ÷ decided "
    "(approved + rejected). Made: every file of the period, regenerated ones included. "
    "Tempo/key: of the tracks whose tempo (key) was asked and measured, how many came out "
    "within tolerance (±4 % after half/double time; same or relative key)."
)
NO_PRESET: Final = "(no preset)"
NO_MODEL: Final = "(not reported)"
NO_LM: Final = "(none)"
_DAYS = re.compile(r"^(\d{1,5})\s*d(?:ays?)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """What `stats` looks at: the last `days` days, or all time (`days` None)."""

    days: int | None

    @property
    def label(self) -> str:
        """ "last 7 days", "all time"."""
        if self.days is None:
            return "all time"
        return "last day" if self.days == 1 else f"last {self.days} days"

    @property
    def token(self) -> str:
        """ "7d", "all" (as typed)."""
        return "all" if self.days is None else f"{self.days}d"

    def since(self, now: datetime) -> datetime | None:
        """The start of the period (None: all time)."""
        return None if self.days is None else now - timedelta(days=self.days)


def parse_period(text: str) -> Period:
    """ "" (30d), "7d", "30d", "all", "90 days"; anything else is a usage error."""
    word = text.strip().lower() or DEFAULT_PERIOD
    if word in ("all", "all-time", "ever"):
        return Period(None)
    found = _DAYS.match(word)
    if found is None:
        raise UsageError(f"'{text.strip()}' is not a period: use {PERIOD_WORDS}.", EXAMPLE)
    days = int(found[1])
    if not 1 <= days <= MAX_DAYS:
        raise UsageError(f"The period must be 1 to {MAX_DAYS} days (or all).", EXAMPLE)
    return Period(days)


def _mean(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _rate(figures: GroupFigures) -> str:
    if not figures.decided:
        return "none decided"
    return f"{figures.approved}/{figures.decided} approved ({figures.approval_rate:.0%})"


def group_line(name: str, figures: GroupFigures) -> str:
    """ "lobby: 12 made, 9 rated, mean 3.40 (n=15), 4/5 approved (80%), 1 audio-check failure"
    and, when analysed tracks were judged, "; tempo 8/10 on request (80%), key 5/9 (56%)"."""
    mark = f"{PLACEHOLDER_MARK} " if figures.placeholder else ""
    failures = "audio-check failure" if figures.qc_failed == 1 else "audio-check failures"
    line = (
        f"{mark}{name}: {figures.made} made, {figures.rated} rated, mean "
        f"{_mean(figures.mean_score)} (n={figures.ratings}), {_rate(figures)}, "
        f"{figures.qc_failed} {failures}"
    )
    adherence = adherence_words(figures)
    return f"{line}; {adherence}" if adherence else line


def adherence_words(figures: GroupFigures) -> str:
    """ "tempo 8/10 on request (80%), key 5/9 (56%)"; only what was judged; "" for nothing."""
    parts = []
    if figures.tempo_judged:
        parts.append(
            f"tempo {figures.tempo_obeyed}/{figures.tempo_judged} on request "
            f"({figures.tempo_obeyed / figures.tempo_judged:.0%})"
        )
    if figures.key_judged:
        on = "" if parts else " on request"
        parts.append(
            f"key {figures.key_obeyed}/{figures.key_judged}{on} "
            f"({figures.key_obeyed / figures.key_judged:.0%})"
        )
    return ", ".join(parts)


def rater_line(rater: RaterFigures, name: str | None = None) -> str:
    """ "U123: rated 9, mean given 3.20; decided 2 approved, 1 rejected"."""
    mark = f"{PLACEHOLDER_MARK} " if rater.placeholder else ""
    line = f"{mark}{name or rater.rater}: rated {rater.rated}, mean given {_mean(rater.mean_score)}"
    if rater.approved or rater.rejected:
        line += f"; decided {rater.approved} approved, {rater.rejected} rejected"
    return line


def headline(stats: RatingStats, period: Period) -> str:
    """The one-line summary (ACE-Step tracks only); also the Home tab's figure."""
    if stats.made == 0:
        return f"No tracks made in the {period.label}." if period.days else "No tracks made yet."
    real = stats.real
    if real.made == 0:
        return (
            f"No ACE-Step tracks {_in(period)}: all {stats.placeholder.made} were "
            "placeholder tracks of the built-in stand-in."
        )
    text = f"ACE-Step tracks, {period.label}: {real.made} made, {real.rated} rated"
    if real.ratings:
        text += f", mean score {_mean(real.mean_score)} (n={real.ratings})"
    else:
        text += " (no ratings yet)"
    text += f", {_rate(real)}, {real.qc_failed} audio-check failure(s)."
    return text


def placeholder_line(stats: RatingStats) -> str | None:
    """The placeholder totals, or None when there were none."""
    if not stats.placeholder.made:
        return None
    return group_line("placeholder tracks (built-in stand-in, not ACE-Step)", stats.placeholder)


def _section(
    title: str, groups: tuple[GroupFigures, ...], empty_name: str, limit: int | None
) -> list[str]:
    shown = groups if limit is None else groups[:limit]
    lines = [f"{title}:"] + [f"  {group_line(g.key or empty_name, g)}" for g in shown]
    if len(groups) > len(shown):
        lines.append(f"  …and {len(groups) - len(shown)} more (acemusic stats lists all)")
    return lines


def stats_lines(stats: RatingStats, *, limit: int | None = ROWS_SHOWN) -> list[str]:
    """Every section as lines: presets, models, LM models, raters, notes."""
    lines = [
        *_section("By preset", stats.presets, NO_PRESET, limit),
        *_section("By model", stats.models, NO_MODEL, limit),
        *_section("By LM model", stats.lm_models, NO_LM, limit),
    ]
    raters = stats.raters if limit is None else stats.raters[:limit]
    lines.append("By rater:" if stats.raters else "By rater: no ratings or decisions yet")
    lines += [f"  {rater_line(r)}" for r in raters]
    if len(stats.raters) > len(raters):
        lines.append(f"  …and {len(stats.raters) - len(raters)} more (acemusic stats lists all)")
    if (extra := placeholder_line(stats)) is not None:
        lines += [extra, PLACEHOLDER_NOTE]
    lines.append(DEFINITIONS)
    return lines


TABLE_HEADER: Final = (
    "section", "name", "placeholder", "made", "rated", "ratings", "mean", "approved",
    "rejected", "approval rate", "audio-check failures", "tempo on request", "key on request",
)  # fmt: skip


def table_rows(stats: RatingStats) -> list[tuple[str, ...]]:
    """Every row for the CLI's table (the header is `TABLE_HEADER`)."""
    rows: list[tuple[str, ...]] = []
    for section, groups, empty in (
        ("preset", stats.presets, NO_PRESET),
        ("model", stats.models, NO_MODEL),
        ("lm model", stats.lm_models, NO_LM),
        ("total", (stats.real, stats.placeholder), "all"),
    ):
        for g in groups:
            if section == "total" and not g.made:
                continue
            rate = "–" if g.approval_rate is None else f"{g.approval_rate:.0%}"
            rows.append((
                section, g.key or empty, "yes" if g.placeholder else "", str(g.made),
                str(g.rated), str(g.ratings), _mean(g.mean_score), str(g.approved),
                str(g.rejected), rate, str(g.qc_failed),
                _share(g.tempo_obeyed, g.tempo_judged), _share(g.key_obeyed, g.key_judged),
            ))  # fmt: skip
    for r in stats.raters:
        rows.append((
            "rater", r.rater, "yes" if r.placeholder else "", "", str(r.rated), str(r.rated),
            _mean(r.mean_score), str(r.approved), str(r.rejected), "", "", "", "",
        ))  # fmt: skip
    return rows


def _share(obeyed: int, judged: int) -> str:
    """ "8/10 (80%)", or "–" when nothing was judged."""
    return f"{obeyed}/{judged} ({obeyed / judged:.0%})" if judged else "–"


def format_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """Columns padded to their widest cell."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )


def _group_json(g: GroupFigures) -> dict[str, Any]:
    return {
        "name": g.key,
        "placeholder": g.placeholder,
        "made": g.made,
        "rated": g.rated,
        "ratings": g.ratings,
        "mean_score": g.mean_score,
        "approved": g.approved,
        "rejected": g.rejected,
        "decided": g.decided,
        "approval_rate": g.approval_rate,
        "audio_check_failures": g.qc_failed,
        "tempo_judged": g.tempo_judged,
        "tempo_on_request": g.tempo_obeyed,
        "tempo_share": g.tempo_share,
        "key_judged": g.key_judged,
        "key_on_request": g.key_obeyed,
        "key_share": g.key_share,
    }


def stats_json(stats: RatingStats, period: Period) -> dict[str, Any]:
    """stats.json: every figure, with the definitions."""
    return {
        "period": period.token,
        "since": stats.since.isoformat() if stats.since else None,
        "until": stats.until.isoformat(),
        "definitions": {
            "made": "every file recorded in the period, regenerated ones included",
            "rated": "tracks with at least one counted rating",
            "mean_score": "mean of counted ratings: each person's latest reaction per track",
            "approval_rate": "approved / decided (approved + rejected)",
            "placeholder": "made by the built-in stand-in, not ACE-Step; never in ACE-Step rows",
            "tempo_share": (
                "tempo_on_request / tempo_judged: of the tracks whose tempo was asked and "
                "measured with confidence, those within 4 % after half/double-time folding"
            ),
            "key_share": (
                "key_on_request / key_judged: of the tracks whose key was asked and measured "
                "with confidence, those in the same key or its relative major/minor"
            ),
        },
        "ace_step": _group_json(stats.real),
        "placeholder": _group_json(stats.placeholder),
        "presets": [_group_json(g) for g in stats.presets],
        "models": [_group_json(g) for g in stats.models],
        "lm_models": [_group_json(g) for g in stats.lm_models],
        "raters": [
            {
                "rater": r.rater,
                "placeholder": r.placeholder,
                "rated": r.rated,
                "mean_score": r.mean_score,
                "approved": r.approved,
                "rejected": r.rejected,
            }
            for r in stats.raters
        ],
    }


def _in(period: Period) -> str:
    """ "in the last 7 days", "so far" (all time)."""
    return f"in the {period.label}" if period.days else "so far"
