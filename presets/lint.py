"""Caption lint: words a preset must not feed into ACE-Step captions.

ACE-Step has no negative prompt, so "no drums" or "without vocals" *asks* for drums and vocals;
words listed in a preset's `avoid` must not appear in its pools; and captions describe a sound,
never an artist (a small deny-list of famous names catches the usual slips, plus "in the style of").
"""

import re
from collections.abc import Iterator
from typing import Final

from presets.schema import Preset

_NEGATION_RE: Final = re.compile(
    r"(?<!\w)(?:no|not|non|without|never|minus|free of|lacking|avoid)\s+\w[\w-]*"
    r"|\w+-free(?!\w)",
    re.IGNORECASE,
)
_STYLE_OF_RE: Final = re.compile(
    r"(?<!\w)(?:in the style of|style of|sounds like|inspired by)(?!\w)", re.IGNORECASE
)
ARTISTS: Final = frozenset(
    """
    adele; ariana grande; astrud gilberto; bach; beethoven; beyonce; beyoncé; billie eilish;
    blackpink; bob marley; brian eno; bruno mars; bts; chet baker; chopin; coldplay; daft punk;
    dave brubeck; debussy; drake; dua lipa; duke ellington; ed sheeran; ella fitzgerald; elvis;
    eminem; enya; erik satie; frank sinatra; hans zimmer; jobim; joe hisaishi; john coltrane;
    joao gilberto; justin bieber; kanye; kenny g; lady gaga; louis armstrong; ludovico einaudi;
    madonna; michael jackson; miles davis; mozart; norah jones; nujabes; rihanna; ryuichi sakamoto;
    satie; stan getz; taylor swift; the beatles; the weeknd; vivaldi
    """.replace("\n", " ").split(";")
) - {""}
_ARTIST_RE: Final = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(" ".join(n.split())) for n in sorted(ARTISTS)) + r")(?!\w)",
    re.IGNORECASE,
)


def lint_preset(preset: Preset) -> list[str]:
    """Every caption problem in a preset, each as "<field path>: <problem in plain words>"."""
    avoid = [(word, _word_pattern(word)) for word in preset.avoid]
    problems: list[str] = []
    for path, text in caption_words(preset):
        problems += [f"{path}: {problem}" for problem in _problems(text, avoid)]
    return problems


def negation_in(text: str) -> str | None:
    """The first negation in `text` ("no drums", "vocal-free"), or None."""
    match = _NEGATION_RE.search(text)
    return match[0] if match else None


def caption_words(preset: Preset) -> Iterator[tuple[str, str]]:
    """(field path, text) for every item that can end up in a caption."""
    pools = preset.caption_pools
    for name in type(pools).model_fields:
        for index, text in enumerate(getattr(pools, name)):
            yield f"caption_pools.{name}[{index}]", text
    if preset.vocal is not None:
        for index, text in enumerate(preset.vocal.styles):
            yield f"vocal.styles[{index}]", text


def _problems(text: str, avoid: list[tuple[str, re.Pattern[str]]]) -> Iterator[str]:
    if negation_in(text):
        yield (
            f"'{text}' is a negation; ACE-Step has no negative prompt, so it would ask for what "
            "it names. Describe what you want instead and list unwanted words under avoid"
        )
    for word, pattern in avoid:
        if pattern.search(text):
            yield f"'{text}' contains '{word}', which this preset lists under avoid"
    artist = _ARTIST_RE.search(text)
    if artist:
        yield f"'{text}' names an artist ({artist[0]}); describe the sound instead"
    elif _STYLE_OF_RE.search(text):
        yield f"'{text}' refers to someone's style; describe the sound instead"


def _word_pattern(word: str) -> re.Pattern[str]:
    """Whole-word match of an avoid phrase, singular or plural ("vocals" also catches "vocal")."""
    forms = {word, word.removesuffix("s"), word.removesuffix("es")} - {""}
    bodies = sorted(
        (r"\s+".join(re.escape(part) for part in form.split()) for form in forms), key=len
    )
    return re.compile(rf"(?<!\w)(?:{'|'.join(reversed(bodies))})(?:s|es)?(?!\w)", re.IGNORECASE)
