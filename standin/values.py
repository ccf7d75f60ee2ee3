"""Lenient reading of request values, the way the real server reads them (ACESTEP_API.md §4.1-4.2).

Nothing is rejected: a value that does not parse silently becomes the default. Integers go
through `int(str(v))`, so `120.0` and `"120.5"` are *not given*. A field is looked up in the body,
then in `param_obj`, then in the first non-empty of `metas`/`meta`/`metadata`/`user_metadata`/
`userMetadata`, trying each alias in order; the first non-null value wins.
"""

import json
from collections.abc import Mapping
from typing import Final

from standin.errors import ServerFault

TRUE_WORDS: Final = frozenset({"1", "true", "yes", "y", "on"})
META_KEYS: Final = ("metas", "meta", "metadata", "user_metadata", "userMetadata")

ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "prompt": ("prompt", "caption"),
    "analysis_only": ("analysis_only", "analysisOnly"),
    "full_analysis_only": ("full_analysis_only", "fullAnalysisOnly"),
    "sample_mode": ("sample_mode", "sampleMode"),
    "sample_query": ("sample_query", "sampleQuery", "description", "desc"),
    "use_format": ("use_format", "useFormat", "format"),
    "model": ("model", "model_name", "modelName", "dit_model", "ditModel"),
    "key_scale": ("key_scale", "keyscale", "keyScale", "key"),
    "time_signature": ("time_signature", "timesignature", "timeSignature"),
    "audio_duration": (
        "audio_duration",
        "duration",
        "audioDuration",
        "target_duration",
        "targetDuration",
    ),
    "vocal_language": ("vocal_language", "vocalLanguage", "language"),
    "inference_steps": ("inference_steps", "inferenceSteps"),
    "guidance_scale": ("guidance_scale", "guidanceScale"),
    "use_random_seed": ("use_random_seed", "useRandomSeed"),
    "reference_audio_path": (
        "reference_audio_path",
        "ref_audio_path",
        "referenceAudioPath",
        "refAudioPath",
    ),
    "src_audio_path": (
        "src_audio_path",
        "ctx_audio_path",
        "sourceAudioPath",
        "srcAudioPath",
        "ctxAudioPath",
    ),
    "task_type": ("task_type", "taskType"),
    "use_cot_caption": ("use_cot_caption", "cot_caption", "cot-caption"),
    "use_cot_language": ("use_cot_language", "cot_language", "cot-language"),
    "audio_code_string": ("audio_code_string", "audioCodeString"),
}


def to_int(value: object, default: int | None = None) -> int | None:
    """`int(str(value))`, or `default` when missing or unparseable (so floats are dropped)."""
    if value is None:
        return default
    if isinstance(value, int):
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        return default


def to_float(value: object, default: float | None = None) -> float | None:
    """`float(str(value))`, or `default` when missing or unparseable."""
    if value is None:
        return default
    if isinstance(value, float):
        return value
    try:
        return float(str(value).strip())
    except ValueError:
        return default


def to_bool(value: object, default: bool = False) -> bool:
    """True for 1/true/yes/y/on in any case; anything else given is False."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return default if text == "" else text in TRUE_WORDS


def json_object(value: object) -> Mapping[str, object]:
    """An object given inline or as a JSON string; bad JSON and other types read as empty.

    JSON that decodes to something other than an object crashes the real server on first use,
    so it is a `ServerFault` here.
    """
    if isinstance(value, dict):
        return value
    if not isinstance(value, str) or not value.strip():
        return {}
    try:
        decoded = json.loads(value)
    except ValueError:
        return {}
    if not isinstance(decoded, dict):
        raise ServerFault("param_obj/metas JSON is not an object")
    return decoded


class Params:
    """Field lookup over the body, `param_obj` and the first non-empty metas object."""

    def __init__(self, raw: Mapping[str, object]) -> None:
        self._sources = (raw, json_object(raw.get("param_obj")), _metas(raw))

    def get(self, name: str) -> object | None:
        """The first non-null value of `name` (or an alias) across the sources."""
        for source in self._sources:
            for alias in ALIASES.get(name, (name,)):
                value = source.get(alias)
                if value is not None:
                    return value
        return None

    def text(self, name: str, default: str = "") -> str:
        """The value as text (`str()` of whatever was sent)."""
        value = self.get(name)
        return default if value is None else str(value)

    def integer(self, name: str) -> int | None:
        """The value as an integer; floats and junk read as not given."""
        return to_int(self.get(name))

    def integer_or(self, name: str, default: int) -> int:
        """The value as an integer, or `default`."""
        value = to_int(self.get(name))
        return default if value is None else value

    def number(self, name: str) -> float | None:
        """The value as a float; junk reads as not given."""
        return to_float(self.get(name))

    def number_or(self, name: str, default: float) -> float:
        """The value as a float, or `default`."""
        value = to_float(self.get(name))
        return default if value is None else value

    def flag(self, name: str, default: bool = False) -> bool:
        """The value as a boolean."""
        return to_bool(self.get(name), default)


def _metas(raw: Mapping[str, object]) -> Mapping[str, object]:
    for key in META_KEYS:
        value = raw.get(key)
        if value:
            return json_object(value)
    return {}
