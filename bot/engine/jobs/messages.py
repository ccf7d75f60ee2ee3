"""Every sentence the job engine writes for people (job errors, notes, stages)."""


def model_missing(wanted: str, server: str, problem: str) -> str:
    return f"Model '{wanted}' cannot be used on {server}: {problem}"


def rejected_by_server(detail: str) -> str:
    return f"The ACE-Step server refused the request: {detail}"


def server_failed(attempts: int, reason: str) -> str:
    return f"ACE-Step could not make this track ({attempts} tries). Last problem: {reason}"


def server_failed_no_reason() -> str:
    return "the server reported a failure without saying why (its log has the details)"


def no_audio_returned() -> str:
    return "the server finished but returned no audio (it discards takes it detects as silent)"


def task_unknown() -> str:
    return "the server no longer knows this task (it was probably restarted)"


def task_overdue(waited_s: float, expected_s: float) -> str:
    return (
        f"the server has shown this task as in progress for {waited_s / 60:.0f} min, "
        f"far beyond the expected {max(expected_s / 60, 1):.0f} min"
    )


def lost_twice(reason: str) -> str:
    return f"The ACE-Step server lost this job twice, so I stopped retrying: {reason}"


def resubmitted(reason: str) -> str:
    return f"Sent again: {reason}."


def retrying(reason: str, attempt: int) -> str:
    return f"Attempt {attempt} failed ({reason}); trying again."


def moved_server(server: str) -> str:
    return f"Moved to another server because {server} stopped answering."


def server_removed(server: str) -> str:
    return f"Sent again: server {server} is no longer configured."


def topping_up(made: int, wanted: int) -> str:
    return (
        f"The server made {made} of {wanted} variants in one go (its GPU limits batch size); "
        "asking for the rest."
    )


def regenerating(problems: str) -> str:
    return f"A take failed the audio check ({problems}); making it again."


def accepted_despite_check() -> str:
    return "A take failed the audio check again; it is kept and marked with the problem."


def enhancement_unavailable(reason: str) -> str:
    return f"Prompt enhancement was unavailable ({reason}); your own wording was used."


def enhancement_used() -> str:
    return "Prompt enhanced by the server's language model."


def format_changed(asked: str, got: str) -> str:
    return f"Asked for {asked}, the server produced {got}."


def cancelled_on_server() -> str:
    return (
        "Cancelled. The server has no cancel call, so it may still finish the task; "
        "its result will be ignored."
    )


def held_for_server(server: str, reason: str) -> str:
    return (
        f"Held: {server} answered with an error ({reason}); "
        "it will be sent again later or to another server."
    )


def server_errors_gave_up(count: int, reason: str) -> str:
    return (
        f"ACE-Step servers answered with an error {count} times while sending or fetching "
        f"this job, so I stopped trying. Last problem: {reason}"
    )


def refused_by_bot(problem: str) -> str:
    return f"This request cannot be sent to ACE-Step: {problem}"


def submit_in_doubt(server: str, reason: str) -> str:
    return (
        f"No reply from {server} to the submission ({reason}); checking whether it arrived "
        "before sending it again."
    )


def worker_stopped() -> str:
    return "the worker sending it stopped before the reply was stored"


def submit_never_arrived(server: str) -> str:
    return f"Checked {server}: the lost submission never arrived there; sent again."


def possible_duplicate(server: str) -> str:
    return (
        f"{server} probably received the lost submission and may also be making it "
        "(duplicate GPU work); sent again so this job still gets its tracks."
    )


def download_auth_refused() -> str:
    return (
        "Could not download the track: the ACE-Step server refused the bot's API key "
        "(HTTP 401): check ACESTEP_API_KEY."
    )


def download_forbidden() -> str:
    return (
        "Could not download the track: the ACE-Step server refused to hand over the audio file "
        "(HTTP 403); its audio folder setting or a proxy in front of it blocks the download."
    )


def disk_full() -> str:
    return (
        "Could not save the track: the bot's disk is full: free space in OUTPUT_DIR "
        "(or point OUTPUT_DIR at a larger disk), then ask again."
    )


def disk_not_writable() -> str:
    return (
        "Could not save the track: the bot may not write to OUTPUT_DIR: check that folder's "
        "owner and permissions, then ask again."
    )


def disk_error(problem: str) -> str:
    return f"Could not save the track in OUTPUT_DIR: {problem}."
