"""Every fixed number the product relies on, in one place.

Values that an operator may reasonably want to change live in `bot.settings` instead; the numbers
here are limits of ACE-Step 1.5 or of the product's own contracts.
"""

from typing import Final, Literal

# --- Generation limits (ACE-Step 1.5 `acestep/constants.py`; the API itself enforces none) ---
DURATION_MIN_S: Final = 10
DURATION_MAX_S: Final = 600
BPM_MIN: Final = 30
BPM_MAX: Final = 300
VARIANTS_MIN: Final = 1
VARIANTS_MAX: Final = 8
INFERENCE_STEPS_MAX: Final = 200
GUIDANCE_MIN: Final = 1.0
GUIDANCE_MAX: Final = 30.0
CAPTION_MAX_CHARS: Final = 1_000
LYRICS_MAX_CHARS: Final = 4_096

# The server's own word for "no vocals" (ACE-Step docs: `lyrics="[Instrumental]"`).
INSTRUMENTAL_LYRICS: Final = "[Instrumental]"

AudioFormat = Literal["mp3", "wav", "flac"]
AUDIO_FORMATS: Final[tuple[AudioFormat, ...]] = ("mp3", "wav", "flac")

# Time signatures ACE-Step understands, in the server's form ("3" means 3/4, "6" means 6/8).
TimeSignature = Literal["2", "3", "4", "6"]
TIME_SIGNATURES: Final[dict[str, TimeSignature]] = {
    "2/4": "2",
    "2/2": "2",
    "3/4": "3",
    "4/4": "4",
    "6/8": "6",
}

# Vocal languages ACE-Step accepts (`acestep/constants.py` VALID_LANGUAGES).
LANGUAGES: Final = frozenset(
    "ar az bg bn ca cs da de el en es fa fi fr he hi hr ht hu id is it ja ko la lt ms ne nl no "
    "pa pl pt ro ru sa sk sr sv sw ta te th tl tr uk ur vi yue zh unknown".split()
)

# --- ACE-Step server behaviour (shared/ACESTEP_API.md) ---
SERVER_JOB_CUTOFF_S: Final = 3_600  # after this a still-running job reads as status 2 (sect. 5.3)
SERVER_DEFAULT_AVG_JOB_S: Final = 5.0  # what /v1/stats reports before any job has run
SERVER_AVG_WINDOW: Final = 50  # how many recent jobs the server's avg_job_seconds averages over
STATUS_IN_PROGRESS: Final = 0  # queued, running, or an id the server does not know
STATUS_SUCCEEDED: Final = 1
STATUS_FAILED: Final = 2

# --- Job engine ---
PRIORITY_INTERACTIVE: Final = 0  # a person is waiting: always dispatched first
PRIORITY_BATCH: Final = 10  # batch and schedule work: fills the remaining capacity
ENGINE_LEASE_NAME: Final = "job-engine"
ENGINE_LEASE_TTL_S: Final = 30.0
STATS_REFRESH_S: Final = 30.0  # how often a server's /v1/stats is read while work is in flight
UNHEALTHY_BACKOFF_MIN_S: Final = 2.0
UNHEALTHY_BACKOFF_MAX_S: Final = 60.0
UNKNOWN_TASK_CONFIRM_POLLS: Final = 2  # polls agreeing an id is unknown before it is resubmitted

# --- Audio checks ---
SILENCE_DBFS: Final = -60.0
SILENCE_WINDOW_S: Final = 0.1
LONG_SILENCE_S: Final = 3.0  # the music team flags silences longer than this (shared/PRESETS.md)
DURATION_TOLERANCE: Final = 0.05  # +/-5 % of the requested duration
CLIP_DBFS: Final = -0.1
LOUDNESS_QUIET_LUFS: Final = -30.0
LOUDNESS_LOUD_LUFS: Final = -6.0
MAX_SILENT_SHARE: Final = 0.5  # more than this share of silence means the take is unusable

# Every model name the built-in stand-in lists or reports starts with this, so the engine can tell
# placeholder tracks from real ones without importing the stand-in.
PLACEHOLDER_MODEL_PREFIX: Final = "acemusic-placeholder"
