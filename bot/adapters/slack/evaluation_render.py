"""What a listening session looks like in Slack: the thread's root message, each pair's vote
card, the vote form, and the files' neutral names.

Blinding: everything here is built from the session's name, the pair's neutral label
(`pair-07`), vote counts and the rater's own vote. Nothing reads a pair's reference, candidate,
zone, job or track, so nothing here can name the source, the model, the seed or the preset.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from bot.adapters.slack.escape import escape_mrkdwn
from bot.adapters.slack.modal_kit import option, plain, static_select
from bot.adapters.slack.render import Block, button, context, section
from commands.evaluation.start import who_may_vote
from commands.evaluation.votes import COMMENT_MAX, SCORES
from domain.evaluations import EvalPairRecord, EvalSessionRecord, EvalVoteRecord, Side

VOTE_ACTION: Final = "eval_vote"  # the card's Vote button; value: the pair id
VOTE_MODAL: Final = "eval_vote_form"
SCORE_A: Final = "score_a"  # block id and action id of A's select
SCORE_B: Final = "score_b"
COMMENT: Final = "comment"
LISTENING_FORMAT: Final = ".mp3"


def listening_name(pair: EvalPairRecord, side: Side) -> str:
    """`pair-07-A.mp3`: the file's name and title in Slack."""
    return f"{pair.label}-{side}{LISTENING_FORMAT}"


def listening_file(pair: EvalPairRecord, side: Side) -> Path | None:
    """The rendered listening file of one side, if the pair has it."""
    path = pair.file_a if side == "A" else pair.file_b
    return Path(path) if path else None


def root_text(session: EvalSessionRecord, pairs: int) -> str:
    """The listening thread's first message."""
    return (
        f"Listening session {escape_mrkdwn(session.name)}: {pairs} pairs. Score A and B from 1 "
        "to 5 (5 is best) with the Vote button under each pair; you can change your vote until "
        f"the session closes. Who may vote: {who_may_vote(session)}."
    )


@dataclass(frozen=True)
class CardView:
    """What one pair's card shows: its label, how many have voted, whether voting is over."""

    pair: EvalPairRecord
    voters: int
    closed: bool

    @property
    def key(self) -> str:
        """Changes exactly when the card's content does (stored to skip needless edits)."""
        return f"{self.voters}:{int(self.closed)}"

    def text(self) -> str:
        """The card's fallback text."""
        return f"{self.pair.label}: {self._count()}"

    def blocks(self) -> list[Block]:
        """Label, the files' names, the count, and the Vote button while voting is open."""
        pair = self.pair
        names = f"`{listening_name(pair, 'A')}` and `{listening_name(pair, 'B')}`"
        blocks = [section(f"*{pair.label}* — listen to {names} above, then vote.")]
        blocks.append(context(self._count()))
        if not self.closed:
            vote = button("Vote", VOTE_ACTION, str(pair.id), style="primary")
            blocks.append({"type": "actions", "elements": [vote]})
        return blocks

    def _count(self) -> str:
        raters = "1 rater has" if self.voters == 1 else f"{self.voters} raters have"
        return f"{raters} voted" + (" · voting closed" if self.closed else "")


def vote_form(
    pair: EvalPairRecord, vote: EvalVoteRecord | None, *, channel_id: str, thread_ts: str | None
) -> dict[str, Any]:
    """The vote modal: A and B from 1 to 5 and a one-line comment, prefilled with `vote`."""
    options = [option(f"{n}{_WORDS.get(n, '')}", str(n)) for n in SCORES]
    comment: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": COMMENT,
        "max_length": COMMENT_MAX,
        "multiline": False,
    }
    if vote is not None and vote.comment:
        comment["initial_value"] = vote.comment
    metadata = {"pair": pair.id, "channel": channel_id, "thread": thread_ts}
    return {
        "type": "modal",
        "callback_id": VOTE_MODAL,
        "private_metadata": json.dumps(metadata),
        "title": plain(f"Vote: {pair.label}"),
        "submit": plain("Vote"),
        "close": plain("Cancel"),
        "blocks": [
            _select(
                SCORE_A, f"A ({listening_name(pair, 'A')})", options, vote.score_a if vote else None
            ),
            _select(
                SCORE_B, f"B ({listening_name(pair, 'B')})", options, vote.score_b if vote else None
            ),
            {
                "type": "input",
                "block_id": COMMENT,
                "optional": True,
                "label": plain("Comment (one line, optional)"),
                "element": comment,
            },
        ],
    }


_WORDS: Final = {1: " — poor", 3: " — fair", 5: " — excellent"}


def _select(block_id: str, label: str, options: list[Any], score: int | None) -> Block:
    selected = str(score) if score else None
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": static_select(block_id, selected=selected, options=options),
    }


@dataclass(frozen=True)
class FormVote:
    """A submitted vote form."""

    pair_id: int
    channel_id: str
    thread_ts: str | None
    score_a: str | None
    score_b: str | None
    comment: str | None


def read_form(view: dict[str, Any]) -> FormVote:
    """The pair, place and values of a submitted vote form."""
    metadata = json.loads(view.get("private_metadata") or "{}")
    values = view.get("state", {}).get("values", {})

    def chosen(block: str) -> str | None:
        selected = (values.get(block, {}).get(block) or {}).get("selected_option") or {}
        return selected.get("value")

    comment = (values.get(COMMENT, {}).get(COMMENT) or {}).get("value")
    return FormVote(
        pair_id=int(metadata.get("pair") or 0),
        channel_id=str(metadata.get("channel") or ""),
        thread_ts=metadata.get("thread"),
        score_a=chosen(SCORE_A),
        score_b=chosen(SCORE_B),
        comment=comment,
    )
