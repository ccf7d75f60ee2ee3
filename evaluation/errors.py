"""Errors of the decision figures, one small hierarchy.

    EvaluationError            base: the inputs cannot make a report
    ├── InvalidVoteError       a score outside 1–5, an empty id, the same rater twice on a pair,
    │                          or one pair filed under two zones
    └── InvalidCostError       negative seconds, prices or track count

Settings out of range (a confidence outside 0–1, no resamples) raise EvaluationError itself.

All derive from ValueError, so a caller that only knows "bad input" may catch that.
"""


class EvaluationError(ValueError):
    """The inputs cannot make a decision report."""


class InvalidVoteError(EvaluationError):
    """A vote (or the set of votes) is malformed."""


class InvalidCostError(EvaluationError):
    """The cost inputs are malformed."""
