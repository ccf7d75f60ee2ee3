"""`/music schedule …`, `schedules`, `unschedule N`, `pause N`, `resume N`: daily batches.

A schedule is a batch command (`hotel-lobby x20`) and when to run it (`daily 09:00 tz=Asia/Bangkok`,
`weekdays 9:30`, `every monday 08:00`, or a cron expression). It is stored in the database and run
by the bot's scheduler (`bot/engine/schedules/runner.py`), which posts each run's digest in the
channel the schedule was made in. Who may schedule: SLACK_SCHEDULE_USERS and admins (everyone when
both are empty). Only the schedule's creator, an admin or the operator may pause, resume or delete
it. Each run is capped at SCHEDULE_MAX_TRACKS tracks, counts against its creator's daily quota (or
SCHEDULE_DAILY_TRACK_QUOTA, see `commands.quota`), and runs are at least
SCHEDULE_MIN_INTERVAL_MINUTES apart.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from commands import messages as msg
from commands.batch import BatchSource, parse_batch_args, plan_from_args, submit_plan
from commands.context import Admission, Caller
from commands.errors import UsageError
from commands.ports import CommandServices
from commands.quota import schedule_refusal
from commands.replies import Reply
from commands.schedule_spec import ScheduleSpec, check_interval, parse_schedule
from domain.records import ScheduleRecord, ScheduleStatus
from domain.schedules import RunOutcome, next_fire
from storage import schedules as schedules_repo

EXAMPLE = "/music schedule daily 09:00 hotel-lobby x20 tz=Asia/Bangkok"
LIST_LIMIT = 25
_VERBS = {  # new status -> verb
    ScheduleStatus.DELETED: "delete",
    ScheduleStatus.PAUSED: "pause",
    ScheduleStatus.ACTIVE: "resume",
}


async def schedule(text: str, services: CommandServices, caller: Caller) -> Reply:
    """schedule daily 09:00 <preset> xN [tz=Asia/Bangkok] — run a batch every day (or `weekdays`, `every monday`, `cron "0 9 * * 1-5"`)"""  # noqa: E501
    refusal = _may_schedule(services, caller)
    if refusal:
        return Reply(text=refusal, ephemeral=True, ok=False)
    if not caller.channel_id:
        raise UsageError("Schedules post to a channel: make them from Slack.", EXAMPLE)
    spec = parse_schedule(text, default_tz=services.policy.schedule_timezone)
    now = datetime.now(UTC)
    check_interval(spec, min_interval(services), now)
    tracks = _check_batch(spec, services)
    first = next_fire(spec.expression, spec.timezone, now)
    if first is None:
        raise UsageError(f"'{spec.description}' never happens.", EXAMPLE)
    record = await schedules_repo.create_schedule(
        services.db,
        channel_id=caller.channel_id,
        created_by=caller.user_id or caller.origin,
        expression=spec.expression,
        timezone=spec.timezone,
        batch_text=spec.batch_text,
        description=spec.description,
        next_run_at=first,
        max_tracks_per_run=services.policy.schedule_max_tracks,
    )
    return Reply(
        title=f"Schedule #{record.id} saved: {spec.description}.",
        text=f"Each run makes `{spec.batch_text}` ({tracks} tracks) and posts its digest here.",
        fields=(("Next run", _when(first, spec.timezone)),),
        ephemeral=True,
    )


async def schedules(text: str, services: CommandServices, caller: Caller) -> Reply:
    """schedules — the schedules of this channel and when each runs next"""
    found = await schedules_repo.list_schedules(
        services.db,
        channel_id=caller.channel_id,
        statuses=(ScheduleStatus.ACTIVE, ScheduleStatus.PAUSED),
    )
    if not found:
        return Reply(text=f"No schedules here yet. Example: {EXAMPLE}", ephemeral=True)
    lines = tuple(_line(record) for record in found[:LIST_LIMIT])
    return Reply(text=f"{len(found)} schedule(s):", lines=lines, ephemeral=True)


async def unschedule(text: str, services: CommandServices, caller: Caller) -> Reply:
    """unschedule N — delete schedule N (batches already started go on)"""
    return await _set_status(text, services, caller, ScheduleStatus.DELETED, "deleted")


async def pause(text: str, services: CommandServices, caller: Caller) -> Reply:
    """pause N — stop schedule N from running until `resume N`"""
    return await _set_status(text, services, caller, ScheduleStatus.PAUSED, "paused")


async def resume(text: str, services: CommandServices, caller: Caller) -> Reply:
    """resume N — run schedule N again from its next time (missed runs are not made up)"""
    return await _set_status(text, services, caller, ScheduleStatus.ACTIVE, "resumed")


async def fire_schedule(
    services: CommandServices, record: ScheduleRecord, fire_time: datetime
) -> RunOutcome:
    """Start one run of a schedule: a batch posted in the schedule's channel."""
    refusal = _no_longer_allowed(services, record)
    if refusal:
        return RunOutcome(None, refusal)
    args = parse_batch_args(record.batch_text)
    seed = int(fire_time.timestamp()) % 2**31  # a new plan every run, reproducible from the time
    try:
        plan = plan_from_args(args, services, seed=seed)
    except UsageError as error:
        return RunOutcome(None, error.message)
    if plan.tracks > record.max_tracks_per_run:
        limit = record.max_tracks_per_run
        return RunOutcome(None, f"{plan.tracks} tracks is over this schedule's limit of {limit}")
    caller = Caller(
        "schedule",
        user_id=record.created_by,
        channel_id=record.channel_id,
        admit=_schedule_quota(services, record.created_by),
    )
    preset_id = plan.jobs[0].request.preset_id if plan.jobs else None
    name = f"{preset_id or args.words} (schedule #{record.id})"
    source = BatchSource(name, preset_id, seed, schedule_id=record.id)
    reply = await submit_plan(services, caller, plan, source, confirmed=True)
    return RunOutcome(reply.batch_id, None if reply.ok else reply.text)


def min_interval(services: CommandServices) -> timedelta:
    """The least time between two runs of one schedule (SCHEDULE_MIN_INTERVAL_MINUTES)."""
    return timedelta(minutes=services.policy.schedule_min_interval_minutes)


def _schedule_quota(services: CommandServices, creator: str) -> Admission:
    """A run's admission: its creator's daily quota, or SCHEDULE_DAILY_TRACK_QUOTA."""

    async def admit(tracks: int) -> str | None:
        return await schedule_refusal(
            services.db, services.policy, creator=creator, tracks=tracks, now=datetime.now(UTC)
        )

    return admit


def _no_longer_allowed(services: CommandServices, record: ScheduleRecord) -> str | None:
    """Why a stored schedule may not run now that the allow-lists changed, or None."""
    policy, creator, channel = services.policy, record.created_by, record.channel_id
    if creator in policy.admin_users:
        return None
    lists = (
        ("its creator", "SLACK_ALLOWED_USERS", policy.allowed_users, creator),
        ("its creator", "SLACK_SCHEDULE_USERS", policy.schedule_users, creator),
        ("this channel", "SLACK_ALLOWED_CHANNELS", policy.allowed_channels, channel),
    )
    for who, name, allowed, value in lists:
        if allowed and value not in allowed:
            return f"{who} is no longer in {name}"
    return None


def _may_schedule(services: CommandServices, caller: Caller) -> str | None:
    policy = services.policy
    allowed = set(policy.schedule_users) | set(policy.admin_users)
    if not policy.schedule_users or caller.origin != "slack":
        return None
    if caller.user_id in allowed:
        return None
    return "Only the people in SLACK_SCHEDULE_USERS (and admins) may make schedules."


def _check_batch(spec: ScheduleSpec, services: CommandServices) -> int:
    """Plan the batch once now, so a schedule that could never run is refused at once."""
    plan = plan_from_args(parse_batch_args(spec.batch_text), services, seed=0)
    cap = services.policy.schedule_max_tracks
    if plan.tracks > cap:
        raise UsageError(
            f"A scheduled run may make at most {cap} tracks (SCHEDULE_MAX_TRACKS); "
            f"'{spec.batch_text}' makes {plan.tracks}.",
            EXAMPLE,
        )
    return plan.tracks


async def _set_status(
    text: str, services: CommandServices, caller: Caller, status: ScheduleStatus, verb: str
) -> Reply:
    number = text.strip().lstrip("#")
    if not number.isdigit():
        raise UsageError("Which schedule? Give its number from `/music schedules`.", EXAMPLE)
    record = await schedules_repo.get_schedule(services.db, int(number))
    if record is None or record.status is ScheduleStatus.DELETED:
        raise UsageError(f"There is no schedule #{number}.", "/music schedules")
    refusal = _may_schedule(services, caller)
    if not refusal and not caller.may_manage(record.created_by):
        refusal = msg.not_yours(f"Schedule #{record.id}", _VERBS[status])
    if refusal:
        return Reply(text=refusal, ephemeral=True, ok=False)
    next_run = (
        next_fire(record.expression, record.timezone, datetime.now(UTC))
        if status is ScheduleStatus.ACTIVE
        else None
    )
    if (
        await schedules_repo.set_status(services.db, record.id, status, next_run_at=next_run)
        is None
    ):
        raise UsageError(f"There is no schedule #{number} (just deleted).", "/music schedules")
    return Reply(text=f"Schedule #{record.id} {verb}: {record.description}.", ephemeral=True)


def _line(record: ScheduleRecord) -> str:
    state = (
        "paused"
        if record.status is ScheduleStatus.PAUSED
        else (
            f"next {_when(record.next_run_at, record.timezone)}"
            if record.next_run_at
            else "no next run"
        )
    )
    line = f"#{record.id} {record.description}: `{record.batch_text}` — {state}"
    line += f", {record.runs} run(s)"
    return f"{line}; last run: {record.last_problem}" if record.last_problem else line


def _when(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %H:%M %Z")
