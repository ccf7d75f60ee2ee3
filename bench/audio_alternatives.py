"""The alternatives weighed for the audio check and the delivery MP3: decoders, meters, encoders.

    uv run python -m bench.audio_alternatives          # what the project installs
    uv run --with av --with lameenc --with pedalboard python -m bench.audio_alternatives

Candidates that are not installed are skipped (and say so); none of them is a dependency of the
project unless docs/benchmarks.md says it was adopted. One 3-minute, 48 kHz stereo placeholder
track (`standin` synthesis); CPU seconds (process time: every thread of this process), the best
of `--repeat` runs. Printed:
- decoders, per format (MP3, WAV, FLAC) to float32: libsndfile in the check's 64 Ki-frame blocks
  (the project's), miniaudio (dr_mp3 / dr_flac / dr_wav, whole file), PyAV (FFmpeg's decoders,
  frame by frame into numpy);
- EBU R128 meters on the decoded signal: libebur128 (pyebur128) integrated loudness, and with
  true peak; pyloudnorm (scipy IIR filters; whole signal in memory; no true peak); FFmpeg's
  `ebur128` filter through PyAV, on the MP3 (its cost over decoding alone in the same graph);
- 320 kbps constant-bitrate MP3 encoders: libsndfile's LAME (the project's), lameenc at LAME
  qualities 2, 3 and 5, pedalboard, PyAV's libmp3lame; for each whether the file carries LAME's
  Info frame (decoders then trim the encoder's delay and padding: the decoded length equals the
  input's) and the bitrate mode mutagen reads.
"""

import argparse
import importlib.util
import io
import itertools
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import mutagen.mp3
import numpy as np
import soundfile as sf
from numpy.typing import NDArray

from audiofile.codec import encode_audio, stream_audio, write_audio
from bot.engine.audio.loudness import integrated_loudness, measure_loudness
from standin.audio.synth import SAMPLE_RATE, Arrangement, render_placeholder

T = TypeVar("T")
Frames = NDArray[np.float32]


def main() -> int:
    """Measure every installed candidate and print the figures."""
    args = _arguments()
    track = render_placeholder(Arrangement(args.seconds, 100, "A minor", "4", seed=1))
    print(f"one {args.seconds:g} s track, 48 kHz stereo; CPU seconds, best of {args.repeat}")
    with tempfile.TemporaryDirectory(prefix="acemusic-bench-") as scratch:
        root = Path(scratch)
        print("decoders (to float32)")
        for fmt in ("mp3", "wav", "flac"):
            path = root / f"take.{fmt}"
            write_audio(track, SAMPLE_RATE, path, fmt)
            for name, decode in _decoders().items():
                _row(f"  {fmt:4s} {name}", decode, path, args.repeat)
        print("EBU R128 meters (integrated loudness unless said)")
        for name, meter in _meters().items():
            _row(f"  {name}", meter, track, args.repeat)
        _ffmpeg_meters(root / "take.mp3", args.repeat)
        print("320 kbps CBR MP3 encoders")
        for name, encode in _encoders().items():
            _row(f"  {name}", encode, track, 1, describe=_describe_mp3(len(track)))
    print("targets not judged: this benchmark compares the alternatives, it has no targets")
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="length of the track")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (the best is kept)")
    parser.add_argument("--smoke", action="store_true", help="a 5 s track, one run each")
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.repeat = 5.0, 1
    return args


def _row(
    label: str,
    work: Callable[[Any], T] | None,
    argument: Any,
    repeat: int,
    describe: Callable[[T], str] = str,
) -> None:
    if work is None:
        print(f"{label:40s}   not installed")
        return
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        result = work(argument)
        best = min(best, time.process_time() - start)
    print(f"{label:40s} {best:6.3f} s   {describe(result)}")  # type: ignore[arg-type]


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


# --- decoders: each returns the number of frames decoded ---


def _decoders() -> dict[str, Callable[[Path], int] | None]:
    return {
        "libsndfile, 64 Ki-frame blocks": _libsndfile_frames,
        "miniaudio, whole file": _miniaudio_frames if _installed("miniaudio") else None,
        "PyAV, frame by frame": _pyav_frames if _installed("av") else None,
    }


def _libsndfile_frames(path: Path) -> int:
    with stream_audio(path, block_frames=1 << 16) as (_, blocks):
        return sum(len(block) for block in blocks)


def _miniaudio_frames(path: Path) -> int:
    import miniaudio

    info = miniaudio.get_file_info(str(path))
    decoded = miniaudio.decode_file(
        str(path), miniaudio.SampleFormat.FLOAT32, info.nchannels, info.sample_rate
    )
    return int(decoded.num_frames)


def _pyav_frames(path: Path) -> int:
    import av

    frames = 0
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            frame.to_ndarray()  # planar or interleaved, as the decoder gives it
            frames += frame.samples
    return frames


# --- meters: each returns its reading ---


def _meters() -> dict[str, Callable[[Frames], object] | None]:
    return {
        "libebur128 (pyebur128)": lambda x: f"{integrated_loudness(x, SAMPLE_RATE):.3f} LUFS",
        "libebur128 + true peak": lambda x: measure_loudness(x, SAMPLE_RATE),
        "pyloudnorm": _pyloudnorm if _installed("pyloudnorm") else None,
    }


def _pyloudnorm(samples: Frames) -> str:
    import pyloudnorm

    return f"{pyloudnorm.Meter(SAMPLE_RATE).integrated_loudness(samples):.3f} LUFS"


def _ffmpeg_meters(mp3: Path, repeat: int) -> None:
    """FFmpeg's meter inside a filter graph that also decodes: the CPU of the graph with the
    filter, less that of the same graph without it."""
    if not _installed("av"):
        print(f"{'  FFmpeg ebur128 (PyAV)':40s}   not installed")
        return
    decoding = min(_timed(lambda: _ffmpeg_graph(mp3, None))[0] for _ in range(repeat))
    for label, options in (("", "metadata=1"), (" + true peak", "metadata=1:peak=true")):
        runs = [_timed(lambda options=options: _ffmpeg_graph(mp3, options)) for _ in range(repeat)]
        best, reading = min(runs)
        print(f"{'  FFmpeg ebur128' + label + ' (PyAV)':40s} {best - decoding:6.3f} s   {reading}")


def _timed(work: Callable[[], T]) -> tuple[float, T]:
    start = time.process_time()
    result = work()
    return time.process_time() - start, result


def _ffmpeg_graph(mp3: Path, ebur128: str | None) -> str:
    import av
    import av.filter

    graph = av.filter.Graph()
    chain = [graph.add("amovie", filename=str(mp3))]
    if ebur128 is not None:
        chain.append(graph.add("ebur128", ebur128))
    chain += [graph.add("asetnsamples", "n=65536:p=0"), graph.add("abuffersink")]
    for source, sink in itertools.pairwise(chain):
        source.link_to(sink)
    graph.configure()
    last: dict[str, str] = {}
    while True:
        try:
            frame = chain[-1].pull()
        except (av.error.EOFError, av.error.BlockingIOError):
            break
        frame.to_ndarray()
        last = dict(frame.metadata)
    integrated = last.get("lavfi.r128.I", "-")
    return f"{integrated} LUFS, true peak {last.get('lavfi.r128.true_peak', '-')}"


# --- encoders: each returns the MP3's bytes ---


def _encoders() -> dict[str, Callable[[Frames], bytes] | None]:
    lame = _installed("lameenc")
    return {
        "libsndfile's LAME (quality 2)": lambda x: encode_audio(
            x, SAMPLE_RATE, "mp3", mp3_kbps=320
        ),
        "lameenc quality 2": (lambda x: _lameenc(x, 2)) if lame else None,
        "lameenc quality 3": (lambda x: _lameenc(x, 3)) if lame else None,
        "lameenc quality 5": (lambda x: _lameenc(x, 5)) if lame else None,
        "pedalboard (LAME default quality 3)": _pedalboard if _installed("pedalboard") else None,
        "PyAV libmp3lame (default quality)": _pyav_mp3 if _installed("av") else None,
    }


def _lameenc(samples: Frames, quality: int) -> bytes:
    import lameenc

    encoder = lameenc.Encoder()
    encoder.set_channels(samples.shape[1])
    encoder.set_in_sample_rate(SAMPLE_RATE)
    encoder.set_bit_rate(320)
    encoder.set_quality(quality)
    encoder.silence()
    pcm = np.rint(np.clip(samples, -1, 1) * 32767.0).astype("<i2")
    return bytes(encoder.encode(pcm) + encoder.flush())


def _pedalboard(samples: Frames) -> bytes:
    from pedalboard.io import AudioFile

    buffer = io.BytesIO()
    with AudioFile(
        buffer, "w", samplerate=SAMPLE_RATE, num_channels=2, format="mp3", quality="320 kbps"
    ) as file:
        file.write(np.ascontiguousarray(samples.T))
    return buffer.getvalue()


def _pyav_mp3(samples: Frames) -> bytes:
    import av

    buffer = io.BytesIO()
    planar = np.ascontiguousarray(samples.T)
    with av.open(buffer, "w", format="mp3") as container:
        stream = container.add_stream("libmp3lame", rate=SAMPLE_RATE, layout="stereo")
        stream.bit_rate = 320_000
        for start in range(0, planar.shape[1], 1 << 16):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(planar[:, start : start + (1 << 16)]),
                format="fltp",
                layout="stereo",
            )
            frame.sample_rate = SAMPLE_RATE
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()


def _describe_mp3(frames: int) -> Callable[[bytes], str]:
    def describe(data: bytes) -> str:
        decoded = len(sf.read(io.BytesIO(data), dtype="float32")[0])
        info = mutagen.mp3.MP3(io.BytesIO(data)).info
        gapless = "exact length (LAME Info frame)" if decoded == frames else "no Info frame"
        return (
            f"{len(data)} bytes, decodes to {decoded} frames of {frames}: {gapless}; "
            f"mutagen: {info.bitrate // 1000} kbps {str(info.bitrate_mode).rsplit('.', 1)[-1]}"
        )

    return describe


if __name__ == "__main__":
    sys.exit(main())
