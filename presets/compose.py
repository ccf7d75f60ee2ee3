"""Drawing concrete values from a preset: the caption, a tempo, a key and a length.

Captions are written the way ACE-Step 1.5 reads them: comma-separated descriptive tags, genre first,
then moods, instruments, one production tag and one setting (atmosphere or context), e.g. "smooth
lounge jazz, warm, elegant, soft piano, upright bass, warm analog mix, hotel lobby ambience,
instrumental".

When a person gave their own style words, those lead the caption and *replace* the genre draw
(they usually name the genre: "jazz", "bossa nova", "ambient"); mood words they gave ("upbeat")
replace the mood draw; instruments, production and setting still come from the preset. Every
pool is drawn on every call, in a fixed order, so the same rng state always gives the same caption
and a person's words change only the parts they replace.
"""

import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from domain.constants import CAPTION_MAX_CHARS
from presets.schema import Preset

MOODS_PER_CAPTION = 2
DURATION_STEP_S = 5
INSTRUMENTAL_TAG = "instrumental"
VOCAL_TAG = "vocals"


@dataclass(frozen=True)
class _Draw:
    """One random draw from each pool of a preset."""

    genres: list[str]
    moods: list[str]
    instruments: list[str]
    vocal_style: list[str]
    setting: list[str]


def compose_caption(
    preset: Preset,
    rng: random.Random,
    *,
    user_words: str = "",
    mood_words: Sequence[str] = (),
    instrumental: bool | None = None,
) -> str:
    """A caption drawn from the preset's pools, led by `user_words` when given.

    `instrumental` says whether the track has no vocals (default: the preset's kind); instrumental
    captions end with "instrumental", vocal ones carry a vocal style. The result is at most
    `CAPTION_MAX_CHARS` long, cut at a tag boundary.
    """
    draw = _draw(preset, rng)
    lead = " ".join(user_words.split()).strip(" ,")
    without_vocals = preset.instrumental if instrumental is None else instrumental
    tags = [lead] if lead else draw.genres
    tags += [m.strip() for m in mood_words if m.strip()] or draw.moods
    tags += draw.instruments
    if not without_vocals:
        tags += draw.vocal_style or [VOCAL_TAG]
    tags += draw.setting
    if without_vocals:
        tags.append(INSTRUMENTAL_TAG)
    return join_tags(tags)


def join_tags(tags: Sequence[str], limit: int = CAPTION_MAX_CHARS) -> str:
    """Tags as one caption: repeats dropped, joined with ", ", cut at a tag boundary to `limit`."""
    return _fit(_dedupe([tag for tag in tags if tag.strip()]), limit)


def pick_tempo(preset: Preset, rng: random.Random) -> int:
    """A BPM within the preset's range."""
    return rng.randint(preset.tempo.min_bpm, preset.tempo.max_bpm)


def pick_key(preset: Preset, rng: random.Random) -> str | None:
    """One of the preset's keys (canonical form), or None when it lets the server decide."""
    return rng.choice(preset.key_scales) if preset.key_scales else None


def pick_duration(preset: Preset, rng: random.Random) -> int:
    """A length in seconds within the preset's range, on a 5-second step when the range allows."""
    low, high = preset.duration_s.min, preset.duration_s.max
    first = math.ceil(low / DURATION_STEP_S) * DURATION_STEP_S
    steps = range(first, high + 1, DURATION_STEP_S)
    return rng.choice(steps) if steps else rng.randint(low, high)


def _draw(preset: Preset, rng: random.Random) -> _Draw:
    pools = preset.caption_pools
    genre = [rng.choice(pools.genres)]
    sub_genre = [rng.choice(pools.sub_genres)] if pools.sub_genres else []
    moods = rng.sample(pools.moods, min(MOODS_PER_CAPTION, len(pools.moods)))
    count = rng.randint(preset.instrument_pick.min, preset.instrument_pick.max)
    instruments = rng.sample(pools.instruments, count)
    styles = preset.vocal.styles if preset.vocal else ()
    vocal_style = [rng.choice(styles)] if styles else []
    places = pools.atmospheres + pools.contexts
    setting = [rng.choice(pool) for pool in (pools.production, places) if pool]
    return _Draw(sub_genre + genre, moods, instruments, vocal_style, setting)


def _dedupe(tags: Sequence[str]) -> list[str]:
    """Drop a tag already said: equal to, or whole words inside, an earlier tag."""
    kept: list[str] = []
    for tag in tags:
        pattern = re.compile(rf"(?<!\w){re.escape(tag)}(?!\w)", re.IGNORECASE)
        if not any(pattern.search(earlier) for earlier in kept):
            kept.append(tag)
    return kept


def _fit(tags: list[str], limit: int) -> str:
    """Join tags with ", ", keeping as many whole tags as fit in `limit` characters."""
    caption = tags[0][:limit] if tags else ""
    for tag in tags[1:]:
        longer = f"{caption}, {tag}"
        if len(longer) > limit:
            break
        caption = longer
    return caption
