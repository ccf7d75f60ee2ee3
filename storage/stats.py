"""Ratings insight (`/music stats`, `acemusic stats`, the Home tab): two GROUP BY queries.

Both read the tracks of the period through one covering index (`ix_tracks_stats`: the period's
column first, then every column grouped or counted, so the wide track rows are not read), leave
out the candidates of listening sessions still open (`storage.jobs.not_blinded`), and group at
the finest level (preset, DiT model, LM model, placeholder, and the approver or the rater); the
per-preset, per-model and per-rater figures are sums of those few hundred rows at most. A third
query counts tempo and key adherence (issue 13) over the analysed tracks only (`obeys` set); it
reads those rows, as the adherence columns are not in the covering index. A rating
counts as `storage.ratings.counted` says (each person's latest on a track), asked per rating of
the period (`_latest`) rather than over the whole table. Preset and model names are plain columns
on the track (migration 0011), so no stored document is unpacked. Definitions: `domain.stats`.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, case, exists, func, select
from sqlalchemy.orm import aliased

from domain.approvals import Decision
from domain.stats import GroupFigures, RaterFigures, RatingStats
from storage.database import Database
from storage.evaluations import blinded_batch_ids
from storage.schema import Job, Rating, Track, utcnow

QC_FAILED = "fail"
_Key = tuple[str | None, str | None, str | None, bool]
Row = TypeVarTuple("Row")


def _in_period(query: Select[*Row], since: datetime | None) -> Select[*Row]:
    """Tracks of the period that raters may see: not made for a listening session still open
    (what `storage.jobs.not_blinded` says of their jobs, asked as one list of job ids, so no
    job row is read per track)."""
    blinded = select(Job.id).where(Job.batch_id.in_(blinded_batch_ids()))
    query = query.where(Track.job_id.not_in(blinded))
    return query if since is None else query.where(Track.created_at >= since)


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _latest(rating: type[Rating]) -> ColumnElement[bool]:
    """The rating is its person's latest on the track (no newer row by them there): the rule of
    `storage.ratings.counted`, asked per row through the (track, user, emoji) index, so only the
    ratings of the period's tracks are looked at."""
    newer = aliased(Rating)
    return ~exists().where(
        newer.track_id == rating.track_id, newer.user_id == rating.user_id, newer.id > rating.id
    )


async def gather(db: Database, *, since: datetime | None) -> RatingStats:
    """The figures of the tracks made since `since` (None: all time)."""
    until = utcnow()
    fine = (Track.preset_id, Track.dit_model_name, Track.lm_model_name, Track.placeholder)
    any_rating = exists().where(Rating.track_id == Track.id)
    made = _in_period(
        select(
            *fine,
            Track.approval_by,
            func.count(),
            _count_if(any_rating),
            _count_if(Track.approval == Decision.APPROVED.value),
            _count_if(Track.approval == Decision.REJECTED.value),
            _count_if(Track.qc_verdict == QC_FAILED),
        ),
        since,
    ).group_by(*fine, Track.approval_by)
    rated = (
        _in_period(
            # `+ 0`: no index on the tracks' side of the join, so SQLite walks the period's
            # tracks (covering index) and finds their ratings, not every rating and its track
            select(*fine, Rating.user_id, func.count(), func.sum(Rating.score)).join(
                Rating, Rating.track_id == Track.id + 0
            ),
            since,
        )
        .where(_latest(Rating))
        .group_by(*fine, Rating.user_id)
    )
    judged = (
        _in_period(
            select(
                *fine,
                _count_if(Track.tempo_ok.is_not(None)),
                _count_if(Track.tempo_ok.is_(True)),
                _count_if(Track.key_ok.is_not(None)),
                _count_if(Track.key_ok.is_(True)),
            ),
            since,
        )
        .where(Track.obeys.is_not(None))
        .group_by(*fine)
    )
    async with db.session() as session:
        made_rows = (await session.execute(made)).all()
        rated_rows = (await session.execute(rated)).all()
        judged_rows = (await session.execute(judged)).all()

    groups: dict[_Key, dict[str, Any]] = {}
    people: dict[tuple[str, bool], dict[str, Any]] = {}
    for preset, dit, lm, placeholder, by, n, with_rating, approved, rejected, failed in made_rows:
        key = (preset, dit, lm, bool(placeholder))
        _sum_into(
            groups.setdefault(key, {}),
            made=int(n),
            rated=int(with_rating),
            approved=int(approved),
            rejected=int(rejected),
            qc_failed=int(failed),
        )
        if by is not None:
            person = people.setdefault((str(by), bool(placeholder)), {})
            _sum_into(person, approved=int(approved), rejected=int(rejected))
    for preset, dit, lm, placeholder, user, n, score in rated_rows:
        key = (preset, dit, lm, bool(placeholder))
        _sum_into(groups.setdefault(key, {}), ratings=int(n), score_sum=float(score or 0))
        person = people.setdefault((str(user), bool(placeholder)), {})
        _sum_into(person, rated=int(n), score_sum=float(score or 0))
    for preset, dit, lm, placeholder, tempo_n, tempo_ok, key_n, key_ok in judged_rows:
        _sum_into(
            groups.setdefault((preset, dit, lm, bool(placeholder)), {}),
            tempo_judged=int(tempo_n),
            tempo_obeyed=int(tempo_ok),
            key_judged=int(key_n),
            key_obeyed=int(key_ok),
        )
    raters = [
        RaterFigures(user, placeholder, **values) for (user, placeholder), values in people.items()
    ]
    return RatingStats(
        since=since,
        until=until,
        presets=_roll_up(groups, lambda key: key[0]),
        models=_roll_up(groups, lambda key: key[1]),
        lm_models=_roll_up(groups, lambda key: key[2]),
        raters=tuple(sorted(raters, key=lambda r: (r.placeholder, -r.rated, r.rater))),
        real=_total(groups, placeholder=False),
        placeholder=_total(groups, placeholder=True),
    )


def _sum_into(values: dict[str, Any], **more: float) -> None:
    for name, amount in more.items():
        values[name] = values.get(name, 0) + amount


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
        tempo_judged=figures.tempo_judged + values.get("tempo_judged", 0),
        tempo_obeyed=figures.tempo_obeyed + values.get("tempo_obeyed", 0),
        key_judged=figures.key_judged + values.get("key_judged", 0),
        key_obeyed=figures.key_obeyed + values.get("key_obeyed", 0),
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
