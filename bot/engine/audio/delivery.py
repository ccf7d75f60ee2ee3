"""Delivery files for the playout catalogue: house loudness, a held true-peak ceiling, fades, tags.

`render_delivery(source, dest, spec, tags)` writes one file:
- 48 kHz stereo (`render.load_stereo`), MP3 at 320 kbps CBR or 16-bit FLAC (`spec.fmt`);
- a short fade (`FADE_S`, half a cosine) at an edge only when that edge is abrupt: the first or
  last `EDGE_WINDOW_S` of audio has an RMS level above `ABRUPT_EDGE_DBFS` (music cut off
  mid-note rather than starting from or dying into silence);
- integrated loudness at `spec.target_lufs` within `LOUDNESS_TOLERANCE_LU`, with sample peaks
  limited (`qc.normalise_in_place`) below the true-peak ceiling. The written file is decoded
  again and measured (`render.encode_measured`); when its true peak passes `spec.ceiling_dbtp`
  (encoding and inter-sample peaks), the limiter's ceiling is lowered by the overshoot and the
  file rendered again, at most `MAX_RENDERS` times — so the ceiling is held in the file itself;
- tagged with mutagen: ID3v2.4 (MP3) or Vorbis comments (FLAC) from `TrackTags`;
- written to a temporary file beside `dest` and renamed into place only when all of that holds.
  Nothing half-written is left behind, whatever fails (a full disk included).

Synchronous and CPU-bound: the export runs it in the audio process pool (`workers.AudioWorkers`).
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import mutagen.flac
import mutagen.id3
import numpy as np

from audiofile.atomic import finalize
from audiofile.codec import Frames
from bot.engine.audio.loudness import integrated_loudness
from bot.engine.audio.qc import normalise_in_place
from bot.engine.audio.render import (
    SAMPLE_RATE,
    RenderError,
    Written,
    encode_measured,
    load_stereo,
    temporaries,
)
from domain.catalogue import DeliverySpec, TrackTags

EDGE_WINDOW_S: Final = 0.010  # how much of each edge is judged
ABRUPT_EDGE_DBFS: Final = -40.0  # RMS above this at an edge: the music is cut off there
FADE_S: Final = 0.050
LOUDNESS_TOLERANCE_LU: Final = 0.5
PEAK_MARGIN_DB: Final = 0.5  # sample peaks aimed this far below the true-peak ceiling at first
MAX_RENDERS: Final = 4


@dataclass(frozen=True)
class DeliveredFile:
    """A written delivery file and what it measures (decoded from disk after writing)."""

    path: Path
    sha256: str
    size: int
    integrated_lufs: float
    true_peak_dbtp: float
    duration_s: float
    gain_db: float
    faded_in: bool
    faded_out: bool


def abrupt_edges(samples: Frames, sample_rate: int) -> tuple[bool, bool]:
    """Whether the start and the end are abrupt (see the module docstring)."""
    window = max(1, round(EDGE_WINDOW_S * sample_rate))
    if len(samples) < 2 * window:
        return False, False
    return _loud(samples[:window]), _loud(samples[-window:])


def _loud(edge: Frames) -> bool:
    rms = float(np.sqrt(np.mean(np.square(edge, dtype=np.float64))))
    return bool(rms > 0 and 20 * np.log10(rms) > ABRUPT_EDGE_DBFS)


def apply_fades(samples: Frames, sample_rate: int, *, fade_in: bool, fade_out: bool) -> None:
    """Half-cosine fades of `FADE_S` at the edges asked for (in place)."""
    length = min(round(FADE_S * sample_rate), len(samples) // 2)
    if length < 2:
        return
    ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, length))).astype(np.float32)[:, None]
    if fade_in:
        samples[:length] *= ramp
    if fade_out:
        samples[-length:] *= ramp[::-1]


def render_delivery(source: Path, dest: Path, spec: DeliverySpec, tags: TrackTags) -> DeliveredFile:
    """Write the delivery file of `source` at `dest` (its suffix must match `spec.fmt`)."""
    if dest.suffix != f".{spec.fmt}":
        raise ValueError(f"{dest.name} does not end in .{spec.fmt}")
    samples = load_stereo(source, "The source track")
    fade_in, fade_out = abrupt_edges(samples, SAMPLE_RATE)
    apply_fades(samples, SAMPLE_RATE, fade_in=fade_in, fade_out=fade_out)
    if integrated_loudness(samples, SAMPLE_RATE) is None:
        raise RenderError(
            f"The source track {source.name} is silent or shorter than 0.4 s: "
            "it has no loudness to set"
        )
    limit_dbfs = spec.ceiling_dbtp - PEAK_MARGIN_DB
    aim = spec.target_lufs
    dest.parent.mkdir(parents=True, exist_ok=True)
    with temporaries() as written_files:
        for _ in range(MAX_RENDERS):
            work = samples.copy()
            gain_db = normalise_in_place(work, SAMPLE_RATE, aim, limit_dbfs)
            written = encode_measured(work, 0.0, dest, written_files)
            level = written.level
            loudness_ok = abs(level.lufs - spec.target_lufs) <= LOUDNESS_TOLERANCE_LU
            if level.peak_dbtp <= spec.ceiling_dbtp and loudness_ok:
                return _finish(
                    written,
                    dest,
                    tags=tags,
                    spec=spec,
                    gain_db=gain_db,
                    fade_in=fade_in,
                    fade_out=fade_out,
                )
            if level.peak_dbtp > spec.ceiling_dbtp:
                limit_dbfs -= level.peak_dbtp - spec.ceiling_dbtp + 0.1
            if not loudness_ok:
                aim += spec.target_lufs - level.lufs
    raise RenderError(
        f"{source.name}: could not reach {spec.target_lufs} LUFS (±{LOUDNESS_TOLERANCE_LU} LU) "
        f"with true peaks at or below {spec.ceiling_dbtp} dBTP after {MAX_RENDERS} tries"
    )


def _finish(
    written: Written,
    dest: Path,
    *,
    tags: TrackTags,
    spec: DeliverySpec,
    gain_db: float,
    fade_in: bool,
    fade_out: bool,
) -> DeliveredFile:
    if spec.fmt == "mp3":
        write_id3(written.temporary, tags)
    else:
        write_vorbis(written.temporary, tags)
    digest, size = file_sha256(written.temporary)
    finalize(written.temporary, dest)
    return DeliveredFile(
        path=dest,
        sha256=digest,
        size=size,
        integrated_lufs=round(written.level.lufs, 2),
        true_peak_dbtp=round(written.level.peak_dbtp, 2),
        duration_s=round(written.duration_s, 3),
        gain_db=round(gain_db, 2),
        faded_in=fade_in,
        faded_out=fade_out,
    )


def write_id3(path: Path, tags: TrackTags) -> None:
    """ID3v2.4 tags on an MP3 file."""
    id3 = mutagen.id3.ID3()  # type: ignore[no-untyped-call]
    frames: list[mutagen.id3.Frame] = [
        mutagen.id3.TIT2(encoding=3, text=tags.title),  # type: ignore[no-untyped-call]
        mutagen.id3.TPE1(encoding=3, text=tags.artist),  # type: ignore[no-untyped-call]
        mutagen.id3.TPE2(encoding=3, text=tags.artist),  # type: ignore[no-untyped-call]
        mutagen.id3.TALB(encoding=3, text=tags.album),  # type: ignore[no-untyped-call]
        mutagen.id3.TDRC(encoding=3, text=str(tags.year)),  # type: ignore[no-untyped-call]
        mutagen.id3.COMM(encoding=3, lang="eng", desc="", text=tags.comment),  # type: ignore[no-untyped-call]
    ]
    if tags.genre:
        frames.append(mutagen.id3.TCON(encoding=3, text=tags.genre))  # type: ignore[no-untyped-call]
    if tags.bpm is not None:
        frames.append(mutagen.id3.TBPM(encoding=3, text=str(tags.bpm)))  # type: ignore[no-untyped-call]
    if tags.key:
        frames.append(mutagen.id3.TKEY(encoding=3, text=tags.key))  # type: ignore[no-untyped-call]
    for frame in frames:
        id3.add(frame)  # type: ignore[no-untyped-call]
    id3.save(path, v2_version=4)


def write_vorbis(path: Path, tags: TrackTags) -> None:
    """Vorbis comments on a FLAC file."""
    flac = mutagen.flac.FLAC(path)  # type: ignore[no-untyped-call]
    if flac.tags is None:
        flac.add_tags()  # type: ignore[no-untyped-call]
    comments = {
        "TITLE": tags.title,
        "ARTIST": tags.artist,
        "ALBUMARTIST": tags.artist,
        "ALBUM": tags.album,
        "DATE": str(tags.year),
        "COMMENT": tags.comment,
        "GENRE": tags.genre,
        "BPM": str(tags.bpm) if tags.bpm is not None else None,
        "INITIALKEY": tags.key,
    }
    for name, value in comments.items():
        if value:
            flac[name] = value
    flac.save()


def file_sha256(path: Path) -> tuple[str, int]:
    """The sha256 (hex) and size of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
