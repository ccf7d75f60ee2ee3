"""`/music batch 12 sample 10`: post 10 more tracks of a big batch into its digest's thread.

A batch larger than BATCH_POST_ALL_MAX posts only a listening sample (`domain.samples`); this
asks for more of it. The tracks are chosen here — evenly over the batch's tracks that are neither
posted nor chosen yet, preferring those that passed the audio check — and stored
(`storage.samples.draw_more`); Slack's publisher then posts them like any other track, so a
restart or a retry never posts one twice. Who may ask: whoever may manage the batch
(`Caller.may_manage`: the person who started it, an admin, the operator at the terminal).
"""

import re
from typing import Final

from commands import messages as msg
from commands.context import Caller
from commands.errors import UsageError
from commands.ports import CommandServices
from commands.replies import Reply
from domain.records import BatchRecord, BatchStatus
from domain.samples import SAMPLE_MORE_DEFAULT, SAMPLE_MORE_MAX
from storage import batches as batches_repo
from storage import samples as samples_repo

EXAMPLE: Final = "/music batch 12 sample 10"
SLACK_ORIGINS: Final = frozenset({"slack", "schedule"})
_REQUEST = re.compile(r"^#?(\d+)\s+sample\b\s*(.*)$", re.IGNORECASE | re.DOTALL)
_COUNT = re.compile(r"^x?(\d+)$", re.IGNORECASE)


def parse_sample_request(text: str) -> tuple[int, int] | None:
    """`12 sample 10` -> (batch 12, 10 tracks); None when the text is not a sample request.
    Without a number, SAMPLE_MORE_DEFAULT tracks; a count that is not a number is refused."""
    found = _REQUEST.match(text.strip())
    if found is None:
        return None
    rest = found[2].strip()
    if not rest:
        return int(found[1]), SAMPLE_MORE_DEFAULT
    count = _COUNT.match(rest)
    if count is None:
        raise UsageError(
            f"'{rest}' is not a number of tracks: `batch {found[1]} sample 10` posts 10 more "
            f"tracks of batch #{found[1]} into its thread.",
            EXAMPLE,
        )
    return int(found[1]), int(count[1])


async def sample_more(
    services: CommandServices, caller: Caller, batch_id: int, count: int
) -> Reply:
    """Choose `count` more tracks of batch `batch_id` for its thread, after checking who asks."""
    if not 1 <= count <= SAMPLE_MORE_MAX:
        raise UsageError(
            f"Ask for 1 to {SAMPLE_MORE_MAX} more tracks at a time (got {count}).", EXAMPLE
        )
    batch = await batches_repo.get_batch(services.db, batch_id)
    if batch is None:
        return _refused(msg.no_such_batch(batch_id))
    if not caller.may_manage(batch.requested_by):
        return _refused(msg.not_yours(f"Batch #{batch_id}", "ask for more tracks of"))
    problem = _not_sampleable(batch)
    if problem:
        return _refused(problem)
    if await samples_repo.get_rule(services.db, batch_id) is None:
        return _refused(
            f"Batch #{batch_id} posts every one of its tracks in its thread (it is not larger "
            "than BATCH_POST_ALL_MAX), so there is no more to ask for."
        )
    more = await samples_repo.draw_more(services.db, batch_id, count, picked_by=caller.user_id)
    if not more.track_ids:
        return _refused(
            f"Nothing left to post: every kept track of batch #{batch_id} is already in its "
            "thread or on its way there."
        )
    chosen = len(more.track_ids)
    left = more.left_before - chosen
    note = "" if chosen == count else f" (only {chosen} were left)"
    return Reply(
        text=(
            f"Posting {chosen} more track(s) of batch #{batch_id} into its thread{note}; "
            f"{left} not posted remain in the library (`/music tracks batch={batch_id}`)."
        ),
        ephemeral=True,
    )


def _not_sampleable(batch: BatchRecord) -> str | None:
    """Why no more of this batch's tracks can be posted, or None."""
    if batch.evaluation_id is not None:
        return (
            f"Batch #{batch.id} makes candidates for a blind listening test: its tracks are never "
            "posted."
        )
    if batch.origin not in SLACK_ORIGINS or batch.channel_id is None:
        return (
            f"Batch #{batch.id} was not started in Slack, so it has no thread to post into; its "
            f"tracks are in the library (`acemusic tracks --batch {batch.id}`)."
        )
    if batch.status is BatchStatus.RUNNING:
        return (
            f"Batch #{batch.id} is still running: its listening sample is posted as it goes; ask "
            "for more of its tracks once it has finished."
        )
    return None


def _refused(text: str) -> Reply:
    return Reply(text=text, ephemeral=True, ok=False)
