"""`/music schedule …`, `schedules`, `unschedule N`, `pause N`, `resume N`: daily batches.

A schedule is a batch command (`hotel-lobby x20`) and when to run it (`daily 09:00 tz=Asia/Bangkok`,
`weekdays 9:30`, `every monday 08:00`, or a cron expression). It is stored in the database and run
by the bot's scheduler (`bot/scheduler.py`), which posts each run's digest in the channel the
schedule was made in. Who may schedule: SLACK_SCHEDULE_USERS and admins (everyone when both are
empty); each run is capped at SCHEDULE_MAX_TRACKS tracks.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.scheduler import RunOutcome
from bot.services import Services
from commands.batch import BatchSource, parse_batch_args, plan_from_args, submit_plan
from commands.context import Caller
from commands.errors import UsageError
from commands.replies import Reply
from commands.schedule_spec import ScheduleSpec, next_fire, parse_schedule
from storage import schedules as schedules_repo
from storage.records import ScheduleRecord

EXAMPLE = "/music schedule daily 09:00 hotel-lobby x20 tz=Asia/Bangkok"
LIST_LIMIT = 25


async def schedule(text: str, services: Services, caller: Caller) -> Reply:
    """schedule daily 09:00 <preset> xN [tz=Asia/Bangkok] — run a batch every day (or `weekdays`, `every monday`, `cron "0 9 * * 1-5"`)"""  # noqa: E501
    refusal = _may_schedule(services, caller)
    if refusal:
        return Reply(text=refusal, ephemeral=True, ok=False)
    if not caller.channel_id:
        raise UsageError("Schedules post to a channel: make them from Slack.", EXAMPLE)
    spec = parse_schedule(text, default_tz=services.settings.schedule_timezone)
    tracks = _check_batch(spec, services)
    now = datetime.now(UTC)
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
        max_tracks_per_run=services.settings.schedule_max_tracks,
    )
    return Reply(
        title=f"Schedule #{record.id} saved: {spec.description}.",
        text=f"Each run makes `{spec.batch_text}` ({tracks} tracks) and posts its digest here.",
        fields=(("Next run", _when(first, spec.timezone)),),
        ephemeral=True,
    )


async def schedules(text: str, services: Services, caller: Caller) -> Reply:
    """schedules — the schedules of this channel and when each runs next"""
    found = await schedules_repo.list_schedules(
        services.db, channel_id=caller.channel_id, statuses=("active", "paused")
    )
    if not found:
        return Reply(text=f"No schedules here yet. Example: {EXAMPLE}", ephemeral=True)
    lines = tuple(_line(record) for record in found[:LIST_LIMIT])
    return Reply(text=f"{len(found)} schedule(s):", lines=lines, ephemeral=True)


async def unschedule(text: str, services: Services, caller: Caller) -> Reply:
    """unschedule N — delete schedule N (batches already started go on)"""
    return await _set_status(text, services, caller, "deleted", "deleted")


async def pause(text: str, services: Services, caller: Caller) -> Reply:
    """pause N — stop schedule N from running until `resume N`"""
    return await _set_status(text, services, caller, "paused", "paused")


async def resume(text: str, services: Services, caller: Caller) -> Reply:
    """resume N — run schedule N again from its next time (missed runs are not made up)"""
    return await _set_status(text, services, caller, "active", "resumed")


async def fire_schedule(
    services: Services, record: ScheduleRecord, fire_time: datetime
) -> RunOutcome:
    """Start one run of a schedule: a batch posted in the schedule's channel."""
    args = parse_batch_args(record.batch_text)
    seed = int(fire_time.timestamp()) % 2**31  # a new plan every run, reproducible from the time
    try:
        plan = plan_from_args(args, services, seed=seed)
    except UsageError as error:
        return RunOutcome(None, error.message)
    if plan.tracks > record.max_tracks_per_run:
        limit = record.max_tracks_per_run
        return RunOutcome(None, f"{plan.tracks} tracks is over this schedule's limit of {limit}")
    caller = Caller("schedule", user_id=record.created_by, channel_id=record.channel_id)
    preset_id = plan.jobs[0].request.preset_id if plan.jobs else None
    name = f"{preset_id or args.words} (schedule #{record.id})"
    source = BatchSource(name, preset_id, seed, schedule_id=record.id)
    reply = await submit_plan(services, caller, plan, source, confirmed=True)
    return RunOutcome(reply.batch_id, None if reply.ok else reply.text)


def _may_schedule(services: Services, caller: Caller) -> str | None:
    settings = services.settings
    allowed = set(settings.slack_schedule_users) | set(settings.slack_admin_users)
    if not settings.slack_schedule_users or caller.origin != "slack":
        return None
    if caller.user_id in allowed:
        return None
    return "Only the people in SLACK_SCHEDULE_USERS (and admins) may make schedules."


def _check_batch(spec: ScheduleSpec, services: Services) -> int:
    """Plan the batch once now, so a schedule that could never run is refused at once."""
    plan = plan_from_args(parse_batch_args(spec.batch_text), services, seed=0)
    cap = services.settings.schedule_max_tracks
    if plan.tracks > cap:
        raise UsageError(
            f"A scheduled run may make at most {cap} tracks (SCHEDULE_MAX_TRACKS); "
            f"'{spec.batch_text}' makes {plan.tracks}.",
            EXAMPLE,
        )
    return plan.tracks


async def _set_status(
    text: str, services: Services, caller: Caller, status: str, verb: str
) -> Reply:
    number = text.strip().lstrip("#")
    if not number.isdigit():
        raise UsageError("Which schedule? Give its number from `/music schedules`.", EXAMPLE)
    record = await schedules_repo.get_schedule(services.db, int(number))
    if record is None or record.status == "deleted":
        raise UsageError(f"There is no schedule #{number}.", "/music schedules")
    refusal = _may_schedule(services, caller)
    if refusal:
        return Reply(text=refusal, ephemeral=True, ok=False)
    next_run = (
        next_fire(record.expression, record.timezone, datetime.now(UTC))
        if status == "active"
        else None
    )
    await schedules_repo.set_status(services.db, record.id, status, next_run_at=next_run)
    return Reply(text=f"Schedule #{record.id} {verb}: {record.description}.", ephemeral=True)


def _line(record: ScheduleRecord) -> str:
    state = (
        "paused"
        if record.status == "paused"
        else (
            f"next {_when(record.next_run_at, record.timezone)}"
            if record.next_run_at
            else "no next run"
        )
    )
    return (
        f"#{record.id} {record.description}: `{record.batch_text}` — {state}, {record.runs} run(s)"
    )


def _when(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %H:%M %Z")
