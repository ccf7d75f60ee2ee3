"""Every sentence the `/music` form shows: labels, hints, option labels and inline errors.

Slack's limits for these (shared/SLACK.md §6, §8): the title, submit and close texts at most 24
characters; option texts and option-group labels at most 75; placeholders at most 150.
"""

from typing import Final

from domain import constants as c

TITLE: Final = "Make music"
SUBMIT: Final = "Generate"
CLOSE: Final = "Cancel"

# --- Labels, hints and placeholders, in the order the form shows them ---
CAPTION_LABEL: Final = "Describe the music"
CAPTION_PLACEHOLDER: Final = "e.g. warm hotel lobby jazz, brushed drums, upright bass"
CAPTION_HINT: Final = "Genre, mood, instruments, venue — what you would tell a composer."
VOCALS_LABEL: Final = "Vocals"
VOCALS_INSTRUMENTAL: Final = "Instrumental"
VOCALS_SUNG: Final = "Vocals — sing the lyrics below"
LYRICS_LABEL: Final = "Lyrics"
LYRICS_PLACEHOLDER: Final = "[verse]\nMorning light on the window…"
LYRICS_HINT: Final = "Leave empty for an instrumental. Tags like [verse] and [chorus] help."
LYRICS_CLIPPED_HINT: Final = (
    "The original lyrics were longer than a Slack form holds; the end was cut. "
    "Leave empty for an instrumental."
)
LANGUAGE_LABEL: Final = "Language of the lyrics"
LANGUAGE_HINT: Final = "Only used when there are lyrics."
LANGUAGE_COMMON_GROUP: Final = "Common"
LANGUAGE_MORE_GROUP: Final = "More languages"
DURATION_LABEL: Final = "Duration (seconds)"
DURATION_HINT: Final = f"Between {c.DURATION_MIN_S} and {c.DURATION_MAX_S} seconds; 180 is 3:00."
VARIANTS_LABEL: Final = "Variants"
VARIANTS_HINT: Final = "How many different takes to make from the same settings."
BPM_LABEL: Final = "Tempo (BPM)"
BPM_PLACEHOLDER: Final = "Empty: the server chooses"
KEY_LABEL: Final = "Key"
TIME_SIGNATURE_LABEL: Final = "Time signature"
MODEL_LABEL: Final = "Model"
FORMAT_LABEL: Final = "Audio format"
LM_LABEL: Final = "Language model"
ENHANCE_TEXT: Final = "Let the server's language model improve the description"
ENHANCE_DESCRIPTION: Final = "It may also fill in tempo, key and lyrics structure."
THINKING_TEXT: Final = "Let the language model plan the audio too"
THINKING_DESCRIPTION: Final = "Slower; fails on a server without a language model."
ADVANCED_HEADER: Final = "Advanced (optional)"
SEED_LABEL: Final = "Seed"
SEED_PLACEHOLDER: Final = "Empty: a random seed"
SEED_HINT: Final = "The same seed and settings give the same music again."
STEPS_LABEL: Final = "Inference steps"
STEPS_PLACEHOLDER: Final = "Empty: the model's default"
STEPS_HINT: Final = "Turbo models use up to 8; base models about 50."
GUIDANCE_LABEL: Final = "Guidance scale"
GUIDANCE_PLACEHOLDER: Final = "Empty: the model's default"
GUIDANCE_HINT: Final = (
    f"From {c.GUIDANCE_MIN:g} to {c.GUIDANCE_MAX:g}; higher follows the description more strictly."
)

# --- Option labels ---
SERVER_CHOOSES: Final = "Let the server choose"
SERVER_DEFAULT_MODEL: Final = "Server default"
SERVER_GROUP: Final = "Server"
MAJOR_GROUP: Final = "Major"
MINOR_GROUP: Final = "Minor"
FORMAT_LABELS: Final[dict[c.AudioFormat, str]] = {
    "mp3": "MP3 — plays in Slack",
    "wav": "WAV — uncompressed master",
    "flac": "FLAC — lossless, smaller than WAV",
}


def variants_label(count: int) -> str:
    """`1` -> "1 variant", `3` -> "3 variants"."""
    return f"{count} variant" if count == 1 else f"{count} variants"


def models_group_label(first: int, last: int) -> str:
    """The label of one group of a long model list ("Models 101–200")."""
    return f"Models {first}–{last}"


def models_cut_hint(shown: int, total: int) -> str:
    """The model field's hint when the server offers more models than the form can list."""
    return f"Showing {shown} of the server's {total} models."


# Languages ACE-Step knows (domain.constants.LANGUAGES), by name; the common ones are listed first.
COMMON_LANGUAGES: Final = "en zh ja ko es fr de it pt ru hi id ms th vi ar tr nl pl sv".split()
LANGUAGE_NAMES: Final = {
    "ar": "Arabic", "az": "Azerbaijani", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan",
    "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek", "en": "English",
    "es": "Spanish", "fa": "Persian", "fi": "Finnish", "fr": "French", "he": "Hebrew",
    "hi": "Hindi", "hr": "Croatian", "ht": "Haitian Creole", "hu": "Hungarian",
    "id": "Indonesian", "is": "Icelandic", "it": "Italian", "ja": "Japanese", "ko": "Korean",
    "la": "Latin", "lt": "Lithuanian", "ms": "Malay", "ne": "Nepali", "nl": "Dutch",
    "no": "Norwegian", "pa": "Punjabi", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sa": "Sanskrit", "sk": "Slovak", "sr": "Serbian", "sv": "Swedish",
    "sw": "Swahili", "ta": "Tamil", "te": "Telugu", "th": "Thai", "tl": "Tagalog",
    "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese", "yue": "Cantonese",
    "zh": "Chinese (Mandarin)", "unknown": "Other / not sure",
}  # fmt: skip


def language_label(code: str) -> str:
    """ "ja" -> "Japanese (ja)"; a code without a name is shown as it is."""
    name = LANGUAGE_NAMES.get(code)
    return f"{name} ({code})" if name else code


# --- Inline errors, one per field (shown under the field by Slack) ---
CAPTION_ERROR: Final = f"Describe the music in 1 to {c.CAPTION_MAX_CHARS:,} characters."
LYRICS_ERROR: Final = f"Lyrics can be at most {c.LYRICS_MAX_CHARS:,} characters."
LYRICS_FOR_INSTRUMENTAL: Final = "An instrumental has no lyrics: clear them, or choose Vocals."
LYRICS_MISSING: Final = "Write the lyrics to sing, or choose Instrumental."
VOCALS_ERROR: Final = "Choose Instrumental or Vocals."
DURATION_ERROR: Final = f"Between {c.DURATION_MIN_S} and {c.DURATION_MAX_S} seconds."
BPM_ERROR: Final = f"A whole number from {c.BPM_MIN} to {c.BPM_MAX}, or leave it empty."
KEY_ERROR: Final = "Choose a key from the list."
TIME_SIGNATURE_ERROR: Final = "Choose a time signature from the list."
LANGUAGE_ERROR: Final = "Choose a language from the list."
VARIANTS_ERROR: Final = f"Between {c.VARIANTS_MIN} and {c.VARIANTS_MAX} variants."
MODEL_ERROR: Final = "Choose a model from the list."
FORMAT_ERROR: Final = "Choose MP3, WAV or FLAC."
LM_ERROR: Final = "Tick the boxes you want, or none."
SEED_ERROR: Final = f"A whole number from 0 to {2**32 - 1}, or leave it empty."
STEPS_ERROR: Final = f"A whole number from 1 to {c.INFERENCE_STEPS_MAX}, or leave it empty."
GUIDANCE_ERROR: Final = (
    f"A number from {c.GUIDANCE_MIN:g} to {c.GUIDANCE_MAX:g}, or leave it empty."
)
