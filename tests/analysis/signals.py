"""Synthesised test signals whose tempo, key, tonal balance and loudness range are known by
construction: click tracks, chord pads, grooves (pad + kick + hi-hats), "dull" low-passed
renders and loudness steps. 48 kHz stereo float32, like the files ACE-Step delivers.

Used by the analysis tests and by `bench/analysis.py` (which also compares libraries on them).
"""

from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy import signal

from domain.music import key_is_minor, key_root_semitone, parse_key

SAMPLE_RATE: Final = 48_000
Stereo = NDArray[np.float32]

MAJOR_CHORDS: Final = ((0, 4, 7), (5, 9, 12), (7, 11, 14), (0, 4, 7))  # I IV V I
MINOR_CHORDS: Final = ((0, 3, 7), (5, 8, 12), (7, 11, 14), (0, 3, 7))  # i iv V i (harmonic)


def _stereo(mono: NDArray[np.float64], peak: float = 0.5) -> Stereo:
    top = float(np.max(np.abs(mono))) or 1.0
    scaled = (mono * (peak / top)).astype(np.float32)
    return np.column_stack([scaled, scaled])


def _hz(midi: float) -> float:
    return float(440.0 * 2 ** ((midi - 69) / 12))


def clicks(bpm: float, seconds: float, *, sample_rate: int = SAMPLE_RATE) -> Stereo:
    """A metronome: a short 1.5 kHz blip on every beat, the first of each bar of 4 louder."""
    frames = round(seconds * sample_rate)
    out = np.zeros(frames)
    length = round(0.03 * sample_rate)
    t = np.arange(length) / sample_rate
    blip = np.sin(2 * np.pi * 1_500 * t) * np.exp(-t / 0.006)
    beat = 60.0 / bpm * sample_rate
    for index in range(int(frames / beat) + 1):
        start = round(index * beat)
        end = min(start + length, frames)
        out[start:end] += blip[: end - start] * (1.0 if index % 4 == 0 else 0.6)
    return _stereo(out)


def pad(
    key: str,
    seconds: float,
    *,
    chord_s: float = 2.0,
    sample_rate: int = SAMPLE_RATE,
) -> Stereo:
    """Sustained chords in `key`: I-IV-V-I (major) or i-iv-V-i with the harmonic minor's
    leading tone, each `chord_s` long, over a bass note on the chord's root; soft attacks, no
    beat. Tones carry six harmonics (1/n) like a warm synth pad."""
    canonical = parse_key(key)
    root = 48 + key_root_semitone(canonical)  # around C3
    chords = MINOR_CHORDS if key_is_minor(canonical) else MAJOR_CHORDS
    frames = round(seconds * sample_rate)
    out = np.zeros(frames)
    length = round(chord_s * sample_rate)
    t = np.arange(length) / sample_rate
    envelope = np.minimum(1.0, t / 0.15) * np.minimum(1.0, (chord_s - t) / 0.15)
    for index in range(int(np.ceil(frames / length))):
        chord = chords[index % len(chords)]
        notes = [root + step for step in chord] + [root + chord[0] - 12]
        tone = np.zeros(length)
        for note in notes:
            for harmonic in range(1, 7):
                hz = _hz(note) * harmonic
                tone += np.sin(2 * np.pi * hz * t) / harmonic
        start = index * length
        end = min(start + length, frames)
        out[start:end] += (tone * envelope)[: end - start]
    return _stereo(out)


def groove(
    bpm: float,
    key: str,
    seconds: float,
    *,
    kick_every: int = 1,
    hats_per_beat: int = 2,
    sample_rate: int = SAMPLE_RATE,
    seed: int = 0,
) -> Stereo:
    """A chord pad with drums at `bpm`: a kick every `kick_every` beats (2: a half-time feel),
    `hats_per_beat` noise hi-hats per beat (4: sixteenths, a double-time feel), a snare-like hit on
    beats 2 and 4. Full band: the hats reach past 15 kHz."""
    rng = np.random.default_rng(seed)
    frames = round(seconds * sample_rate)
    beat = 60.0 / bpm * sample_rate
    drums = np.zeros(frames)
    kick_len = round(0.25 * sample_rate)
    t = np.arange(kick_len) / sample_rate
    kick = np.sin(2 * np.pi * (50 + 80 * np.exp(-t / 0.03)) * t) * np.exp(-t / 0.12)
    hat_len = round(0.05 * sample_rate)
    snare_len = round(0.15 * sample_rate)
    high = signal.butter(4, 6_000, "highpass", fs=sample_rate, output="sos")

    def hit(start: int, sound: NDArray[np.float64], gain: float) -> None:
        end = min(start + len(sound), frames)
        if start < frames:
            drums[start:end] += sound[: end - start] * gain

    for index in range(int(frames / beat) + 1):
        start = round(index * beat)
        if index % kick_every == 0:
            hit(start, kick, 1.0)
        if index % 4 in (1, 3):
            noise = rng.standard_normal(snare_len) * np.exp(-np.arange(snare_len) / 2_000)
            hit(start, noise, 0.35)
        for sub in range(hats_per_beat):
            noise = signal.sosfilt(high, rng.standard_normal(hat_len))
            hat = noise * np.exp(-np.arange(hat_len) / 600)
            hit(round(start + sub * beat / hats_per_beat), hat, 0.5)
    chord_s = 4 * 60.0 / bpm  # one chord a bar
    music = pad(key, seconds, chord_s=chord_s, sample_rate=sample_rate)[:, 0].astype(np.float64)
    return _stereo(music * 0.6 + drums / max(float(np.max(np.abs(drums))), 1e-9) * 0.5)


def low_passed(audio: Stereo, cutoff_hz: float, *, sample_rate: int = SAMPLE_RATE) -> Stereo:
    """The same audio through a steep low-pass: a "dull" render, nothing above `cutoff_hz`."""
    sos = signal.butter(10, cutoff_hz, "lowpass", fs=sample_rate, output="sos")
    return signal.sosfiltfilt(sos, audio, axis=0).astype(np.float32)


def loudness_steps(
    seconds: float, step_lu: float, *, part_s: float = 20.0, sample_rate: int = SAMPLE_RATE
) -> Stereo:
    """Pink-ish noise alternating every `part_s` between two levels `step_lu` apart: its loudness
    range (EBU Tech 3342) is about `step_lu`; 0 gives a steady signal (range about 0)."""
    rng = np.random.default_rng(7)
    frames = round(seconds * sample_rate)
    white = rng.standard_normal(frames)
    # Paul Kellet's economy pink filter: -3 dB an octave, within 0.5 dB over the audio band
    pinkish = signal.lfilter(
        [0.049922, -0.095993, 0.050612, -0.004408], [1, -2.494956, 2.017265, -0.522189], white
    )
    part = round(part_s * sample_rate)
    gains = np.where((np.arange(frames) // part) % 2 == 0, 1.0, 10 ** (-step_lu / 20))
    return _stereo(pinkish * gains, peak=0.5)
