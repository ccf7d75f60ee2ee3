"""Integrated loudness (EBU R128 / ITU-R BS.1770-4, in LUFS), true peak (dBTP), a peak limiter.

Loudness and true peak are measured by libebur128 (through `pyebur128`), the EBU R128 reference
library also used by ffmpeg and many audio tools. The meter streams: blocks of (frames, channels)
audio are fed in turn, so a ten-minute track costs no second copy of the audio.

Channels are weighted by libebur128's default map: 1-2 channels L, R; 5 channels L, R, C, Ls, Rs;
6 channels L, R, C, LFE (not counted), Ls, Rs. True peak costs about five times as much as loudness
(4x oversampling below 96 kHz), so a meter measures it only when asked.
scipy is imported (lazily) only by the limiter, which only delivery copies use.
"""

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import pyebur128
from numpy.typing import NDArray

LIMITER_WINDOW_S: Final = 0.005  # look-ahead and release of the peak limiter
_BLOCK_FRAMES: Final = 1 << 16
_LOUDNESS: Final = pyebur128.MeasurementMode.MODE_I
_LOUDNESS_AND_TRUE_PEAK: Final = _LOUDNESS | pyebur128.MeasurementMode.MODE_TRUE_PEAK


@dataclass(frozen=True)
class LoudnessReading:
    """Integrated loudness and the highest true peak over all channels (None where undefined)."""

    integrated_lufs: float | None  # None for silence or audio shorter than one 400 ms block
    true_peak_dbtp: float | None  # None for digital silence


class LoudnessMeter:
    """Feed blocks of (frames, channels) audio with `add`; read the results when done."""

    def __init__(self, sample_rate: int, channels: int, *, true_peak: bool = False) -> None:
        self._channels = channels
        self._true_peak = true_peak
        mode = _LOUDNESS_AND_TRUE_PEAK if true_peak else _LOUDNESS
        self._state = pyebur128.R128State(channels, sample_rate, mode)

    def add(self, block: NDArray[np.floating]) -> None:
        """Measure the next block (interleaved for libebur128; float32 and float64 as they are)."""
        if not len(block):
            return
        if block.dtype not in (np.float32, np.float64):
            block = block.astype(np.float32)
        self._state.add_frames(np.ascontiguousarray(block).reshape(-1), len(block))

    def integrated(self) -> float | None:
        """Gated loudness in LUFS; None for audio shorter than one 400 ms block, or silence."""
        return _finite(pyebur128.get_loudness_global(self._state))

    def true_peak_dbtp(self) -> float | None:
        """The highest true peak of any channel in dBTP; None for digital silence."""
        if not self._true_peak:
            raise ValueError("this meter does not measure true peak: create it with true_peak=True")
        peak = max(pyebur128.get_true_peak(self._state, c) for c in range(self._channels))
        return 20 * math.log10(peak) if peak > 0 else None


def integrated_loudness(samples: NDArray[np.floating], sample_rate: int) -> float | None:
    """Loudness of an in-memory (frames, channels) array, measured in blocks (no full copies)."""
    meter = LoudnessMeter(sample_rate, samples.shape[1])
    _feed(meter, samples)
    return meter.integrated()


def measure_loudness(samples: NDArray[np.floating], sample_rate: int) -> LoudnessReading:
    """Loudness and true peak of an in-memory (frames, channels) array, in one pass."""
    meter = LoudnessMeter(sample_rate, samples.shape[1], true_peak=True)
    _feed(meter, samples)
    return LoudnessReading(meter.integrated(), meter.true_peak_dbtp())


def limit_peaks(samples: NDArray[np.float32], sample_rate: int, ceiling_dbfs: float) -> None:
    """Turn the gain down smoothly around peaks so that no sample exceeds the ceiling (in place).

    The gain each frame needs is min-filtered over +/-W, then averaged over +/-W: smooth, yet never
    above what any frame needs (W is `LIMITER_WINDOW_S`). Blocks without a peak are skipped.
    """
    ceiling = np.float32(10 ** (ceiling_dbfs / 20))
    level = _frame_peaks(samples)
    radius = max(1, round(LIMITER_WINDOW_S * sample_rate))
    for start in range(0, len(samples), _BLOCK_FRAMES):
        stop = min(start + _BLOCK_FRAMES, len(samples))
        low, high = max(0, start - 2 * radius), min(len(level), stop + 2 * radius)
        if level[low:high].max() > ceiling:
            gain = _limiter_gain(level[low:high], ceiling, radius)
            samples[start:stop] *= gain[start - low : stop - low, None]


def _limiter_gain(
    level: NDArray[np.float32], ceiling: np.float32, radius: int
) -> NDArray[np.float32]:
    """The limiter's gain for a stretch of frames.

    Frames within 2 x radius of an end cut out of a longer track are not exact, so callers pass
    that much margin around the frames they need.
    """
    from scipy import ndimage  # noqa: PLC0415 -- slow to import; see the module docstring

    needed = ceiling / np.maximum(level, ceiling)
    width = 2 * radius + 1
    smooth = ndimage.minimum_filter1d(needed, width, mode="nearest")
    smooth = ndimage.uniform_filter1d(smooth, width, mode="nearest")
    gain: NDArray[np.float32] = np.minimum(smooth, needed)  # the min only absorbs float rounding
    return gain


def _frame_peaks(samples: NDArray[np.float32]) -> NDArray[np.float32]:
    """The largest absolute sample of each frame, computed in blocks to bound memory."""
    level = np.empty(len(samples), dtype=np.float32)
    for start in range(0, len(samples), _BLOCK_FRAMES):
        level[start : start + _BLOCK_FRAMES] = np.abs(samples[start : start + _BLOCK_FRAMES]).max(
            axis=1
        )
    return level


def _feed(meter: LoudnessMeter, samples: NDArray[np.floating]) -> None:
    for start in range(0, len(samples), _BLOCK_FRAMES):
        meter.add(samples[start : start + _BLOCK_FRAMES])


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
