"""Per-frame power of a block, and its sums over consecutive fixed-size windows.

Measurements stream through a file block by block; windows (the 100 ms silence windows) rarely
line up with block edges, so the frames left over from one block are carried into the next.
"""

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

Series = NDArray[np.float64]


def channel_power(block: NDArray[np.floating], weights: Sequence[float]) -> Series:
    """Per frame, the weighted sum over channels of the squared samples (in float64).

    Column by column: numpy reduces a short last axis (2 channels) several times slower.
    """
    power = np.zeros(len(block))
    for channel, weight in enumerate(weights):
        squared = np.square(block[:, channel], dtype=np.float64)
        power += squared if weight == 1.0 else weight * squared
    return power


class WindowSums:
    """Accumulates `sum(values)` per window of `window` frames."""

    def __init__(self, window: int) -> None:
        if window <= 0:
            raise ValueError(f"window must be at least one frame, not {window}")
        self.window = window
        self._carry: Series = np.zeros(0)
        self._sums: list[Series] = []

    def add(self, values: Series) -> None:
        """Feed the next frames of the series."""
        if self._carry.size:
            values = np.concatenate([self._carry, values])
        whole = values.size - values.size % self.window
        self._sums.append(values[:whole].reshape(-1, self.window).sum(axis=1))
        self._carry = values[whole:].copy()

    def complete(self) -> Series:
        """Sums of every complete window so far, in order."""
        return np.concatenate(self._sums) if self._sums else np.zeros(0)

    def remainder(self) -> tuple[float, int]:
        """Sum and frame count of the trailing, incomplete window (0 frames if there is none)."""
        return float(self._carry.sum()), int(self._carry.size)
