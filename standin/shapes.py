"""The JSON shapes the real server sends (ACESTEP_API.md §2, §5.2, §9, §11).

Successes are wrapped in `{data, code, error, timestamp, extra}`. `/query_result` items differ by
state and by flavour: the PyPI build has no `progress`/`stage`/`error` fields at all.
"""

import time
import urllib.parse
from collections.abc import Sequence
from pathlib import Path

from standin.config import ENV_LABEL, PLACEHOLDER_LM_MODEL, Flavour
from standin.plan import JobPlan
from standin.store import WIRE_STATUS, JobRecord, JobState

Item = dict[str, object]


def wrap(data: object, *, code: int = 200, error: str | None = None) -> dict[str, object]:
    """The success wrapper (also used for HTTP-200 answers that carry `code: 500`)."""
    return {
        "data": data,
        "code": code,
        "error": error,
        "timestamp": int(time.time() * 1000),
        "extra": None,
    }


def audio_url(path: Path) -> str:
    """The relative download URL of a server file: its path percent-encoded with no safe chars."""
    return f"/v1/audio?path={urllib.parse.quote(str(path), safe='')}"


def _base(record: JobRecord, status: int) -> Item:
    return {
        "file": "",
        "wave": "",
        "status": status,
        "create_time": record.create_time,
        "env": ENV_LABEL,
    }


def store_item(record: JobRecord, flavour: Flavour) -> Item:
    """A queued (or, on PyPI, running) job as the job store reports it."""
    item = {**_base(record, WIRE_STATUS[record.state]), "prompt": "", "lyrics": "", "metas": {}}
    if flavour == "head":
        item.update(progress=record.progress, stage=record.stage, error=record.error)
    return item


def running_item(record: JobRecord) -> Item:
    """A running job's cache entry (HEAD only; the PyPI build caches final results only)."""
    return {**_base(record, 0), "progress": record.progress, "stage": record.stage}


def failed_item(record: JobRecord, flavour: Flavour) -> Item:
    """A failed job's cache entry: no reason at all."""
    item = _base(record, WIRE_STATUS[JobState.FAILED])
    if flavour == "head":
        item.update(progress=0.0, stage="failed")
    return item


def succeeded_items(
    record: JobRecord, plan: JobPlan, files: Sequence[Path], info: str, flavour: Flavour
) -> list[Item]:
    """One item per file (one item with `file: ""` when there are none)."""
    common: Item = {
        **_base(record, WIRE_STATUS[JobState.SUCCEEDED]),
        "prompt": plan.prompt,
        "lyrics": plan.lyrics,
        "metas": plan.metas,
        "generation_info": info,
        "seed_value": ",".join(str(seed) for seed in plan.seeds),
        "lm_model": PLACEHOLDER_LM_MODEL,
        "dit_model": plan.model,
    }
    if flavour == "head":
        common.update(progress=1.0, stage="succeeded")
    if not files:
        return [common]
    return [{**common, "file": audio_url(path)} for path in files]


def query_entry(task_id: object, status: int, result: str, progress_text: str | None) -> Item:
    """One element of `/query_result`'s data list (`progress_text` only where upstream has it)."""
    entry: Item = {"task_id": task_id, "result": result, "status": status}
    if progress_text is not None:
        entry["progress_text"] = progress_text
    return entry


def openrouter_models(models: Sequence[str]) -> dict[str, object]:
    """HEAD's `/v1/models`: OpenRouter's unwrapped list, ids "acestep/<name>"."""
    created = int(time.time()) - 86_400 * 30
    return {
        "object": "list",
        "data": [
            {
                "id": f"acestep/{name}",
                "name": f"ACE-Step {name}",
                "created": created,
                "input_modalities": ["text", "audio"],
                "output_modalities": ["audio", "text"],
                "context_length": 4096,
                "max_output_length": 300,
                "pricing": {"prompt": "0", "completion": "0", "request": "0", "image": "0"},
                "description": "Placeholder audio synthesiser (acemusic stand-in, not an AI model)",
                "architecture": None,
            }
            for name in models
        ],
    }


def pypi_models(models: Sequence[str]) -> dict[str, object]:
    """The PyPI build's wrapped `/v1/models` data."""
    listed = [{"name": name, "is_default": index == 0} for index, name in enumerate(models)]
    return {"models": listed, "default_model": models[0] if models else None}
