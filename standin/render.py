"""Rendering a plan's tracks to files (CPU work: call it from a worker thread).

Files are named like upstream's, by a hash of the generation parameters and the track's seed
(ACESTEP_API.md §7), inside the server's `api_audio` folder.
"""

import hashlib
import json
import logging
import uuid
from pathlib import Path

from audiofile.codec import write_audio
from standin.audio.synth import SAMPLE_RATE, render_placeholder
from standin.plan import JobPlan

log = logging.getLogger(__name__)


def render_tracks(plan: JobPlan, out_dir: Path) -> list[Path]:
    """Render and write one file per seed; returns their absolute paths in seed order."""
    paths = []
    for seed in plan.seeds:
        path = out_dir / f"{track_key(plan, seed)}.{plan.extension}"
        samples = render_placeholder(plan.arrangement(seed), sample_rate=SAMPLE_RATE)
        write_audio(samples, SAMPLE_RATE, path, plan.audio_format)
        paths.append(path)
    log.debug("rendered %d placeholder track(s) of %.1f s", len(paths), plan.duration_s)
    return paths


def track_key(plan: JobPlan, seed: int) -> str:
    """A uuid derived from what was rendered, so equal parameters and seed give equal names."""
    fields = {
        "model": plan.model,
        "caption": plan.prompt,
        "lyrics": plan.lyrics,
        "bpm": plan.bpm,
        "key": plan.key_scale,
        "metre": plan.time_signature,
        "duration": plan.duration_s,
        "format": plan.audio_format,
        "seed": seed,
    }
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode("utf-8")).digest()
    return str(uuid.UUID(bytes=digest[:16]))
