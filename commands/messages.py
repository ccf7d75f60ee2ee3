"""Every sentence the commands write for people, in one place."""

from bot.generation import format_duration

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
