"""Audio analysis (issue 13): CPU seconds per 3-minute track, and accuracy on known signals.

    uv run python -m bench.analysis            # --seconds 180 (a 3-minute, 48 kHz stereo track)

Printed, each CPU figure the best of `--repeat` runs (process time, one thread):
- the analysis of decoded audio (`analyse`: downmix, streaming resample to 12 kHz, full-band
  spectrum, loudness range, tempo, key), per 3-minute track, and its parts; target <= 0.3 s;
- what it adds to the audio check of an MP3 of the track (`check_and_analyse` against
  `check_audio`: the analysis rides on the check's decoding, so this is all it costs a download);
- accuracy on the synthesised signals of tests/analysis/signals.py with known values (click
  tracks, chord pads, grooves, half/double-time grooves, the stand-in's placeholder music):
  tempo within 1 % (after half/double-time folding, within the adherence's 4 %), key and mode
  exact, the low-passed "dull" render told from the bright one, loudness range within 1 LU;
- with `--essentia` (needs `pip install essentia`, AGPL, not a dependency): the same signals
  through essentia's RhythmExtractor2013 (degara) and KeyExtractor, for the comparison in
  docs/analysis.md.
Exit status 1 when a target is missed; with --smoke the targets are not judged (a smoke run
only shows that the benchmark runs and prints its figures) and exit status 1 means it broke.
"""

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bench.verdict import verdict

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")  # one thread, as in a worker of the audio pool

import numpy as np  # noqa: E402

from audiofile.codec import write_audio  # noqa: E402
from bot.engine.audio import analysis as a  # noqa: E402
from bot.engine.audio.qc import check_audio  # noqa: E402
from domain.analysis import adherence, key_matches, tempo_matches  # noqa: E402
from domain.music import key_is_minor, key_root_semitone  # noqa: E402
from standin.audio.synth import SAMPLE_RATE, Arrangement, render_placeholder  # noqa: E402
from tests.analysis import signals  # noqa: E402

TARGET_S_PER_3_MIN = 0.3
T = TypeVar("T")
Case = tuple[str, np.ndarray, int | None, str | None]  # label, audio, known bpm, known key


def main() -> int:
    """Run the benchmark and print its figures."""
    args = _arguments()
    per_3_min = 180 / args.seconds
    track = render_placeholder(Arrangement(args.seconds, 100, "A minor", "4", seed=1))
    a.analyse(track[: SAMPLE_RATE * 8], SAMPLE_RATE)  # librosa's import and first calls, once
    print(f"one {args.seconds:g} s track, 48 kHz stereo; CPU seconds, best of {args.repeat}")
    total_s, _ = _cpu(lambda: a.analyse(track, SAMPLE_RATE), args.repeat)
    collector = a.Collector(SAMPLE_RATE)
    feed_s, _ = _cpu(lambda: a.Collector(SAMPLE_RATE).feed(track), args.repeat)
    collector.feed(track)
    collector.finish()
    low = np.concatenate(collector._low)
    tempo_s, _ = _cpu(lambda: a._tempo(low), args.repeat)
    key_s, _ = _cpu(lambda: a._key(low), args.repeat)
    with tempfile.TemporaryDirectory(prefix="acemusic-bench-") as scratch:
        path = Path(scratch) / "take.mp3"
        write_audio(track, SAMPLE_RATE, path, "mp3")
        check_s, _ = _cpu(lambda: check_audio(path, expected_duration_s=args.seconds), args.repeat)
        both_s, _ = _cpu(
            lambda: a.check_and_analyse(path, expected_duration_s=args.seconds), args.repeat
        )
    target = TARGET_S_PER_3_MIN
    print(
        f"analysis per 3-minute track         {total_s * per_3_min:6.3f} s   (target <= {target} s)"
    )
    print(
        f"  downmix, resample, spectrum, LRA  {feed_s * per_3_min:6.3f} s; tempo "
        f"{tempo_s * per_3_min:.3f} s; key {key_s * per_3_min:.3f} s"
    )
    print(
        f"audio check of the MP3              {check_s * per_3_min:6.3f} s per 3-minute track; "
        f"with the analysis {both_s * per_3_min:.3f} s (+{(both_s - check_s) * per_3_min:.3f} s)"
    )
    cases = _cases(smoke=args.smoke)
    _accuracy("librosa (this project)", cases, _ours)
    if args.essentia:
        _accuracy("essentia (comparison)", cases, _essentia)
    _balance_and_range(smoke=args.smoke)
    return verdict(total_s * per_3_min <= target, smoke=args.smoke)


def _cases(*, smoke: bool) -> list[Case]:
    seconds = 10 if smoke else 30
    bpms = (60, 120) if smoke else (60, 72, 90, 120, 128, 140, 174)
    keys = ("C major", "F# minor") if smoke else (
        "C major", "A minor", "F# minor", "Eb major", "G major", "B minor", "Bb minor", "E major",
        "Ab major", "C# minor",
    )  # fmt: skip
    cases: list[Case] = [(f"clicks {bpm}", signals.clicks(bpm, seconds), bpm, None) for bpm in bpms]
    cases += [(f"pad {key}", signals.pad(key, seconds), None, key) for key in keys]
    grooves = ((64, "D minor", {}), (140, "G major", {"kick_every": 2}))
    if not smoke:
        grooves += (
            (100, "A major", {}), (124, "F minor", {}), (96, "C# minor", {}),
            (70, "E minor", {"hats_per_beat": 4}),
        )  # fmt: skip
    for bpm, key, feel in grooves:
        audio = signals.groove(bpm, key, seconds, **feel)  # type: ignore[arg-type]
        cases.append((f"groove {bpm} {key} {feel or ''}".strip(), audio, bpm, key))
    placeholders = ((60, "C major", "4"), (90, "F# minor", "3"))
    if not smoke:
        placeholders += (
            (72, "Bb major", "4"), (100, "A minor", "4"), (124, "E major", "4"),
            (56, "D minor", "6"), (140, "G major", "2"), (110, "G minor", "4"),
        )  # fmt: skip
    for bpm, key, metre in placeholders:
        music = render_placeholder(Arrangement(seconds, bpm, key, metre, seed=bpm))  # type: ignore[arg-type]
        cases.append((f"placeholder {bpm} {key} {metre}", music, bpm, key))
    return cases


def _ours(audio: np.ndarray) -> tuple[float | None, str | None]:
    measured = a.analyse(audio, SAMPLE_RATE)
    return measured.tempo_bpm, measured.key


def _essentia(audio: np.ndarray) -> tuple[float | None, str | None]:
    import essentia.standard as es
    import soxr

    mono = soxr.resample((audio[:, 0] + audio[:, 1]) * 0.5, SAMPLE_RATE, 44_100)
    mono = mono.astype(np.float32)
    bpm = float(es.RhythmExtractor2013(method="degara")(mono)[0])
    key, scale, _ = es.KeyExtractor(profileType="bgate")(mono)
    return bpm, f"{key} {scale}"


def _accuracy(
    name: str, cases: list[Case], measure: Callable[[np.ndarray], tuple[float | None, str | None]]
) -> None:
    tempo_close = tempo_folded = tempo_total = key_exact = key_related = key_total = 0
    misses: list[str] = []
    cpu = 0.0
    for label, audio, bpm, key in cases:
        start = time.process_time()
        tempo, measured_key = measure(audio)
        cpu += time.process_time() - start
        if bpm is not None:
            tempo_total += 1
            tempo_close += tempo is not None and tempo_matches(tempo, bpm, tolerance=0.01)
            tempo_folded += tempo is not None and tempo_matches(tempo, bpm)
            if tempo is None or not tempo_matches(tempo, bpm):
                misses.append(f"{label}: tempo {tempo}")
        if key is not None:
            key_total += 1
            exact = measured_key is not None and _same_key(measured_key, key)
            key_exact += exact
            key_related += measured_key is not None and key_matches(key, measured_key)
            if not exact:
                misses.append(f"{label}: key {measured_key}")
    seconds = sum(len(audio) for _, audio, _, _ in cases) / SAMPLE_RATE
    print(
        f"{name}: tempo within 1 % (folded) {tempo_close}/{tempo_total}, within 4 % "
        f"{tempo_folded}/{tempo_total}; key exact {key_exact}/{key_total}, same or relative "
        f"{key_related}/{key_total}; {cpu / seconds * 180:.3f} s CPU per 3 minutes of signal"
    )
    for miss in misses:
        print(f"  miss: {miss}")


def _balance_and_range(*, smoke: bool) -> None:
    seconds = 10 if smoke else 30
    bright = a.analyse(signals.groove(100, "A major", seconds), SAMPLE_RATE)
    dull = a.analyse(
        signals.low_passed(signals.groove(100, "A major", seconds), 4_000), SAMPLE_RATE
    )
    print(
        f"tonal balance: bright groove {bright.hf_energy_ratio:.4f} of its energy above 8 kHz "
        f"(roll-off {bright.rolloff_hz:.0f} Hz), low-passed at 4 kHz {dull.hf_energy_ratio:.6f} "
        f"(roll-off {dull.rolloff_hz:.0f} Hz)"
    )
    ranges = []
    for step in (0.0, 6.0, 10.0):
        measured = a.analyse(signals.loudness_steps(60 if smoke else 120, step), SAMPLE_RATE)
        ranges.append(f"{step:g} LU -> {measured.loudness_range_lu} LU")
    print(f"loudness range of level steps: {', '.join(ranges)}")
    sample = a.analyse(render_placeholder(Arrangement(seconds, 60, "C major", "4", 3)), SAMPLE_RATE)
    judged = adherence(
        sample, asked_bpm=60, asked_key="C major", asked_duration_s=seconds, duration_s=seconds
    )
    print(
        f"placeholder asked 60 BPM C major: measured {sample.tempo_bpm} BPM "
        f"(confidence {sample.tempo_confidence}), {sample.key} ({sample.key_confidence}); "
        f"obeys {judged.obeys}"
    )


def _same_key(measured: str, known: str) -> bool:
    return key_root_semitone(measured) == key_root_semitone(known) and key_is_minor(
        measured
    ) == key_is_minor(known)


def _cpu(work: Callable[[], T], repeat: int) -> tuple[float, T]:
    """The least CPU time of `repeat` runs of `work`, and its result."""
    start = time.process_time()
    result = work()
    best = time.process_time() - start
    for _ in range(repeat - 1):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best, result


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="length of the track")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (the best is kept)")
    parser.add_argument(
        "--essentia", action="store_true", help="compare with essentia (must be installed)"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="print the figures without judging the targets: exit 0 unless the run broke",
    )
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.repeat = 20.0, 1
    return args


if __name__ == "__main__":
    sys.exit(main())
