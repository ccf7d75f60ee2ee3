"""Typed configuration, read once from the environment and `.env` (documented in `.env.example`).

`Settings()` is built in the CLI entry point and passed down; nothing else reads `os.environ`.
Secrets are `SecretStr` (never printed); placeholder or empty secrets are refused at start-up with
a message that names the variable.
"""

import re
from pathlib import Path
from typing import Annotated, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from domain.constants import AudioFormat

BUILTIN: Final = "builtin"

_PLACEHOLDER_RE: Final = re.compile(
    r"^(?:x+|\.+|<.*>|\{.*\}|changeme|change-me|replace-?me|todo|tbd|secret|token|none|null"
    r"|(?:xox[bpa]|xapp)-[x.]*|.*your[-_ ].*|.*placeholder.*|.*example.*|.*here)$",
    re.IGNORECASE,
)
_SECRET_PREFIXES: Final = {"slack_bot_token": "xoxb-", "slack_app_token": "xapp-"}

# Emoji names (as Slack sends them, without colons) -> rating score.
DEFAULT_RATING_EMOJI: Final = {
    "+1": 1.0,
    "thumbsup": 1.0,
    "-1": -1.0,
    "thumbsdown": -1.0,
    "fire": 2.0,
    "star": 1.0,
    "one": 1.0,
    "two": 2.0,
    "three": 3.0,
    "four": 4.0,
    "five": 5.0,
}


class SettingsError(ValueError):
    """Configuration that cannot work; the message names the variable and what to do."""


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


CsvList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    """Every setting of the product. Field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # --- Slack (issue: Slack bot) ---
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=0, le=65535)  # 0: any free port (tests)
    # --- Health and metrics of `serve` (issue 12): /healthz and /metrics, in both modes ---
    health_host: str = "127.0.0.1"  # local only by default
    health_port: int = Field(default=8081, ge=0, le=65535)  # 0: any free port (tests)
    health_stale_seconds: float = Field(default=120.0, gt=0)  # engine loop silent longer: 503
    slack_allowed_channels: CsvList = Field(default_factory=list)  # empty: every channel
    slack_allowed_users: CsvList = Field(default_factory=list)  # empty: everyone
    slack_admin_users: CsvList = Field(default_factory=list)  # no quota; may use any channel
    # People who may approve or reject tracks for the catalogue (admins may too)
    slack_approver_users: CsvList = Field(default_factory=list)
    approval_reaction: str = "white_check_mark"  # the emoji (name, no colons) that approves
    daily_track_quota: int = Field(default=0, ge=0)  # tracks per person per UTC day; 0: no limit
    rating_emoji: Annotated[dict[str, float], NoDecode] = Field(
        default_factory=lambda: dict(DEFAULT_RATING_EMOJI)
    )
    slack_card_update_seconds: float = Field(default=10.0, gt=0)
    slack_updates_per_minute: int = Field(default=40, ge=1)
    slack_channel_post_gap_seconds: float = Field(default=1.0, ge=0)  # between track posts
    slack_schedule_users: CsvList = Field(default_factory=list)  # empty: anyone allowed

    # --- Batches and schedules ---
    gpu_cost_per_hour: float | None = Field(default=None, ge=0)  # USD per GPU hour, for estimates
    # The incumbent service's price per track (USD), beside ACE-Step's in listening-test reports
    incumbent_cost_per_track: float = Field(default=0.058, ge=0)
    batch_confirm_tracks: int = Field(default=100, ge=1)  # larger batches need a confirmation
    batch_max_tracks: int = Field(default=20_000, ge=1)  # one batch or manifest, refused above
    # Batches with at most this many tracks post every track in the digest's thread; larger
    # ones post a listening sample of BATCH_SAMPLE_TRACKS per preset or manifest row
    batch_post_all_max: int = Field(default=40, ge=0)
    batch_sample_tracks: int = Field(default=2, ge=0)  # per group of a sampled batch
    schedule_timezone: str = "UTC"  # when a schedule names no tz=
    schedule_grace_minutes: float = Field(default=60.0, ge=0)  # a missed run still runs this late
    schedule_max_tracks: int = Field(default=200, ge=1)  # per run of one schedule
    # Tracks per schedule creator per UTC day made by their schedules; 0: their DAILY_TRACK_QUOTA
    schedule_daily_track_quota: int = Field(default=0, ge=0)
    schedule_min_interval_minutes: float = Field(default=60.0, ge=0)  # closest two runs may be

    # --- ACE-Step servers ---
    acestep_api_url: CsvList = Field(default_factory=list)
    acestep_api_key: SecretStr | None = None
    acestep_max_in_flight: int = Field(default=3, ge=1, le=200)
    acestep_timeout_seconds: float = Field(default=30.0, gt=0)
    acestep_poll_min_seconds: float = Field(default=0.25, gt=0)
    acestep_poll_max_seconds: float = Field(default=10.0, gt=0)
    acestep_max_attempts: int = Field(default=3, ge=1, le=10)
    acestep_lost_task_grace_seconds: float = Field(default=300.0, gt=0)
    acestep_failover_seconds: float = Field(default=120.0, gt=0)
    acestep_server_error_limit: int = Field(default=10, ge=1, le=100)

    # --- The in-process ACE-Step server (`acemusic engine --acestep`, the `gpu` extra) ---
    acestep_dit_model: str = "acestep-v15-turbo"  # the music model (DiT)
    acestep_lm_model: str = "acestep-5Hz-lm-1.7B"  # the language model, loaded at start
    acestep_engine_dir: Path = Path("data/acestep")  # checkpoints/ (models), caches, audio

    # --- Storage and files ---
    database_url: str = "sqlite+aiosqlite:///data/acemusic.db"
    work_claim_seconds: float = Field(default=30.0, ge=2, le=3600)
    output_dir: Path = Path("outputs")
    max_download_mb: int = Field(default=200, ge=1)

    # --- Generation defaults ---
    default_duration_seconds: int = Field(default=120, ge=10, le=600)
    default_variants: int = Field(default=2, ge=1, le=8)
    default_format: AudioFormat = "mp3"

    # --- Audio checks ---
    qc_max_regenerations: int = Field(default=1, ge=0, le=5)
    # a take whose measured tempo or key misses the request: warn, fail (strict: made again) or off
    qc_adherence: Literal["warn", "strict", "off"] = "warn"
    loudness_target_lufs: float | None = Field(default=None, ge=-40.0, le=-5.0)
    audio_check_workers: int | None = Field(default=None, ge=0, le=64)  # None: one per core

    # --- Catalogue: delivery files and exports (issue 10) ---
    # Delivery files are made at LOUDNESS_TARGET_LUFS when it is set, else at -14 LUFS.
    true_peak_dbtp: float = Field(default=-1.0, ge=-9.0, le=0.0)  # ceiling held in the file
    delivery_format: Literal["mp3", "flac"] = "mp3"  # mp3: 320 kbps CBR; flac: 16-bit
    catalogue_artist: str = Field(default="ACE Music", min_length=1, max_length=200)
    catalogue_dir: Path | None = None  # where exports go by default (None: OUTPUT_DIR/catalogue)

    # --- Built-in ACE-Step stand-in (ACESTEP_API_URL=builtin) ---
    standin_job_seconds: float = Field(default=0.0, ge=0)
    standin_failure_rate: float = Field(default=0.0, ge=0, le=1)
    standin_queue_maxsize: int = Field(default=200, ge=0)
    standin_audio_dir: Path = Path("data/standin")

    log_level: str | None = None  # default: INFO for services, WARNING for interactive commands

    @field_validator(
        "slack_allowed_channels",
        "slack_allowed_users",
        "slack_admin_users",
        "slack_approver_users",
        "slack_schedule_users",
        mode="before",
    )
    @classmethod
    def _split_ids(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("schedule_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not a time zone name, e.g. Asia/Bangkok") from None
        return value

    @field_validator("approval_reaction")
    @classmethod
    def _emoji_name(cls, value: str) -> str:
        name = value.strip().strip(":")
        if not re.fullmatch(r"[a-z0-9_+'-]+", name):
            raise ValueError(
                f"'{value}' is not an emoji name: write Slack's name without colons, "
                "e.g. white_check_mark"
            )
        return name

    @field_validator("rating_emoji", mode="before")
    @classmethod
    def _parse_rating_map(cls, value: object) -> object:
        return parse_rating_map(value) if isinstance(value, str) else value

    @field_validator("acestep_dit_model", "acestep_lm_model")
    @classmethod
    def _model_name(cls, value: str) -> str:
        name = value.strip()
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
            raise ValueError(
                f"'{value}' is not a model name: write the folder name under checkpoints/, "
                "e.g. acestep-v15-turbo or acestep-5Hz-lm-1.7B"
            )
        return name

    @field_validator("acestep_api_url", mode="before")
    @classmethod
    def _split_urls(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("acestep_api_url")
    @classmethod
    def _check_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if url != BUILTIN and not re.match(r"^https?://[^/\s]+", url):
                raise ValueError(
                    f"'{url}' is not a server address: use http://HOST:PORT "
                    f"(several separated by commas) or '{BUILTIN}'"
                )
        return [url if url == BUILTIN else url.rstrip("/") for url in urls]

    @field_validator(
        "slack_bot_token",
        "slack_app_token",
        "slack_signing_secret",
        "acestep_api_key",
        mode="after",
    )
    @classmethod
    def _refuse_placeholders(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        if value is not None:
            check_secret(info.field_name or "", value.get_secret_value())
        return value

    @property
    def uses_builtin_engine(self) -> bool:
        """Whether the in-process ACE-Step stand-in is one of the servers."""
        return BUILTIN in self.acestep_api_url

    @property
    def secrets(self) -> list[SecretStr | None]:
        """Every secret value, for log redaction."""
        return [
            self.slack_bot_token,
            self.slack_app_token,
            self.slack_signing_secret,
            self.acestep_api_key,
        ]

    @property
    def api_key(self) -> str | None:
        """The ACE-Step API key as plain text, for the HTTP client only."""
        return self.acestep_api_key.get_secret_value() if self.acestep_api_key else None


def parse_rating_map(text: str) -> dict[str, float]:
    """`"+1=1,fire=2,-1=-1"` -> {"+1": 1.0, "fire": 2.0, "-1": -1.0}."""
    mapping: dict[str, float] = {}
    for part in filter(str.strip, text.split(",")):
        name, sep, score = part.rpartition("=")
        name = name.strip().strip(":")
        if not sep or not name or not _is_number(score):
            raise ValueError(f"'{part.strip()}' is not emoji=score (e.g. fire=2)")
        mapping[name] = float(score)
    return mapping


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def check_secret(field_name: str, raw: str) -> None:
    """Raise if a secret is empty, a placeholder, or lacks the prefix its kind always has."""
    variable = field_name.upper()
    if not raw.strip():
        raise ValueError(
            f"{variable} is set but empty. "
            "Remove the line to leave it unset, or paste the real value."
        )
    if _PLACEHOLDER_RE.match(raw.strip()):
        raise ValueError(f"{variable} still holds a placeholder value; paste the real one.")
    prefix = _SECRET_PREFIXES.get(field_name)
    if prefix and not raw.startswith(prefix):
        raise ValueError(
            f"{variable} must start with '{prefix}' (check you pasted the right token)."
        )


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, turning validation errors into one readable message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(_describe(error) for error in exc.errors())
        raise SettingsError(f"Configuration problem: {problems}") from None


def _describe(error: ErrorDetails) -> str:
    variable = ".".join(str(part) for part in error["loc"]).upper()
    message = error["msg"].removeprefix("Value error, ")
    return message if variable in message else f"{variable}: {message}"
