"""The one typed description of a track to make, shared by every entry point and the engine.

Commands build a `GenerationRequest` from what people type; the job engine stores it as JSON on the
job row and turns it into the ACE-Step wire payload. Validation here is the last line of defence:
the parser already answers people with friendlier messages for the same limits.
"""

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain import constants as c
from domain.music import MusicError, display_time_signature, parse_key


class GenerationRequest(BaseModel):
    """Everything needed to ask ACE-Step for one set of variants."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    caption: str = Field(min_length=1, max_length=c.CAPTION_MAX_CHARS)
    lyrics: str = Field(default="", max_length=c.LYRICS_MAX_CHARS)
    instrumental: bool = True
    duration_s: int = Field(ge=c.DURATION_MIN_S, le=c.DURATION_MAX_S)
    bpm: int | None = Field(default=None, ge=c.BPM_MIN, le=c.BPM_MAX)
    key_scale: str | None = None
    time_signature: c.TimeSignature | None = None
    language: str = "en"
    variants: int = Field(default=2, ge=c.VARIANTS_MIN, le=c.VARIANTS_MAX)
    seed: int | None = Field(default=None, ge=0, le=2**32 - 1)
    inference_steps: int | None = Field(default=None, ge=1, le=c.INFERENCE_STEPS_MAX)
    guidance_scale: float | None = Field(default=None, ge=c.GUIDANCE_MIN, le=c.GUIDANCE_MAX)
    model: str | None = None
    audio_format: c.AudioFormat = "mp3"
    enhance: bool = False
    thinking: bool = False
    preset_id: str | None = None
    preset_version: int | None = None

    @field_validator("key_scale")
    @classmethod
    def _canonical_key(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return parse_key(value)
        except MusicError as exc:
            raise ValueError(str(exc)) from exc

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in c.LANGUAGES:
            raise ValueError(f"'{value}' is not a language code ACE-Step knows (e.g. en, ja, zh)")
        return value

    @model_validator(mode="after")
    def _lyrics_match_instrumental(self) -> Self:
        if self.instrumental and self.lyrics.strip():
            raise ValueError("an instrumental request cannot carry lyrics")
        if not self.instrumental and not self.lyrics.strip():
            raise ValueError("a vocal request needs lyrics")
        return self

    def summary(self) -> dict[str, str]:
        """What was understood, as label -> value, in the order people read it."""
        rows: dict[str, Any] = {
            "Preset": self.preset_id,
            "Caption": self.caption,
            "Duration": format_duration(self.duration_s),
            "BPM": self.bpm or "server decides",
            "Key": self.key_scale or "server decides",
            "Time signature": (
                display_time_signature(self.time_signature) if self.time_signature else None
            ),
            "Vocals": "instrumental" if self.instrumental else f"lyrics ({self.language})",
            "Variants": self.variants,
            "Format": self.audio_format,
            "Model": self.model,
            "Seed": self.seed,
            "Enhance": "yes (server LLM)" if self.enhance else None,
        }
        return {label: str(value) for label, value in rows.items() if value is not None}


def format_duration(seconds: float) -> str:
    """`185` -> `3:05`."""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
