"""One streaming pass over decoded audio: peak, clipping, broken samples, silences and loudness.

`measure_blocks` consumes (frames, channels) float32 blocks (as `codec.stream_audio` yields them)
and keeps only per-window summaries, so peak memory does not grow with the track's length.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bot.engine.audio.loudness import LoudnessMeter
from bot.engine.audio.windows import WindowSums, channel_power
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
        self.energy = WindowSums(max(1, round(SILENCE_WINDOW_S * sample_rate)))
        self.channels = channels
        self.loudness = LoudnessMeter(sample_rate, channels)

    def add(self, block: NDArray[np.float32]) -> None:
        finite = np.isfinite(block)
        if not finite.all():
            self.nonfinite += int(block.size - np.count_nonzero(finite))
            block = np.where(finite, block, np.float32(0.0))
        magnitude = np.abs(block)
        self.peak = max(self.peak, float(magnitude.max(initial=0.0)))
        self.clipped += int(np.count_nonzero(magnitude >= self.clip_level))
        self.frames += len(block)
        self.samples += block.size
        self.energy.add(channel_power(block, [1.0] * self.channels))
        self.loudness.add(block)

    def result(self) -> SignalStats:
        lengths, silent = _windows(self.energy, self.channels)
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


def _windows(energy: WindowSums, channels: int) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Frame count of each window (the last may be partial) and whether it is silent."""
    sums = energy.complete()
    lengths = np.full(sums.size, energy.window, dtype=np.int64)
    tail_sum, tail_frames = energy.remainder()
    if tail_frames:
        sums = np.append(sums, tail_sum)
        lengths = np.append(lengths, tail_frames)
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
