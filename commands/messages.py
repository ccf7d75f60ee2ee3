"""Every sentence the commands write for people, in one place."""

from domain.request import format_duration

PLACEHOLDER_WARNING = (
    "⚠️ Built-in ACE-Step stand-in: tracks are PLACEHOLDER audio (simple synthesised "
    "arrangements), not AI-generated music."
)
INTERNAL_ERROR = "Something went wrong on our side and has been logged. Please try again."


def job_queued(job_id: int) -> str:
    return f"Job #{job_id} queued."


def wait_estimate(ahead: int, seconds: float | None) -> str:
    position = "next in line" if ahead == 0 else f"{ahead} job(s) ahead"
    if seconds is None:
        return position
    return f"{position}, ready in about {format_duration(max(seconds, 1))}"


def no_such_job(job_id: int) -> str:
    return f"There is no job #{job_id}."


def already_finished(job_id: int, status: str) -> str:
    return f"Job #{job_id} has already finished ({status}); nothing to cancel."


def cancelled(job_id: int) -> str:
    return f"Job #{job_id} cancelled."


def model_not_found(wanted: str, problem: str) -> str:
    return f"Model '{wanted}' is not available: {problem}"


# --- Batches ------------------------------------------------------------------------------------


def batch_needs_preset() -> str:
    return "Which preset should the batch use? `/music presets` lists them."


def batch_unknown_preset(words: str) -> str:
    return f"No preset is called '{words}'. `/music presets` lists the ones you can name."


def batch_empty() -> str:
    return "Nothing to make: no row of the batch could be used."


def batch_dry_run(name: str, tracks: int) -> str:
    return f"Dry run — batch '{name}' would make {tracks} tracks. Nothing was started."


def batch_needs_confirmation(tracks: int, threshold: int, hint: str | None) -> str:
    how = f"send `{hint}`" if hint else "confirm it"
    return (
        f"This batch makes {tracks} tracks, more than {threshold} (BATCH_CONFIRM_TRACKS). "
        f"Check the estimate below; to start it, {how}."
    )


def batch_started(batch_id: int, name: str, tracks: int) -> str:
    return f"Batch #{batch_id} started: {name}, {tracks} tracks."


def batch_started_text(jobs: int) -> str:
    return (
        f"{jobs} jobs queued behind any interactive request; progress and tracks follow in the "
        "batch's digest."
    )


def gpu_time(gpu_seconds: float, job_seconds: float, measured: bool) -> str:
    basis = "measured" if measured else "not measured yet, the server's default guess"
    return f"about {human_duration(gpu_seconds)} ({job_seconds:.1f} s per job, {basis})"


def ready_in(wall_seconds: float, servers: int) -> str:
    plural = "server" if servers == 1 else "servers"
    return f"about {human_duration(wall_seconds)} with {servers} {plural} on it"


def cost(total: float | None, per_track: float | None) -> str:
    if total is None or per_track is None:
        return "not estimated: set GPU_COST_PER_HOUR (USD per GPU hour)"
    return f"about ${total:,.2f} (${per_track:.4f} per track)"


def human_duration(seconds: float) -> str:
    """`45` -> `45 s`, `750` -> `12 min`, `7500` -> `2 h 5 min`."""
    whole = max(round(seconds), 1)
    if whole < 60:
        return f"{whole} s"
    minutes = round(whole / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


# --- Who may do what (owner or admin; quotas) ---


def not_yours(thing: str, verb: str) -> str:
    """`thing` ("Job #3") belongs to someone else, and this caller is not an admin.

    Plain words, no Slack mention: replies are plain text that every adapter escapes."""
    return f"{thing} is not yours: only the person who made it or an admin may {verb} it."


def no_such_batch(batch_id: int) -> str:
    return f"There is no batch #{batch_id}."


def batch_cancelled(batch_id: int, jobs: int) -> str:
    return f"Batch #{batch_id}: {jobs} unfinished job(s) cancelled."


def over_quota(tracks: int, left: int, quota: int, setting: str = "DAILY_TRACK_QUOTA") -> str:
    return (
        f"That would be {tracks} more track(s), but you have {left} of your {quota} for today "
        f"left ({setting}; the count resets at 00:00 UTC). Ask for fewer variants, or ask an admin."
    )


def schedule_too_often(minutes: float) -> str:
    return (
        f"A schedule may run at most once every {minutes:g} minutes "
        "(SCHEDULE_MIN_INTERVAL_MINUTES); these times come closer than that."
    )


def schedule_skipped(schedule_id: int, description: str, problem: str) -> str:
    return f"Schedule #{schedule_id} ({description}) started no batch this time: {problem}"
