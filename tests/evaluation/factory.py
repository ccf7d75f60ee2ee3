"""Vote builders for the evaluation tests: a zone from two pairs × raters grids of scores."""

from collections.abc import Sequence

from evaluation import Vote

Grid = Sequence[Sequence[int | None]]


def zone_votes(zone: str, ace: Grid, incumbent: Grid) -> list[Vote]:
    """One vote per non-None cell: row p is pair f"{zone}-{p}", column r is rater f"r{r}"."""
    votes = []
    for p, (ace_row, incumbent_row) in enumerate(zip(ace, incumbent, strict=True)):
        for r, (a, i) in enumerate(zip(ace_row, incumbent_row, strict=True)):
            if a is not None and i is not None:
                votes.append(Vote(f"{zone}-{p}", zone, f"r{r}", a, i))
    return votes


# Three planted zones of 5 pairs × 3 raters (worked out by hand below each).
INCUMBENT = [[4, 4, 4], [4, 5, 4], [4, 4, 4], [5, 4, 4], [4, 4, 5]]  # mean 63/15 = 4.2
GO_ACE = [[4, 5, 4], [5, 4, 4], [4, 4, 5], [5, 5, 4], [4, 4, 4]]  # mean 65/15: ratio 65/63
NO_GO_ACE = [[2, 2, 1], [2, 3, 2], [1, 2, 2], [2, 2, 3], [2, 1, 2]]  # mean 29/15: ratio 29/63
UNDECIDED_ACE = [[3, 5, 2], [4, 3, 5], [2, 4, 3], [5, 3, 4], [4, 3, 5]]  # 55/15: ratio 55/63


def planted_votes() -> list[Vote]:
    """spa clearly GO, quick-service clearly NO-GO, hotel-lobby UNDECIDED."""
    return [
        *zone_votes("spa", GO_ACE, INCUMBENT),
        *zone_votes("quick-service", NO_GO_ACE, INCUMBENT),
        *zone_votes("hotel-lobby", UNDECIDED_ACE, INCUMBENT),
    ]
