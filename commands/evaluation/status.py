"""`eval status <session>` and `eval` alone: where listening-test sessions are.

Shown: the session's state, its references per zone, its pairs by state (with the reason of each
pair that has no candidate or broke) and the progress of its candidates' batch. Never shown: which
side of a pair, which file or which track is ACE-Step's, nor presets, seeds or captions.
"""

from collections import Counter

from commands.errors import UsageError
from commands.evaluation.args import EXAMPLE_IMPORT
from commands.ports import CommandServices
from commands.replies import Reply
from domain.evaluations import EvalSessionRecord, PairState
from storage import batches as batches_repo
from storage import evaluations as evaluations_repo

LISTED = 20
_PAIR_WORDS = {
    PairState.READY: "ready",
    PairState.WAITING: "waiting for candidates",
    PairState.NO_CANDIDATE: "no ACE-Step candidate",
    PairState.BROKEN: "broken",
}


async def session_status(services: CommandServices, name: str) -> Reply:
    """One session's state, references, pairs and candidates' progress."""
    session = await evaluations_repo.get_session(services.db, name)
    if session is None:
        raise UsageError(f"No session is called {name}.", EXAMPLE_IMPORT)
    references = await evaluations_repo.list_references(services.db, session.id)
    pairs = await evaluations_repo.list_pairs(services.db, session.id)
    zones = Counter(reference.zone for reference in references)
    states = Counter(pair.state for pair in pairs)
    fields = [
        ("State", session.status.value),
        ("References", _counts(zones) or "none yet"),
        ("Pairs", ", ".join(f"{states[s]} {w}" for s, w in _PAIR_WORDS.items() if states[s])),
    ]
    if session.batch_id is not None:
        fields.append(("Candidates", await _progress(services, session.batch_id)))
    if session.settings.get("best_of"):
        fields.append(("Best of", str(session.settings["best_of"])))
    lines = tuple(
        f"{pair.label} ({pair.zone}): {pair.reason}"
        for pair in pairs
        if pair.state in (PairState.NO_CANDIDATE, PairState.BROKEN)
    )
    return Reply(
        title=f"Listening test {session.name}",
        text=_next_step(session, bool(references), bool(pairs)),
        fields=tuple((label, value or "none yet") for label, value in fields),
        lines=lines,
    )


async def list_sessions_reply(services: CommandServices) -> Reply:
    """The latest sessions, newest first, with their state."""
    sessions = await evaluations_repo.list_sessions(services.db, limit=LISTED)
    if not sessions:
        return Reply(
            text=f"No listening-test session yet. Import references to start one: {EXAMPLE_IMPORT}",
            ephemeral=True,
        )
    lines = tuple(
        f"{session.name}: {session.status.value}, created {session.created_at:%Y-%m-%d}"
        for session in sessions
    )
    return Reply(title="Listening-test sessions", text=f"{len(sessions)} session(s).", lines=lines)


async def _progress(services: CommandServices, batch_id: int) -> str:
    tally = await batches_repo.tally(services.db, batch_id)
    text = (
        f"{tally.tracks_made}/{tally.tracks_requested} tracks made, {tally.unfinished} job(s) to go"
    )
    return text + (f", {tally.failed_jobs} failed" if tally.failed_jobs else "")


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{key} {count}" for key, count in sorted(counter.items()))


def _next_step(session: EvalSessionRecord, references: bool, pairs: bool) -> str:
    name = session.name
    match session.status.value:
        case "collecting" if not references:
            return f"Session {name} has no references yet."
        case "collecting":
            return f"Session {name} is collecting references; next: `/music eval prepare {name}`."
        case "preparing":
            return f"Session {name} is preparing its candidates."
        case "ready":
            return f"Session {name} is ready; next: `/music eval start {name}`."
        case "listening":
            return f"Session {name} is open for votes; `/music eval close {name}` ends it."
        case _:
            return f"Session {name} is closed; `/music eval report {name}` gives the report."
