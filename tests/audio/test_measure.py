"""The one streaming pass of the audio check: what it finds does not depend on how the decoder
cuts the track into blocks, and broken samples count as zero for everything but their count."""

import dataclasses
from collections.abc import Iterator

import numpy as np
import pytest
from numpy.typing import NDArray

from bot.engine.audio.measure import SignalStats, measure_blocks
from standin.audio.synth import SAMPLE_RATE


def blocks_of(samples: NDArray[np.float32], size: int) -> Iterator[NDArray[np.float32]]:
    return (samples[start : start + size] for start in range(0, len(samples), size))


@pytest.fixture(scope="module")
def track(music: NDArray[np.float32]) -> NDArray[np.float32]:
    """The placeholder with a clipped burst, a 2.5 s gap and a ragged end (not whole windows)."""
    samples = music[: SAMPLE_RATE * 10 + 1234].copy()
    samples[SAMPLE_RATE : SAMPLE_RATE + 500] = 1.0
    samples[SAMPLE_RATE * 3 : SAMPLE_RATE * 3 + SAMPLE_RATE * 5 // 2] = 0.0
    return samples


def without_loudness(stats: SignalStats) -> SignalStats:
    return dataclasses.replace(stats, integrated_lufs=None)


@pytest.mark.parametrize("size", [1000, 4799, 4800, 65536, 10**7])
def test_the_findings_do_not_depend_on_the_block_size(
    track: NDArray[np.float32], size: int
) -> None:
    whole = measure_blocks([track], SAMPLE_RATE, 2)
    blocked = measure_blocks(blocks_of(track, size), SAMPLE_RATE, 2)

    assert whole.clipped_samples == 1000  # the burst: 500 frames x 2 channels at full scale
    assert whole.silences[0].length_s == pytest.approx(2.5, abs=0.1)
    assert without_loudness(blocked) == without_loudness(whole)
    assert blocked.integrated_lufs == pytest.approx(whole.integrated_lufs, abs=1e-9)


def test_broken_samples_count_as_zero_for_everything_else(track: NDArray[np.float32]) -> None:
    broken, zeroed = track.copy(), track.copy()
    damage = [((2000, 0), np.nan), ((SAMPLE_RATE * 2, 1), -np.inf), ((70000, 1), np.inf)]
    for where, value in damage:
        broken[where] = value
        zeroed[where] = 0.0

    found = measure_blocks(blocks_of(broken, 65536), SAMPLE_RATE, 2)
    expected = measure_blocks(blocks_of(zeroed, 65536), SAMPLE_RATE, 2)

    assert found.nonfinite_samples == 3
    assert dataclasses.replace(found, nonfinite_samples=0) == expected
    assert found.peak == pytest.approx(1.0)  # the burst, not an infinite sample
