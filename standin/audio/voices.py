"""Instrument sounds for the placeholder synthesiser: additive tones, three drums, a stereo mixer.

Every sound is a whole numpy array computed at once (no per-sample Python loops). Tones are sums of
harmonics with an attack, an exponential decay and a short release; higher harmonics can die away
faster, which is what makes a pluck or a piano sound different from an organ.
"""

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

Mono = NDArray[np.float32]
Stereo = NDArray[np.float32]

_NYQUIST_SHARE: Final = 0.45  # partials above this share of the sample rate are left out


@dataclass(frozen=True)
class Timbre:
    """How a tone sounds: harmonic amplitudes and the shape of its envelope."""

    partials: tuple[float, ...]  # amplitude of harmonics 1, 2, 3, ...
    attack_s: float
    decay_s: float  # time constant of the exponential decay; 0 means the tone sustains
    damping: float  # extra decay rate (1/s) per harmonic above the first
    release_s: float


TIMBRES: Final = {
    "piano": Timbre((1.0, 0.45, 0.2, 0.12, 0.06), 0.004, 0.9, 1.5, 0.08),
    "pluck": Timbre((1.0, 0.6, 0.3, 0.18, 0.1, 0.05), 0.002, 0.45, 4.0, 0.05),
    "bell": Timbre((1.0, 0.0, 0.25, 0.0, 0.08), 0.003, 1.4, 0.8, 0.15),
    "mallet": Timbre((1.0, 0.0, 0.0, 0.15), 0.002, 0.35, 2.0, 0.05),
    "pad": Timbre((1.0, 0.35, 0.15, 0.05), 0.25, 0.0, 0.0, 0.35),
    "bass": Timbre((1.0, 0.5, 0.2, 0.08), 0.006, 1.2, 1.0, 0.06),
}


@dataclass(frozen=True)
class Event:
    """A sound placed in a bar: where it starts (in samples) and how it is panned."""

    start: int
    sound: Mono
    pan: float = 0.0  # -1 hard left, 0 centre, +1 hard right
    gain: float = 1.0


def envelope(length: int, sample_rate: int, timbre: Timbre) -> Mono:
    """Attack ramp, exponential decay and a release ramp to zero at the very end."""
    t = np.arange(length, dtype=np.float32) / np.float32(sample_rate)
    env: Mono = np.minimum(t / np.float32(max(timbre.attack_s, 1e-4)), np.float32(1.0))
    if timbre.decay_s > 0:
        env *= np.exp(-t / np.float32(timbre.decay_s))
    release = min(length, round(timbre.release_s * sample_rate))
    if release > 0:
        env[length - release :] *= np.linspace(1.0, 0.0, release, dtype=np.float32)
    return env


def tone(
    freq: float, length: int, sample_rate: int, timbre: Timbre, *, detune_cents: float = 0.0
) -> Mono:
    """One note of `length` samples (the release is inside that length).

    Harmonics come from the recurrence sin((k+1)x) = 2 cos(x) sin(kx) - sin((k-1)x), so a tone costs
    one sine, one cosine and two exponentials per sample however many harmonics it has.
    """
    fundamental = freq * 2.0 ** (detune_cents / 1200)
    audible = max(1, math.ceil(_NYQUIST_SHARE * sample_rate / fundamental) - 1)
    cycles = np.arange(length, dtype=np.float32) * np.float32(fundamental / sample_rate)
    phase = np.float32(2 * np.pi) * (cycles - np.floor(cycles))
    damping = _damping(length, sample_rate, timbre.damping)
    wave = _harmonics(np.sin(phase), np.cos(phase), timbre.partials[:audible], damping)
    wave *= envelope(length, sample_rate, timbre)
    return wave


def _harmonics(
    sine: Mono, cosine: Mono, amplitudes: tuple[float, ...], damping: Mono | None
) -> Mono:
    """Sum of amplitude x sin(k x), harmonic k damped by damping^(k-1) when there is damping."""
    wave: Mono = np.float32(amplitudes[0]) * sine
    twice_cos = np.float32(2.0) * cosine
    previous, current = np.zeros_like(sine), sine
    weight: Mono | None = None
    for amplitude in amplitudes[1:]:
        previous, current = current, twice_cos * current - previous
        if damping is not None:
            weight = damping if weight is None else weight * damping
        if amplitude:
            wave += np.float32(amplitude) * (current if weight is None else current * weight)
    return wave


def _damping(length: int, sample_rate: int, rate: float) -> Mono | None:
    """Per-sample factor by which each further harmonic decays faster (None when it does not)."""
    if not rate:
        return None
    t = np.arange(length, dtype=np.float32) / np.float32(sample_rate)
    factor: Mono = np.exp(-t * np.float32(rate))
    return factor


def kick(sample_rate: int, pitch_hz: float) -> Mono:
    """A soft electronic kick drum: a sine sweeping down to `pitch_hz` (tuned to the key)."""
    t = np.arange(round(0.35 * sample_rate), dtype=np.float64) / sample_rate
    freq = pitch_hz * (1.0 + 2.0 * np.exp(-t / 0.04))
    phase = 2 * np.pi * np.cumsum(freq) / sample_rate
    return (np.sin(phase) * np.exp(-t / 0.12)).astype(np.float32)


def noise_hit(rng: np.random.Generator, sample_rate: int, *, decay_s: float, bright: bool) -> Mono:
    """A burst of noise: a hi-hat when `bright` (high-passed), a soft snare otherwise."""
    length = round(decay_s * 6 * sample_rate)
    noise = rng.standard_normal(length).astype(np.float32)
    if bright:
        noise = np.diff(noise, prepend=np.float32(0.0)) * np.float32(0.5)
    t = np.arange(length, dtype=np.float32) / np.float32(sample_rate)
    hit: Mono = noise * np.exp(-t / np.float32(decay_s))
    return hit


def mix(events: list[Event], length: int) -> Stereo:
    """Sum events into a stereo buffer at least `length` long (longer if a sound rings past it)."""
    end = max([length, *(event.start + event.sound.size for event in events)])
    channels = np.zeros((2, end), dtype=np.float32)  # channel-major: each add is contiguous
    for event in events:
        angle = (event.pan + 1.0) * np.pi / 4  # constant-power pan law
        span = slice(event.start, event.start + event.sound.size)
        channels[0, span] += np.float32(event.gain * np.cos(angle)) * event.sound
        channels[1, span] += np.float32(event.gain * np.sin(angle)) * event.sound
    return np.ascontiguousarray(channels.T)


def overlay(first: Stereo, second: Stereo) -> Stereo:
    """The sum of two stereo buffers, as long as the longer one."""
    total = np.zeros((max(len(first), len(second)), 2), dtype=np.float32)
    total[: len(first)] += first
    total[: len(second)] += second
    return total
