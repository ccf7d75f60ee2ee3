"""Ratings insight (`/music stats`, `acemusic stats`, the Home tab): four GROUP BY queries.

Each query reads the tracks of the period once, joined to their jobs to leave out the candidates
of listening sessions still open (`storage.jobs.not_blinded`), and groups at the finest level
(preset, DiT model, LM model, placeholder); the per-preset and per-model figures are sums of those
few rows. Preset and model names are plain columns on the track (migration 0011), so no stored
document is unpacked. Definitions of every figure: `domain.stats`.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import Select, case, func, select

from domain.approvals import Decision
from domain.stats import GroupFigures, RaterFigures, RatingStats
from storage.database import Database
from storage.jobs import not_blinded
from storage.ratings import counted
from storage.schema import Job, Track, utcnow

QC_FAILED = "fail"
_Key = tuple[str | None, str | None, str | None, bool]
Row = TypeVarTuple("Row")


def _in_period(query: Select[*Row], since: datetime | None) -> Select[*Row]:
    """Tracks of the period that raters may see."""
    query = query.join(Job, Job.id == Track.job_id).where(not_blinded())
    return query if since is None else query.where(Track.created_at >= since)


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def gather(db: Database, *, since: datetime | None) -> RatingStats:
    """The figures of the tracks made since `since` (None: all time)."""
    until = utcnow()
    fine = (Track.preset_id, Track.dit_model_name, Track.lm_model_name, Track.placeholder)
    made = _in_period(
        select(
            *fine,
            func.count(),
            _count_if(Track.approval == Decision.APPROVED.value),
            _count_if(Track.approval == Decision.REJECTED.value),
            _count_if(Track.qc_verdict == QC_FAILED),
        ),
        since,
    ).group_by(*fine)
    rating = counted().subquery()
    rated = _in_period(
        select(
            *fine,
            func.count(func.distinct(rating.c.track_id)),
            func.count(),
            func.sum(rating.c.score),
        ).join(rating, rating.c.track_id == Track.id),
        since,
    ).group_by(*fine)
    by_rater = _in_period(
        select(rating.c.user_id, Track.placeholder, func.count(), func.sum(rating.c.score)).join(
            rating, rating.c.track_id == Track.id
        ),
        since,
    ).group_by(rating.c.user_id, Track.placeholder)
    by_decider = _in_period(
        select(
            Track.approval_by,
            Track.placeholder,
            _count_if(Track.approval == Decision.APPROVED.value),
            _count_if(Track.approval == Decision.REJECTED.value),
        ).where(Track.approval_by.is_not(None)),
        since,
    ).group_by(Track.approval_by, Track.placeholder)
    async with db.session() as session:
        made_rows = (await session.execute(made)).all()
        rated_rows = (await session.execute(rated)).all()
        rater_rows = (await session.execute(by_rater)).all()
        decider_rows = (await session.execute(by_decider)).all()

    groups: dict[_Key, dict[str, Any]] = {}
    for preset, dit, lm, placeholder, n, approved, rejected, failed in made_rows:
        groups[(preset, dit, lm, bool(placeholder))] = {
            "made": int(n),
            "approved": int(approved),
            "rejected": int(rejected),
            "qc_failed": int(failed),
        }
    for preset, dit, lm, placeholder, tracks, ratings, score in rated_rows:
        entry = groups.setdefault((preset, dit, lm, bool(placeholder)), {})
        entry |= {"rated": int(tracks), "ratings": int(ratings), "score_sum": float(score or 0)}
    return RatingStats(
        since=since,
        until=until,
        presets=_roll_up(groups, lambda key: key[0]),
        models=_roll_up(groups, lambda key: key[1]),
        lm_models=_roll_up(groups, lambda key: key[2]),
        raters=_raters(rater_rows, decider_rows),
        real=_total(groups, placeholder=False),
        placeholder=_total(groups, placeholder=True),
    )


def _add(figures: GroupFigures, values: dict[str, Any]) -> GroupFigures:
    return GroupFigures(
        key=figures.key,
        placeholder=figures.placeholder,
        made=figures.made + values.get("made", 0),
        rated=figures.rated + values.get("rated", 0),
        ratings=figures.ratings + values.get("ratings", 0),
        score_sum=figures.score_sum + values.get("score_sum", 0.0),
        approved=figures.approved + values.get("approved", 0),
        rejected=figures.rejected + values.get("rejected", 0),
        qc_failed=figures.qc_failed + values.get("qc_failed", 0),
    )


def _roll_up(
    groups: dict[_Key, dict[str, Any]], key_of: Callable[[_Key], str | None]
) -> tuple[GroupFigures, ...]:
    """The fine groups summed per `key_of` and placeholder flag: real ones first, most made
    first, then by name."""
    summed: dict[tuple[str | None, bool], GroupFigures] = {}
    for key, values in groups.items():
        name, placeholder = key_of(key), key[3]
        current = summed.get((name, placeholder)) or GroupFigures(name, placeholder)
        summed[(name, placeholder)] = _add(current, values)
    return tuple(
        sorted(summed.values(), key=lambda g: (g.placeholder, -g.made, g.key is None, g.key or ""))
    )


def _total(groups: dict[_Key, dict[str, Any]], *, placeholder: bool) -> GroupFigures:
    total = GroupFigures("all", placeholder)
    for key, values in groups.items():
        if key[3] is placeholder:
            total = _add(total, values)
    return total


def _raters(ratings: Iterable[Any], decisions: Iterable[Any]) -> tuple[RaterFigures, ...]:
    """Per person and placeholder flag: their counted ratings and their standing decisions."""
    found: dict[tuple[str, bool], dict[str, Any]] = {}
    for user, placeholder, n, score in ratings:
        entry = found.setdefault((str(user), bool(placeholder)), {})
        entry |= {"rated": int(n), "score_sum": float(score or 0)}
    for user, placeholder, approved, rejected in decisions:
        entry = found.setdefault((str(user), bool(placeholder)), {})
        entry |= {"approved": int(approved), "rejected": int(rejected)}
    figures = [
        RaterFigures(user, placeholder, **values) for (user, placeholder), values in found.items()
    ]
    return tuple(sorted(figures, key=lambda r: (r.placeholder, -r.rated, r.rater)))
