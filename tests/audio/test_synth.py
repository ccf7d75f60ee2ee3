"""The placeholder synthesiser: exact length, audible tempo and key, seeded variety, speed."""

import io

import numpy as np
import pytest
import soundfile as sf
from numpy.typing import NDArray

from audiofile.codec import encode_audio
from domain.constants import AudioFormat, TimeSignature
from standin.audio.score import compose
from standin.audio.synth import SAMPLE_RATE, Arrangement, render_placeholder
from standin.audio.theory import Key

HOP = 240  # 5 ms analysis frames
NOTES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MODES = ("major", "minor")


def onset_strength(audio: NDArray[np.floating]) -> NDArray[np.float64]:
    """Rises in log energy of the high-passed mono mix, one value per 5 ms frame."""
    mono = np.diff(audio.mean(axis=1).astype(np.float64), prepend=0.0)
    frames = len(mono) // HOP
    energy = np.sqrt(np.square(mono[: frames * HOP]).reshape(frames, HOP).mean(axis=1))
    log_energy = np.log(energy + 1e-6)
    rises: NDArray[np.float64] = np.maximum(np.diff(log_energy, prepend=log_energy[0]), 0.0)
    return rises


def estimate_bpm(audio: NDArray[np.floating], near_bpm: float) -> float:
    """The beat period from the onset autocorrelation, searched within 0.7x-1.4x of a guess.

    The window holds only one multiple of the beat (half and double lie outside it), so a track
    at the wrong tempo gives a peak elsewhere in the window, not a false match.
    """
    onsets = onset_strength(audio)
    onsets -= onsets.mean()
    correlation = np.correlate(onsets, onsets, "full")[len(onsets) - 1 :]
    period = 60 / near_bpm * SAMPLE_RATE / HOP
    low, high = int(period * 0.7), int(np.ceil(period * 1.4))
    lag = low + int(np.argmax(correlation[low : high + 1]))
    before, peak, after = correlation[lag - 1 : lag + 2]
    lag_exact = lag + 0.5 * (before - after) / (before - 2 * peak + after)
    return float(60 * SAMPLE_RATE / (lag_exact * HOP))


def chroma(audio: NDArray[np.floating]) -> NDArray[np.float64]:
    """Spectral energy per pitch class (0 = C) between 60 Hz and 2 kHz."""
    spectrum = np.abs(np.fft.rfft(audio.mean(axis=1).astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(len(audio), 1 / SAMPLE_RATE)
    band = (freqs >= 60) & (freqs <= 2000)
    pitch_class = np.round(12 * np.log2(freqs[band] / 440) + 69).astype(int) % 12
    return np.bincount(pitch_class, weights=spectrum[band], minlength=12).astype(np.float64)


def share(energy: NDArray[np.float64], pitch_classes: frozenset[int]) -> float:
    """The share of the chroma energy that falls on the given pitch classes."""
    return float(energy[sorted(pitch_classes)].sum() / energy.sum())


@pytest.mark.parametrize(
    ("duration", "bpm", "metre"),
    [(10.0, 120, "4"), (12.3456, 97, "3"), (0.5, 300, "2"), (11.0, 30, "6"), (0.0, 90, "4")],
)
def test_length_is_exact_and_peak_is_below_minus_one_dbfs(
    duration: float, bpm: int, metre: TimeSignature
) -> None:
    audio = render_placeholder(Arrangement(duration, bpm, "C major", metre, seed=3))

    assert audio.shape == (round(duration * SAMPLE_RATE), 2)
    assert audio.dtype == np.float32
    assert np.isfinite(audio).all()
    if audio.size:
        assert 20 * np.log10(np.abs(audio).max()) <= -1.0


def test_other_sample_rates_are_honoured() -> None:
    audio = render_placeholder(Arrangement(2.5, 120, "G major", "4", seed=1), sample_rate=44_100)

    assert audio.shape == (110_250, 2)


@pytest.mark.parametrize(
    ("bpm", "metre"), [(60, "4"), (97, "3"), (128, "4"), (72, "6"), (175, "2"), (300, "4")]
)
def test_beats_fall_at_the_requested_tempo(bpm: int, metre: TimeSignature) -> None:
    audio = render_placeholder(Arrangement(16.0, bpm, "E minor", metre, seed=bpm))

    assert estimate_bpm(audio, bpm) == pytest.approx(bpm, rel=0.015)


def test_a_different_tempo_is_told_apart() -> None:
    audio = render_placeholder(Arrangement(16.0, 110, "E minor", "4", seed=4))

    assert estimate_bpm(audio, 100) == pytest.approx(110, rel=0.015)  # not the 100 asked about


@pytest.mark.parametrize(
    ("key", "seed"),
    [("C major", 1), ("D minor", 2), ("F# major", 3), ("Bb minor", 4), ("Ab major", 5)],
)
def test_dominant_pitch_classes_belong_to_the_key(key: str, seed: int) -> None:
    energy = chroma(render_placeholder(Arrangement(12.0, 110, key, "4", seed=seed)))
    strongest = {int(pc) for pc in np.argsort(energy)[::-1][:5]}
    scale = Key(key).pitch_classes()
    every_scale = {Key(f"{note} {mode}").pitch_classes() for note in NOTES for mode in MODES}
    best_fit = max(every_scale, key=lambda candidate: share(energy, candidate))

    assert strongest <= scale
    assert share(energy, scale) > 0.9  # 7 of 12 pitch classes would hold ~58 % of flat noise
    # Of all 24 keys, the requested one fits best (its relative major/minor has the same notes).
    assert best_fit == scale


def test_same_inputs_give_the_same_track_and_seeds_give_variants() -> None:
    def render(seed: int) -> NDArray[np.float32]:
        return render_placeholder(Arrangement(8.0, 100, "A minor", "4", seed=seed))

    first, again, other = render(7), render(7), render(8)
    difference = np.sqrt(np.mean(np.square(first - other)))

    np.testing.assert_array_equal(first, again)
    assert difference > 0.5 * np.sqrt(np.mean(np.square(first)))


def test_seeds_vary_progression_pattern_octave_and_timbre() -> None:
    scores = [compose(Arrangement(60, 100, "A minor", "4", seed=seed)) for seed in range(16)]

    assert len({score.progression for score in scores}) >= 3
    assert len({score.arp_pattern for score in scores}) >= 3
    assert len({score.arp_octave for score in scores}) == 2
    assert len({score.lead for score in scores}) >= 3


def test_caption_words_pick_the_sound() -> None:
    def score(caption: str, seed: int) -> tuple[str, float, float]:
        made = compose(Arrangement(60, 100, "A minor", "4", seed=seed, caption=caption))
        return made.lead, made.drum_level, made.pad_level

    assert {score("Solo piano, late night", seed)[0] for seed in range(8)} == {"piano"}
    assert {score("warm guitar", seed)[0] for seed in range(8)} == {"pluck"}
    _, drums, pad = score("ambient spa pads", 0)
    assert drums < 1.0 < pad


@pytest.mark.parametrize("fmt", ["wav", "flac", "mp3"])
def test_encoded_tracks_keep_length_tempo_and_key(fmt: AudioFormat) -> None:
    arrangement = Arrangement(6.54, 124, "Eb major", "4", seed=11)
    audio = render_placeholder(arrangement)

    decoded, rate = sf.read(io.BytesIO(encode_audio(audio, SAMPLE_RATE, fmt)), dtype="float32")

    assert (rate, decoded.shape) == (SAMPLE_RATE, audio.shape)
    assert estimate_bpm(decoded, 124) == pytest.approx(124, rel=0.015)
    assert share(chroma(decoded), Key("Eb major").pitch_classes()) > 0.9


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bpm": 20}, "BPM must be between"),
        ({"duration_s": -1.0}, "duration"),
        ({"key_scale": "H major"}, "not a key"),
        ({"time_signature": "5"}, "time signature"),
    ],
)
def test_bad_arrangements_are_refused(changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "duration_s": 10.0,
        "bpm": 100,
        "key_scale": "C major",
        "time_signature": "4",
        "seed": 1,
    }
    with pytest.raises(ValueError, match=message):
        Arrangement(**{**fields, **changes})  # type: ignore[arg-type]
