"""Integrated loudness (ITU-R BS.1770-4, in LUFS) measured block by block, and a peak limiter.

The meter streams: a file is measured in fixed-size blocks with the filter state carried across, so
a ten-minute track costs a few megabytes, not a second copy of the audio. Its readings agree with
pyloudnorm's to within a few hundredths of a LU (the tests compare them).

The K-weighting filter runs as FFT convolution with the cascade's impulse response (numpy only):
`scipy.signal` would cost seconds to import and about 60 MB of memory in every process that checks
audio. The response is long enough that what is cut off is far below measurement precision.
scipy is imported (lazily) only by the limiter, which only delivery copies use.
"""

import functools
import math
from typing import Final

import numpy as np
from numpy.typing import NDArray

from bot.engine.audio.windows import WindowSums, channel_power

ABSOLUTE_GATE_LUFS: Final = -70.0
RELATIVE_GATE_LU: Final = -10.0
HOP_S: Final = 0.1  # gating blocks of 400 ms overlap by 75 %: four hops of 100 ms each
HOPS_PER_BLOCK: Final = 4
CHANNEL_WEIGHTS: Final = (1.0, 1.0, 1.0, 1.41, 1.41)  # L, R, C, Ls, Rs
LIMITER_WINDOW_S: Final = 0.005  # look-ahead and release of the peak limiter
_BLOCK_FRAMES: Final = 1 << 16
# The K-weighting impulse response is cut after 4096 taps at 48 kHz (85 ms): the L1 norm of what is
# cut off, which bounds the error of any output sample for full-scale input, is below 3e-8.
RESPONSE_S: Final = 4096 / 48_000
FFT_SIZE: Final = 1 << 14  # small transforms stay in cache: ~5x cheaper per sample than 2**17


def k_weighting(sample_rate: int) -> NDArray[np.float64]:
    """The K-weighting pre-filter (high shelf, then high pass) as second-order sections.

    The coefficients follow the published design equations, which reproduce BS.1770's 48 kHz
    table exactly and extend it to any sample rate.
    """
    k = math.tan(math.pi * 1681.974450955533 / sample_rate)
    q = 0.7071752369554196
    vh = 10 ** (3.999843853973347 / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]
    shelf += [1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    k = math.tan(math.pi * 38.13547087602444 / sample_rate)
    q = 0.5003270373238773
    a0 = 1 + k / q + k * k
    high_pass = [1.0, -2.0, 1.0, 1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    return np.array([shelf, high_pass], dtype=np.float64)


@functools.lru_cache(maxsize=8)
def k_weighting_response(sample_rate: int) -> NDArray[np.float64]:
    """The K-weighting cascade's impulse response, `RESPONSE_S` long (computed once per rate)."""
    response = np.zeros(round(RESPONSE_S * sample_rate))
    response[0] = 1.0
    for b0, b1, b2, _a0, a1, a2 in k_weighting(sample_rate):
        response = _biquad(response, (b0, b1, b2), (a1, a2))
    return response


def _biquad(
    x: NDArray[np.float64], b: tuple[float, float, float], a: tuple[float, float]
) -> NDArray[np.float64]:
    """Direct-form I biquad over a short signal (used once per sample rate, so a plain loop)."""
    y = np.zeros_like(x)
    x1 = x2 = y1 = y2 = 0.0
    for n, x0 in enumerate(x.tolist()):
        y0 = b[0] * x0 + b[1] * x1 + b[2] * x2 - a[0] * y1 - a[1] * y2
        y[n], x2, x1, y2, y1 = y0, x1, x0, y1, y0
    return y


@functools.lru_cache(maxsize=16)
def _response_spectrum(sample_rate: int, fft_size: int) -> NDArray[np.complex128]:
    return np.fft.rfft(k_weighting_response(sample_rate), fft_size)[:, None]


class KWeightingFilter:
    """Streaming K-weighting: overlap-add FFT convolution, state carried between blocks."""

    def __init__(self, sample_rate: int, channels: int) -> None:
        self._taps = len(k_weighting_response(sample_rate))
        self._fft_size = max(FFT_SIZE, 1 << (2 * self._taps - 1).bit_length())
        self._step = self._fft_size - self._taps + 1  # input frames per transform
        self._spectrum = _response_spectrum(sample_rate, self._fft_size)
        self._pending = np.zeros((self._taps - 1, channels))

    def process(self, block: NDArray[np.floating]) -> NDArray[np.float64]:
        """The filtered block (same length); the part that rings on is kept for the next one."""
        out = np.empty(block.shape, dtype=np.float64)
        for start in range(0, len(block), self._step):
            piece = block[start : start + self._step]
            out[start : start + len(piece)] = self._convolve(piece)
        return out

    def _convolve(self, piece: NDArray[np.floating]) -> NDArray[np.float64]:
        spectrum = np.fft.rfft(piece, self._fft_size, axis=0) * self._spectrum
        full = np.fft.irfft(spectrum, self._fft_size, axis=0)[: len(piece) + self._taps - 1]
        full[: self._taps - 1] += self._pending
        self._pending = full[len(piece) :].copy()
        return full[: len(piece)]


class LoudnessMeter:
    """Feed blocks of (frames, channels) audio with `add`; read the result with `integrated`."""

    def __init__(self, sample_rate: int, channels: int) -> None:
        self._filter = KWeightingFilter(sample_rate, channels)
        self._weights = [_channel_weight(i) for i in range(channels)]
        self._hops = WindowSums(round(HOP_S * sample_rate))

    def add(self, block: NDArray[np.floating]) -> None:
        """Filter the next block and accumulate its weighted power per 100 ms hop."""
        self._hops.add(channel_power(self._filter.process(block), self._weights))

    def integrated(self) -> float | None:
        """Gated loudness in LUFS; None for audio shorter than one 400 ms block, or silence."""
        hop_power = self._hops.complete() / self._hops.window
        if hop_power.size < HOPS_PER_BLOCK:
            return None
        blocks = np.convolve(hop_power, np.full(HOPS_PER_BLOCK, 1 / HOPS_PER_BLOCK), "valid")
        levels = _lufs(blocks)
        audible = blocks[levels > ABSOLUTE_GATE_LUFS]
        if not audible.size:
            return None
        relative_gate = float(_lufs(audible.mean())) + RELATIVE_GATE_LU
        gated = blocks[(levels > ABSOLUTE_GATE_LUFS) & (levels > relative_gate)]
        return float(_lufs(gated.mean()))


def integrated_loudness(samples: NDArray[np.floating], sample_rate: int) -> float | None:
    """Loudness of an in-memory (frames, channels) array, measured in blocks (no full copies)."""
    meter = LoudnessMeter(sample_rate, samples.shape[1])
    for start in range(0, len(samples), _BLOCK_FRAMES):
        meter.add(samples[start : start + _BLOCK_FRAMES])
    return meter.integrated()


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


def _channel_weight(index: int) -> float:
    return CHANNEL_WEIGHTS[index] if index < len(CHANNEL_WEIGHTS) else 1.0


def _lufs(power: NDArray[np.float64] | np.float64) -> NDArray[np.float64]:
    with np.errstate(divide="ignore"):
        return np.asarray(-0.691 + 10 * np.log10(power))
