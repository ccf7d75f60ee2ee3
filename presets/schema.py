"""The preset schema: what one `presets/data/<id>.yaml` file may say, as pydantic models.

Every model forbids unknown fields (a typo must fail loudly, not be ignored) and is frozen. Values
are checked against ACE-Step's limits in `domain.constants`; keys are stored in ACE-Step's canonical
form ("F# minor") and time signatures in the server's form ("3" for 3/4). Checks that span several
fields raise a `ValueError` whose text starts with the field path, so the loader can name it.

Differences from the proposal in shared/PRESETS.md: a `production` caption pool (mix/sound words),
an optional `engine.guidance_scale`, families `new_age` and `pop`, `batch` with defaults, and
`approval.auto` (an optional auto-approval rule).
"""

import re
from enum import StrEnum
from typing import Annotated, Final, Literal, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from domain import constants as c
from domain.music import parse_key, parse_time_signature

TAG_MAX_CHARS: Final = 80
ALIAS_MAX_CHARS: Final = 40
BATCH_MAX_COUNT: Final = 20_000  # one batch line or manifest row; BATCH_MAX_TRACKS bounds the total
_SLUG_RE: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ALIAS_RE: Final = re.compile(r"^[\w'&]+(?:[ -][\w'&]+)*$")
_CLOCK_RE: Final = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$")
_MODEL_RE: Final = re.compile(r"^[A-Za-z0-9][\w.\-/]{0,99}$")


class Family(StrEnum):
    """The music team's template families (shared/PRESETS.md)."""

    SPA = "spa"
    WELLNESS = "wellness"
    NEW_AGE = "new_age"
    FITNESS = "fitness"
    KIDS = "kids"
    CAFE_JAZZ = "cafe_jazz"
    LOUNGE_CHILL = "lounge_chill"
    HOUSE_DANCE = "house_dance"
    POP = "pop"
    CLASSICAL = "classical"
    REGIONAL = "regional"
    SEASONAL = "seasonal"
    RETAIL = "retail"
    DINING = "dining"


class VenueType(StrEnum):
    """Venue categories playlists are built for."""

    HOTEL = "hotel"
    RESTAURANT = "restaurant"
    BAR = "bar"
    SPA = "spa"
    CAFE = "cafe"
    LOUNGE = "lounge"
    STORE = "store"
    GYM = "gym"
    KIDS_CLUB = "kids_club"
    QSR = "qsr"


def _tag(value: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise ValueError("must not be empty")
    if len(text) > TAG_MAX_CHARS:
        raise ValueError(f"must be at most {TAG_MAX_CHARS} characters (got {len(text)})")
    if any(mark in text for mark in ",;\n"):
        raise ValueError(f"one tag per item, without commas or semicolons (got '{text}')")
    return text


def _slug(value: str) -> str:
    if len(value) > 64 or not _SLUG_RE.match(value):
        raise ValueError(
            f"must be a slug: lowercase letters, digits and single hyphens, e.g. 'hotel-lobby' "
            f"(got '{value}')"
        )
    return value


def _alias(value: str) -> str:
    text = " ".join(value.lower().split())
    if not text or len(text) > ALIAS_MAX_CHARS or not _ALIAS_RE.match(text):
        raise ValueError(
            f"must be words people type, e.g. 'hotel lobby' (at most {ALIAS_MAX_CHARS} "
            f"characters; letters, digits, spaces, hyphens) (got '{value}')"
        )
    return text


def _clock(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(
            'write times in quotes, e.g. "10:30" (unquoted, YAML reads 10:30 as a number)'
        )
    if isinstance(value, str) and not _CLOCK_RE.match(value.strip()):
        raise ValueError(f"must be a 24-hour time HH:MM, e.g. '06:30' (got '{value}')")
    return value.strip() if isinstance(value, str) else value


def _language(value: str) -> str:
    if value not in c.LANGUAGES or value == "unknown":
        raise ValueError(f"'{value}' is not a language code ACE-Step knows (e.g. en, ja, zh)")
    return value


def _time_signature(value: object) -> object:
    if isinstance(value, int | str) and not isinstance(value, bool):
        return parse_time_signature(str(value))
    return value


def _model_name(value: str) -> str:
    if not _MODEL_RE.match(value):
        raise ValueError(f"must be a bare model name, e.g. 'acestep-v15-turbo' (got '{value}')")
    return value


def _region(value: str) -> str:
    if not re.fullmatch(r"[a-z]{2}", value):
        raise ValueError(f"must be a two-letter lowercase country code, e.g. 'jp' (got '{value}')")
    return value


def _title_prefix(value: str) -> str:
    if not re.fullmatch(r"[A-Z0-9]{1,8}", value):
        raise ValueError(f"must be 1-8 capital letters or digits, e.g. 'HL' (got '{value}')")
    return value


Tag = Annotated[str, AfterValidator(_tag)]
Slug = Annotated[str, AfterValidator(_slug)]
Alias = Annotated[str, AfterValidator(_alias)]
ClockTime = Annotated[str, BeforeValidator(_clock)]
KeyScale = Annotated[str, AfterValidator(parse_key)]
Language = Annotated[str, AfterValidator(_language)]
PresetTimeSignature = Annotated[c.TimeSignature, BeforeValidator(_time_signature)]
ModelName = Annotated[str, AfterValidator(_model_name)]
TitlePrefix = Annotated[str, AfterValidator(_title_prefix)]
Region = Annotated[str, AfterValidator(_region)]
Pool = tuple[Tag, ...]
Label = Annotated[str, Field(min_length=1, max_length=80)]


class _Model(BaseModel):
    """Base of every preset model: frozen, unknown fields refused, strings stripped."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Daypart(_Model):
    """A time window in which the music fits (placement and scheduling)."""

    label: Label
    start: ClockTime
    end: ClockTime  # may be earlier than start: the window runs past midnight
    days: Literal["daily", "weekday", "weekend"] = "daily"

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if self.start == self.end:
            raise ValueError(f"start and end are both {self.start}; the window would be empty")
        return self


class Vocal(_Model):
    """What a vocal preset sings about and how (vocal presets only)."""

    language: Language
    styles: Annotated[Pool, Field(min_length=1)]
    lyric_themes: Pool = ()


class CaptionPools(_Model):
    """Words drawn at random into captions; one descriptive tag per item."""

    genres: Annotated[Pool, Field(min_length=1)]
    sub_genres: Pool = ()
    moods: Annotated[Pool, Field(min_length=1)]
    instruments: Annotated[Pool, Field(min_length=1)]
    atmospheres: Pool = ()
    contexts: Pool = ()
    production: Pool = ()  # mix and sound words, e.g. "warm analog mix"

    @model_validator(mode="after")
    def _no_repeats(self) -> Self:
        for name in type(self).model_fields:
            seen: set[str] = set()
            for item in getattr(self, name):
                if item.casefold() in seen:
                    raise ValueError(f"{name}: lists '{item}' twice")
                seen.add(item.casefold())
        return self


class InstrumentPick(_Model):
    """How many instruments one caption names."""

    min: int = Field(default=2, ge=1, le=8)
    max: int = Field(default=3, ge=1, le=8)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is above max ({self.max})")
        return self


class Tempo(_Model):
    """The BPM range drawn from."""

    min_bpm: int = Field(ge=c.BPM_MIN, le=c.BPM_MAX)
    max_bpm: int = Field(ge=c.BPM_MIN, le=c.BPM_MAX)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min_bpm > self.max_bpm:
            raise ValueError(f"min_bpm ({self.min_bpm}) is above max_bpm ({self.max_bpm})")
        return self


class DurationRange(_Model):
    """The track length range drawn from, in seconds."""

    min: int = Field(ge=c.DURATION_MIN_S, le=c.DURATION_MAX_S)
    max: int = Field(ge=c.DURATION_MIN_S, le=c.DURATION_MAX_S)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is above max ({self.max})")
        return self


class Engine(_Model):
    """ACE-Step settings; None means the server's default."""

    model: ModelName | None = None
    inference_steps: int | None = Field(default=None, ge=1, le=c.INFERENCE_STEPS_MAX)
    guidance_scale: float | None = Field(default=None, ge=c.GUIDANCE_MIN, le=c.GUIDANCE_MAX)
    thinking: bool = False
    enhance: bool = False
    variants_per_call: int = Field(default=2, ge=c.VARIANTS_MIN, le=c.VARIANTS_MAX)


class Output(_Model):
    """Delivery metadata written onto every track made from the preset."""

    format: c.AudioFormat = "mp3"
    collection: Label
    genre_tag: Annotated[str, Field(min_length=1, max_length=40)]
    title_prefix: TitlePrefix
    energy: int = Field(ge=1, le=10)
    mood_tags: Pool = ()
    tags: Pool = ()


class Batch(_Model):
    """What `/music batch <preset>` makes when no count is given."""

    count: int = Field(default=20, ge=1, le=BATCH_MAX_COUNT)  # tracks, not calls
    strategy: Literal["random", "systematic"] = "random"


class AutoApproval(_Model):
    """Approve a track without a person once its ratings reach this (storage.ratings.counted:
    each rater's latest reaction; the score is their mean, on RATING_EMOJI's scale)."""

    min_score: float = Field(ge=-100, le=100, allow_inf_nan=False)  # mean of the counted ratings
    min_raters: int = Field(default=2, ge=1, le=1000)  # people who rated it
    # the audio check it must have: "pass" only, or "warn" (pass or warnings; never a failure)
    audio_check: Literal["pass", "warn"] = "pass"


class Approval(_Model):
    """How tracks made from the preset are approved for the catalogue."""

    auto: AutoApproval | None = None  # None: only people approve


class Preset(_Model):
    """One venue/genre preset."""

    id: Slug
    version: int = Field(ge=1)
    name: Label
    description: Annotated[str, Field(min_length=1, max_length=500)]
    family: Family
    aliases: tuple[Alias, ...] = ()
    region: Region | None = None
    venue_types: Annotated[tuple[VenueType, ...], Field(min_length=1)]
    dayparts: tuple[Daypart, ...] = ()
    kind: Literal["instrumental", "vocal"] = "instrumental"
    vocal: Vocal | None = None
    caption_pools: CaptionPools
    instrument_pick: InstrumentPick = InstrumentPick()
    avoid: Pool = ()
    tempo: Tempo
    key_scales: tuple[KeyScale, ...] = ()
    time_signature: PresetTimeSignature | None = None
    duration_s: DurationRange
    engine: Engine = Engine()
    output: Output
    batch: Batch = Batch()
    approval: Approval = Approval()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.kind == "vocal" and self.vocal is None:
            raise ValueError("vocal: a vocal preset needs a vocal section (language, styles)")
        if self.kind == "instrumental" and self.vocal is not None:
            raise ValueError("vocal: only vocal presets have this section (kind is instrumental)")
        pool = len(self.caption_pools.instruments)
        if self.instrument_pick.max > pool:
            raise ValueError(
                f"instrument_pick.max: must be at most {pool}, the number of "
                f"caption_pools.instruments (got {self.instrument_pick.max})"
            )
        if len(set(self.key_scales)) != len(self.key_scales):
            raise ValueError("key_scales: lists the same key twice")
        return self

    @property
    def names(self) -> tuple[str, ...]:
        """Every phrase that names this preset: the id, the id with spaces, the aliases."""
        spaced = self.id.replace("-", " ")
        return tuple(dict.fromkeys((self.id, spaced, *self.aliases)))

    @property
    def instrumental(self) -> bool:
        """Whether the preset makes music without vocals."""
        return self.kind == "instrumental"


SCHEMA_MODELS: Final[tuple[type[BaseModel], ...]] = (
    Preset,
    Daypart,
    Vocal,
    CaptionPools,
    InstrumentPick,
    Tempo,
    DurationRange,
    Engine,
    Output,
    Batch,
    Approval,
    AutoApproval,
)


def known_field_names() -> frozenset[str]:
    """Every field name the schema knows, for "did you mean" hints on typos."""
    return frozenset(name for model in SCHEMA_MODELS for name in model.model_fields)
