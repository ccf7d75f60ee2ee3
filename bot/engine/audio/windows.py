"""Sums of a streamed series over consecutive fixed-size windows.

Measurements stream through a file block by block; windows (the 100 ms silence windows) rarely
line up with block edges, so the part of a window begun in one block is completed from the next
without copying either block.
"""

import numpy as np
from numpy.typing import NDArray

Series = NDArray[np.float64]


class WindowSums:
    """Accumulates `sum(values)` per window of `window` values."""

    def __init__(self, window: int) -> None:
        if window <= 0:
            raise ValueError(f"window must be at least one value, not {window}")
        self.window = window
        self._partial = 0.0  # sum of the values of the window begun but not yet complete
        self._filled = 0  # how many values that window holds
        self._sums: list[Series] = []

    def add(self, values: Series) -> None:
        """Feed the next values of the series."""
        if self._filled:
            head = values[: self.window - self._filled]
            self._partial += float(head.sum())
            self._filled += head.size
            if self._filled < self.window:
                return
            self._sums.append(np.array([self._partial]))
            self._partial, self._filled = 0.0, 0
            values = values[head.size :]
        whole = values.size - values.size % self.window
        if whole:
            self._sums.append(values[:whole].reshape(-1, self.window).sum(axis=1))
        if whole < values.size:
            self._partial, self._filled = float(values[whole:].sum()), values.size - whole

    def complete(self) -> Series:
        """Sums of every complete window so far, in order."""
        return np.concatenate(self._sums) if self._sums else np.zeros(0)

    def remainder(self) -> tuple[float, int]:
        """Sum and count of the values of the trailing, incomplete window (0 if there is none)."""
        return self._partial, self._filled
