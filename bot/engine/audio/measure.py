"""One streaming pass over decoded audio: peak, clipping, broken samples, silences and loudness.

`measure_blocks` consumes (frames, channels) float32 blocks (as `codec.stream_audio` yields them)
and keeps only per-window summaries, so peak memory does not grow with the track's length.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bot.engine.audio.loudness import LoudnessMeter
from bot.engine.audio.windows import WindowSums
from domain.constants import CLIP_DBFS, SILENCE_DBFS, SILENCE_WINDOW_S


@dataclass(frozen=True)
class Silence:
    """A run of silent windows."""

    start_s: float
    length_s: float


@dataclass(frozen=True)
class SignalStats:
    """What one pass over the samples found."""

    frames: int
    samples: int  # frames x channels
    peak: float  # largest absolute sample, linear (1.0 = full scale)
    clipped_samples: int  # samples at or above CLIP_DBFS
    nonfinite_samples: int  # NaN or infinite
    silent_frames: int
    silences: tuple[Silence, ...]  # every run of windows quieter than SILENCE_DBFS
    integrated_lufs: float | None


def measure_blocks(
    blocks: Iterable[NDArray[np.float32]], sample_rate: int, channels: int
) -> SignalStats:
    """Measure a stream of blocks; broken (NaN/inf) samples count as zero for everything else."""
    tally = _Tally(sample_rate, channels)
    for block in blocks:
        tally.add(block)
    return tally.result()


class _Tally:
    def __init__(self, sample_rate: int, channels: int) -> None:
        self.rate = sample_rate
        self.frames = self.samples = self.clipped = self.nonfinite = 0
        self.peak = 0.0
        self.clip_level = np.float32(10 ** (CLIP_DBFS / 20))
        self.window = max(1, round(SILENCE_WINDOW_S * sample_rate))  # frames
        self.energy = WindowSums(self.window * channels)  # sums of squared samples
        self.channels = channels
        self.loudness = LoudnessMeter(sample_rate, channels)

    def add(self, block: NDArray[np.float32]) -> None:
        samples = block.reshape(-1)  # interleaved: a view of the decoder's block
        top = _peak(samples)
        if not math.isfinite(top):  # max and min carry NaN and inf through; rare, so slow here
            finite = np.isfinite(samples)
            self.nonfinite += int(samples.size - np.count_nonzero(finite))
            block = np.where(finite.reshape(block.shape), block, np.float32(0.0))
            samples = block.reshape(-1)
            top = _peak(samples)
        self.peak = max(self.peak, top)
        if top >= self.clip_level:  # below that level no sample can be clipped
            self.clipped += int(np.count_nonzero(np.abs(samples) >= self.clip_level))
        self.frames += len(block)
        self.samples += samples.size
        self.energy.add(np.square(samples, dtype=np.float64))  # windows of frames x channels
        self.loudness.add(block)

    def result(self) -> SignalStats:
        lengths, silent = _windows(self.energy, self.window, self.channels)
        return SignalStats(
            frames=self.frames,
            samples=self.samples,
            peak=self.peak,
            clipped_samples=self.clipped,
            nonfinite_samples=self.nonfinite,
            silent_frames=int(lengths[silent].sum()),
            silences=_runs(lengths, silent, self.rate),
            integrated_lufs=self.loudness.integrated(),
        )


def _windows(
    energy: WindowSums, window: int, channels: int
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Frame count of each window (the last may be partial) and whether it is silent."""
    sums = energy.complete()
    lengths = np.full(sums.size, window, dtype=np.int64)
    tail_sum, tail_samples = energy.remainder()
    if tail_samples:
        sums = np.append(sums, tail_sum)
        lengths = np.append(lengths, tail_samples // channels)
    threshold = 10 ** (SILENCE_DBFS / 10)  # mean square of a window at the silence level
    return lengths, sums / (np.maximum(lengths, 1) * channels) < threshold


def _runs(
    lengths: NDArray[np.int64], silent: NDArray[np.bool_], sample_rate: int
) -> tuple[Silence, ...]:
    """Consecutive silent windows merged into runs, with their start times."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], silent.astype(np.int8), [0]])))
    window_starts = np.concatenate([[0], np.cumsum(lengths)])
    return tuple(
        Silence(
            start_s=float(window_starts[begin]) / sample_rate,
            length_s=float(window_starts[end] - window_starts[begin]) / sample_rate,
        )
        for begin, end in zip(edges[::2], edges[1::2], strict=True)
    )


def _peak(samples: NDArray[np.float32]) -> float:
    """The largest absolute sample (NaN or inf if the block has one), without an |x| copy."""
    return max(float(samples.max(initial=0.0)), -float(samples.min(initial=0.0)))
