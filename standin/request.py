"""A `/release_task` body read into the fields the stand-in acts on (ACESTEP_API.md §4.3).

Defaults are the real server's. Fields the stand-in cannot act on (diffusion knobs, LM sampling
knobs, reference audio) are read only where reading them can change the outcome on the wire.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final

from standin.config import DEFAULT_GUIDANCE_SCALE, DEFAULT_INFERENCE_STEPS, Flavour
from standin.errors import ServerFault
from standin.values import Params

LM_BACKENDS: Final[dict[Flavour, frozenset[str]]] = {
    "head": frozenset({"vllm", "pt", "mlx"}),
    "pypi": frozenset({"vllm", "pt"}),
}


@dataclass(frozen=True)
class JobRequest:
    """What one `/release_task` asked for, after lenient parsing."""

    prompt: str = ""
    lyrics: str = ""
    thinking: bool = False
    sample_mode: bool = False
    sample_query: str = ""
    use_format: bool = False
    model: str | None = None
    bpm: int | None = None
    key_scale: str = ""
    time_signature: str = ""
    audio_duration: float | None = None
    vocal_language: str = "en"
    inference_steps: int = DEFAULT_INFERENCE_STEPS
    guidance_scale: float = DEFAULT_GUIDANCE_SCALE
    batch_size: int | None = None
    audio_format: str = "mp3"
    task_type: str = "text2music"
    src_audio_path: str | None = None
    reference_audio_path: str | None = None
    analysis_only: bool = False
    full_analysis_only: bool = False
    use_cot_caption: bool = True
    use_cot_language: bool = True
    seed: int = -1  # parsed and ignored, as at upstream HEAD: every track gets a random seed
    use_random_seed: bool = True


def build_job_request(raw: Mapping[str, object], flavour: Flavour) -> JobRequest:
    """Read a body; raises `ServerFault` where the real server's request model rejects it."""
    p = Params(raw)
    backend = p.text("lm_backend", "vllm")
    if backend not in LM_BACKENDS[flavour]:
        raise ServerFault(f"lm_backend {backend!r} is not one of {sorted(LM_BACKENDS[flavour])}")
    head = flavour == "head"
    return JobRequest(
        prompt=p.text("prompt"),
        lyrics=p.text("lyrics"),
        thinking=p.flag("thinking"),
        sample_mode=p.flag("sample_mode"),
        sample_query=p.text("sample_query"),
        use_format=p.flag("use_format"),
        model=p.text("model") or None,
        bpm=p.integer("bpm"),
        key_scale=p.text("key_scale"),
        time_signature=p.text("time_signature"),
        audio_duration=p.number("audio_duration"),
        vocal_language=p.text("vocal_language", "en"),
        inference_steps=p.integer_or("inference_steps", DEFAULT_INFERENCE_STEPS),
        guidance_scale=p.number_or("guidance_scale", DEFAULT_GUIDANCE_SCALE),
        batch_size=p.integer("batch_size"),
        audio_format=p.text("audio_format", "mp3"),
        task_type=p.text("task_type", "text2music"),
        # The PyPI build reads source paths from form bodies only; JSON ones are ignored there.
        src_audio_path=(p.text("src_audio_path") or None) if head else None,
        reference_audio_path=(p.text("reference_audio_path") or None) if head else None,
        analysis_only=p.flag("analysis_only") and head,
        full_analysis_only=p.flag("full_analysis_only") and head,
        use_cot_caption=p.flag("use_cot_caption", True),
        use_cot_language=p.flag("use_cot_language", True),
        seed=p.integer_or("seed", -1),
        use_random_seed=p.flag("use_random_seed", True),
    )


def with_form_paths(request: JobRequest, fields: Mapping[str, object]) -> JobRequest:
    """The PyPI build's form-body reading of the source-audio paths (text fields only)."""
    src = str(fields.get("ctx_audio_path") or fields.get("src_audio_path") or "").strip()
    ref = str(fields.get("ref_audio_path") or fields.get("reference_audio_path") or "").strip()
    return replace(request, src_audio_path=src or None, reference_audio_path=ref or None)
