"""Measures what a track sounds like: tempo, key and mode, tonal balance, loudness range (issue 13).

The audio check decodes every downloaded file once (`qc.check_audio`); `check_and_analyse` taps
that same stream, so the analysis costs no second decode. As the blocks pass, a `Collector`
- downmixes to mono and resamples it to `ANALYSIS_RATE` (soxr, streaming) for tempo and key;
- adds the full-band power spectrum of every `SPECTRUM_STRIDE`-th `SPECTRUM_FFT`-frame slice (a
  Hann window each): the 85 % roll-off and the share of energy above 8 kHz come from their sum;
- feeds the mono signal at `ANALYSIS_RATE` to an EBU R128 meter in loudness-range mode
  (libebur128 through pyebur128): the LRA of the short-term loudness (EBU Tech 3342).
At the end, with librosa (ISC licence; see docs/analysis.md for why not essentia):
- tempo: the onset strength envelope, its autocorrelation handed to `librosa.feature.tempo` as a
  global tempogram (the library's prior around 120 BPM picks among octaves), then refined to a
  fraction of a frame from the autocorrelation's peaks at whole multiples of the beat period;
  its confidence is the (mean-removed, normalised) autocorrelation at that period;
- key: the chroma of the whole track (each frame's peak 1, log-compressed, summed) correlated
  with the Krumhansl-Kessler key profiles, best of 24; the confidence is that correlation
  (0 .. 1) scaled by how tonal the track is (the share of the uncompressed chroma in its seven
  strongest pitch classes: 7/12 for noise gives 0, all of it gives 1).
Everything here is synchronous and CPU-bound: it runs in the audio process pool (`workers.py`).
librosa is imported on first use (`_librosa`), so importing this module stays cheap.
"""

import logging
import math
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from types import ModuleType
from typing import Any, Final

import numpy as np
import pyebur128
import soxr
from numpy.typing import NDArray

from audiofile.codec import AudioInfo, Frames, read_audio
from bot.engine.audio.qc import QcReport, check_audio
from domain.analysis import HF_SPLIT_HZ, ROLLOFF_SHARE, TrackAnalysis, key_name

ANALYSIS_RATE: Final = 12_000  # tempo, key and loudness range are measured on mono at this rate
HOP: Final = 256  # onset envelope: 46.9 frames a second
ONSET_FFT: Final = 512
ONSET_MELS: Final = 40
CHROMA_FFT: Final = 4_096  # 2.9 Hz bins: a semitone apart from about 50 Hz up
CHROMA_COMPRESSION: Final = 10.0  # log(1 + 10 x chroma)
TEMPO_MAX_LAG_S: Final = 4.0  # autocorrelation up to 4 s: every multiple of beats down to 30 BPM
TEMPO_MULTIPLES: Final = 8  # refine the period from peaks at up to 8 beat periods
MIN_TEMPO_S: Final = 6.0  # shorter audio has too few beats to tell a tempo
# The onset envelope is the mean rise of the mel bands' level, in dB. A steady tone's stays under
# 0.4 dB (numerical ripple that can still look periodic); music with any attack reaches 5 dB and
# more. Below this nothing ever starts, so there is no beat to measure.
MIN_ONSET_DB: Final = 1.0
MIN_KEY_S: Final = 2.0
SPECTRUM_FFT: Final = 2_048
SPECTRUM_STRIDE: Final = 4  # every 4th slice: the long-term spectrum of a song, at a quarter of
#                             the cost (a slice is 43 ms at 48 kHz; every 171 ms one is taken)
LRA_MIN_S: Final = 3.0  # the short-term loudness window

# Krumhansl & Kessler (1982) probe-tone profiles, tonic first.
MAJOR_PROFILE: Final = (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88)
MINOR_PROFILE: Final = (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)

Mono = NDArray[np.float32]
log = logging.getLogger(__name__)


def analyser_name() -> str:
    """The library and its version, stored with every analysis."""
    return f"librosa {version('librosa')}"


@dataclass(frozen=True)
class CheckedFile:
    """The audio check's report on a file and, unless the file is undecodable or empty, what the
    analysis measured."""

    report: QcReport
    analysis: TrackAnalysis | None


def check_and_analyse(path: Path, *, expected_duration_s: float | None) -> CheckedFile:
    """`qc.check_audio` and the analysis in one decoding pass (for the audio process pool)."""
    collectors: list[Collector] = []
    broken: list[Exception] = []

    def tap(info: AudioInfo, block: Frames) -> None:
        if broken:
            return
        try:
            if not collectors:
                collectors.append(Collector(info.sample_rate))
            collectors[0].feed(block)
        except Exception as exc:  # the analysis never costs a track its audio check
            broken.append(exc)

    report = check_audio(path, expected_duration_s=expected_duration_s, tap=tap)
    if report.measurements.get("has_nan"):  # broken samples: the check fails it, nothing to hear
        return CheckedFile(report, None)
    if broken or not collectors or not collectors[0].frames:
        if broken:
            log.warning("no analysis of %s: %s", path.name, broken[0], exc_info=broken[0])
        return CheckedFile(report, None)
    try:
        return CheckedFile(report, collectors[0].finish())
    except Exception:  # same: a measurement that breaks is left unmeasured, the check stands
        log.warning("no analysis of %s", path.name, exc_info=True)
        return CheckedFile(report, None)


def analyse_file(path: Path) -> TrackAnalysis:
    """Decode a whole file and analyse it (references, tools); raises `AudioDecodeError`."""
    samples, sample_rate = read_audio(path)
    return analyse(samples, sample_rate)


def analyse(samples: Frames, sample_rate: int) -> TrackAnalysis:
    """Analyse decoded audio: float32 frames x channels (or mono), any sample rate."""
    collector = Collector(sample_rate)
    collector.feed(samples if samples.ndim == 2 else samples[:, None])
    return collector.finish()


class Collector:
    """Gathers what the analysis needs from decoded blocks as they stream past (blocks are not
    kept: the decoder may reuse their memory)."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.frames = 0
        self._resampler = soxr.ResampleStream(sample_rate, ANALYSIS_RATE, 1, dtype="float32")
        self._low: list[Mono] = []
        self._carry = np.zeros(0, dtype=np.float32)
        self._slices = 0
        self._power = np.zeros(SPECTRUM_FFT // 2 + 1)
        self._window = np.hanning(SPECTRUM_FFT).astype(np.float32)
        self._meter = pyebur128.R128State(1, ANALYSIS_RATE, pyebur128.MeasurementMode.MODE_LRA)

    def feed(self, block: Frames) -> None:
        """Take one block of float32 frames x channels."""
        if not len(block):
            return
        mono = _downmix(block)
        self.frames += len(mono)
        self._spectrum(mono)
        self._keep(self._resampler.resample_chunk(mono))

    def finish(self) -> TrackAnalysis:
        """What the blocks fed so far measure like."""
        self._keep(self._resampler.resample_chunk(np.zeros(0, dtype=np.float32), last=True))
        low = np.concatenate(self._low) if self._low else np.zeros(0, dtype=np.float32)
        tempo, tempo_confidence = _tempo(low)
        key, key_confidence = _key(low)
        rolloff, hf_ratio = self._balance()
        return TrackAnalysis(
            analyser=analyser_name(),
            tempo_bpm=tempo,
            tempo_confidence=tempo_confidence,
            key=key,
            key_confidence=key_confidence,
            rolloff_hz=rolloff,
            hf_energy_ratio=hf_ratio,
            loudness_range_lu=self._loudness_range(len(low)),
        )

    def _keep(self, low: Mono) -> None:
        if len(low):
            self._low.append(low)
            self._meter.add_frames(np.ascontiguousarray(low), len(low))

    def _spectrum(self, mono: Mono) -> None:
        """Add the power spectra of every SPECTRUM_STRIDE-th slice (slices counted across
        blocks, so the choice does not depend on the block size)."""
        audio = np.concatenate([self._carry, mono]) if len(self._carry) else mono
        whole = len(audio) // SPECTRUM_FFT
        first = (-self._slices) % SPECTRUM_STRIDE
        picked = audio[: whole * SPECTRUM_FFT].reshape(whole, SPECTRUM_FFT)[first::SPECTRUM_STRIDE]
        if len(picked):
            spectra = np.fft.rfft(picked * self._window, axis=1)
            self._power += np.sum(np.abs(spectra) ** 2, axis=0, dtype=np.float64)
        self._slices += whole
        self._carry = audio[whole * SPECTRUM_FFT :].copy()

    def _balance(self) -> tuple[float | None, float | None]:
        """85 % roll-off (Hz) and the share of energy above 8 kHz, from the summed spectrum."""
        power = self._power
        if not self._slices and len(self._carry):  # shorter than one slice: zero-padded
            padded = np.zeros(SPECTRUM_FFT, dtype=np.float32)
            padded[: len(self._carry)] = self._carry
            power = np.abs(np.fft.rfft(padded * self._window)) ** 2
        total = float(np.sum(power))
        if total <= 0 or not math.isfinite(total):
            return None, None
        freqs = np.fft.rfftfreq(SPECTRUM_FFT, 1 / self.sample_rate)
        cumulative = np.cumsum(power) / total
        rolloff = float(freqs[int(np.searchsorted(cumulative, ROLLOFF_SHARE))])
        if self.sample_rate / 2 <= HF_SPLIT_HZ:  # nothing above 8 kHz can exist in this file
            return round(rolloff, 1), None
        hf_ratio = float(np.sum(power[freqs >= HF_SPLIT_HZ])) / total
        return round(rolloff, 1), round(hf_ratio, 6)

    def _loudness_range(self, low_frames: int) -> float | None:
        if low_frames < LRA_MIN_S * ANALYSIS_RATE:
            return None
        try:
            value = float(pyebur128.get_loudness_range(self._meter))
        except (ValueError, RuntimeError):  # nothing above the gates (silence)
            return None
        return round(value, 2) if math.isfinite(value) else None


def _librosa() -> ModuleType:
    """librosa, imported on first use: it brings numba and llvmlite (about a second of CPU), which
    only the audio workers need, not every process that imports the engine."""
    import librosa  # noqa: PLC0415

    return librosa


def _downmix(block: Frames) -> Mono:
    """The mean of the channels (a column at a time: numpy's mean over a row of two is ~20x
    slower)."""
    mono = np.array(block[:, 0], dtype=np.float32)
    for channel in range(1, block.shape[1]):
        mono += block[:, channel]
    if block.shape[1] > 1:
        mono *= np.float32(1 / block.shape[1])
    return mono


def _tempo(low: Mono) -> tuple[float | None, float | None]:
    """Tempo (BPM) and its confidence (0 .. 1), or (None, None) when too short or beatless."""
    librosa = _librosa()
    if len(low) < MIN_TEMPO_S * ANALYSIS_RATE:
        return None, None
    envelope = librosa.onset.onset_strength(
        y=low, sr=ANALYSIS_RATE, hop_length=HOP, n_fft=ONSET_FFT, n_mels=ONSET_MELS
    )
    if float(np.max(envelope, initial=0.0)) < MIN_ONSET_DB:
        return None, None  # a steady sound: its spectrum never rises enough to make a beat
    envelope = envelope - float(np.mean(envelope))
    max_lag = min(round(TEMPO_MAX_LAG_S * ANALYSIS_RATE / HOP), len(envelope) - 1)
    correlation = librosa.autocorrelate(envelope, max_size=max_lag + 1)
    if correlation[0] <= 0 or not np.isfinite(correlation[0]):
        return None, None  # a constant envelope: no onsets at all
    correlation = correlation / correlation[0]
    rough = float(
        librosa.feature.tempo(
            tg=np.clip(correlation, 0, None)[:, None],
            sr=ANALYSIS_RATE,
            hop_length=HOP,
            aggregate=None,
        )[0]
    )
    period = _refined_period(correlation, 60.0 * ANALYSIS_RATE / HOP / rough)
    confidence = float(np.clip(_peak_near(correlation, period)[1], 0.0, 1.0))
    return round(60.0 * ANALYSIS_RATE / HOP / period, 2), round(confidence, 3)


def _refined_period(correlation: NDArray[Any], lag: float) -> float:
    """The beat period in frames, to a fraction of a frame: a least-squares fit through the
    autocorrelation's peaks near 1, 2 … `TEMPO_MULTIPLES` times `lag`."""
    weighted = squares = 0.0
    for multiple in range(1, TEMPO_MULTIPLES + 1):
        if multiple * lag + 2 >= len(correlation):
            break
        position, height = _peak_near(correlation, multiple * lag, reach=max(1, multiple // 2))
        if height <= 0:
            continue
        weighted += multiple * position
        squares += multiple * multiple
    return weighted / squares if squares else lag


def _peak_near(correlation: NDArray[Any], lag: float, reach: int = 1) -> tuple[float, float]:
    """The highest point within `reach` frames of `lag`, placed by a parabola through its
    neighbours: (position in frames, height)."""
    low = max(1, round(lag) - reach)
    high = min(len(correlation) - 2, round(lag) + reach)
    if high < low:
        return lag, 0.0
    top = low + int(np.argmax(correlation[low : high + 1]))
    left, mid, right = (float(v) for v in correlation[top - 1 : top + 2])
    bend = left - 2 * mid + right
    shift = 0.5 * (left - right) / bend if bend < 0 else 0.0
    return top + shift, mid - 0.25 * (left - right) * shift


def _key(low: Mono) -> tuple[str | None, float | None]:
    """The best of 24 keys and its confidence (0 .. 1), or (None, None) when too short or
    without pitch."""
    librosa = _librosa()
    if len(low) < MIN_KEY_S * ANALYSIS_RATE:
        return None, None
    chroma = librosa.feature.chroma_stft(
        y=low, sr=ANALYSIS_RATE, n_fft=CHROMA_FFT, hop_length=CHROMA_FFT, tuning=0.0
    )
    # log-compressed before summing: a loud note's overtones (the 5th harmonic of a minor
    # tonic is its major third) weigh less, which keeps parallel major and minor apart
    profile = np.sum(np.log1p(CHROMA_COMPRESSION * chroma), axis=1)
    energy = np.sum(chroma, axis=1)
    total = float(np.sum(energy))
    if total <= 0 or not math.isfinite(total) or float(np.ptp(profile)) <= 0:
        return None, None
    best, root, mode = -2.0, 0, "major"
    for candidate_mode, template in (("major", MAJOR_PROFILE), ("minor", MINOR_PROFILE)):
        for shift in range(12):
            score = float(np.corrcoef(np.roll(template, shift), profile)[0, 1])
            if score > best:
                best, root, mode = score, shift, candidate_mode
    tonal = float(np.sum(np.sort(energy)[-7:])) / total  # 7/12 for noise, ~1 for a scale
    confidence = max(0.0, best) * max(0.0, (tonal - 7 / 12) / (5 / 12))
    return key_name(root, "minor" if mode == "minor" else "major"), round(confidence, 3)


def warm_up() -> TrackAnalysis:
    """Analyse ten seconds of a synthesised chord so librosa's numba functions are compiled and
    written to numba's on-disk cache now (about 20 s of CPU the first time, 3 s once cached)
    rather than on a worker's first track: the Docker image runs this while it is built."""
    rate = 48_000
    t = np.arange(10 * rate, dtype=np.float32) / rate
    chord = sum(np.sin(2 * np.pi * hz * t) for hz in (261.63, 329.63, 392.0))
    beat = (np.sin(2 * np.pi * 2 * t) > 0.95).astype(np.float32)  # clicks at 120 BPM
    mono = (0.2 * chord + 0.3 * beat).astype(np.float32)
    return analyse(np.stack([mono, mono], axis=1), rate)


if __name__ == "__main__":
    print(warm_up())
