"""The words of a thread reply that `/music` does not know: the vocabulary of refinements.

- again: "again", "another (one)", "one more", "more like this", "re-roll", "redo", "retry", ...;
  "3 more (takes)" is again with 3 variants.
- moods: comparatives ("calmer", "darker", "brighter", "warmer") and "more|less <mood>"
  ("more energetic", "less dark"); each becomes a caption mood tag.
- relative tempo: "slower", "faster", "slow (it) down", "speed (it) up", "not so fast", with a
  size: "much/a lot/way/far" (bigger step) or "a bit/a little/slightly/a tad" (smaller step).
- relative length: "longer", "shorter", "lengthen", "shorten", with the same sizes.
- dropping vocals: "remove/less/drop/mute the vocals" reads as "instrumental", like "no vocals".
- caption cues: "more/add/with/plus/extra/bring in ..." (emphasise) and "no/without/less/remove/
  drop/lose/minus/get rid of ..." (remove); filler and chat words ("thanks", "nice").

Relative tempo and length are `Hit`s on the tempo and duration slots whose value is the canonical
phrase ("much slower"), so "slower ... faster" or "longer ... 5min" is refused as a contradiction
by `Findings` like any two values for one slot.
"""

import re
from collections.abc import Callable, Iterable
from typing import Final

from commands.parsing.hits import Hit, Slot
from commands.parsing.text import EDGE_FILLER, GENERIC_WORDS
from commands.parsing.tokens import RECOGNISERS, Recogniser
from commands.parsing.values import check_variants, whole_number

_I: Final = re.IGNORECASE
START: Final = r"(?<![\w=:'’-])"  # not inside a word, nor a `name=value` setting
END: Final = r"(?![\w'’-])"


def alternatives(phrases: Iterable[str]) -> str:
    """A regex alternation of phrases, longest first; a space matches any run of whitespace."""
    ordered = sorted(set(phrases), key=lambda phrase: (-len(phrase), phrase))
    return "|".join(re.escape(phrase).replace(r"\ ", r"\s+") for phrase in ordered)


def phrase(text: str) -> str:
    """Words as typed, lower case with single spaces: the form the tables are keyed by."""
    return " ".join(text.lower().split())


# --- again ---
AGAIN_PHRASES: Final = (
    "again", "once more", "one more", "one more time", "one more take", "another",
    "another one", "another take", "another go", "another try", "another round",
    "another version", "another variation", "more like this", "more like that",
    "more like these", "more like it", "same again", "same settings", "same thing",
    "new takes", "new take", "more takes", "more versions", "more variations", "reroll",
    "re-roll", "redo", "re-do", "regenerate", "re-generate", "retry", "rerun", "re-run",
    "try again", "do it again",
)  # fmt: skip
AGAIN_RE: Final = re.compile(rf"{START}(?:{alternatives(AGAIN_PHRASES)}){END}", _I)

# "3 more", "2 more takes": that many new takes of the same settings.
_MORE_TAKES_RE: Final = re.compile(
    rf"{START}(?P<n>\d{{1,12}})\s+more(?:\s+(?:takes?|versions?|variants?|variations?|"
    rf"like\s+(?:this|that|it)|of\s+(?:these|those|them)))?{END}"
    r"(?!\s+(?:minutes?|mins?|m|seconds?|secs?|s|bpm)(?![\w'’-]))",
    _I,
)


def _more_takes(match: re.Match[str]) -> Hit:
    words = " ".join(match[0].split())
    return Hit(Slot.VARIANTS, check_variants(whole_number(match["n"]), words), words)


MORE_TAKES: Final = Recogniser("more takes", _MORE_TAKES_RE, _more_takes)

# --- moods ---
COMPARATIVES: Final = {
    "calmer": "calm", "darker": "dark", "brighter": "bright", "warmer": "warm",
    "softer": "soft", "quieter": "soft", "gentler": "gentle", "mellower": "mellow",
    "happier": "happy", "sadder": "melancholic", "moodier": "moody", "dreamier": "dreamy",
    "livelier": "lively", "chiller": "chill", "jazzier": "jazzy", "groovier": "groovy",
    "funkier": "funky", "punchier": "punchy", "airier": "airy", "lighter": "light",
    "heavier": "heavy", "richer": "rich", "sweeter": "sweet", "cozier": "cozy", "cosier": "cozy",
    "sunnier": "sunny", "cooler": "cool", "grittier": "gritty", "spacier": "spacious",
}  # fmt: skip
MOOD_ADJECTIVES: Final = frozenset(COMPARATIVES.values()) | frozenset(
    "energetic upbeat relaxed relaxing uplifting romantic elegant dramatic playful peaceful "
    "serene intimate cheerful melancholic mysterious epic cinematic atmospheric spacious "
    "laid-back emotional powerful intense tranquil soothing festive sophisticated minimal "
    "joyful somber tense driving exciting chill calm dark bright warm".split()
)
_CALM: Final = frozenset(
    "calm relaxed relaxing peaceful serene tranquil soothing mellow gentle soft chill laid-back "
    "dreamy intimate".split()
)
_ENERGY: Final = frozenset(
    "energetic upbeat lively intense powerful punchy driving exciting".split()
)
_DARK: Final = frozenset("dark moody melancholic sad mysterious somber tense".split())
_BRIGHT: Final = frozenset("bright happy cheerful uplifting light playful sunny joyful".split())
# Two axes: (one side, its plain word, the other side, its plain word).
MOOD_AXES: Final = ((_CALM, "calm", _ENERGY, "energetic"), (_DARK, "dark", _BRIGHT, "bright"))
MOOD_RE: Final = re.compile(
    rf"{START}(?:(?P<dir>more|less)\s+(?P<adj>{alternatives(MOOD_ADJECTIVES)})"
    rf"|(?P<cmp>{alternatives(COMPARATIVES)})){END}",
    _I,
)


def opposite_moods(mood: str) -> frozenset[str]:
    """Mood tags on the other side of `mood`'s axis ("calm" -> energetic, upbeat, ...)."""
    for side, _, other, _ in MOOD_AXES:
        if mood in side:
            return other
        if mood in other:
            return side
    return frozenset()


def opposite_mood(mood: str) -> str | None:
    """The plain opposite of a mood ("energetic" -> "calm"), for "less energetic"."""
    for side, plain, other, other_plain in MOOD_AXES:
        if mood in side:
            return other_plain
        if mood in other:
            return plain
    return None


# --- relative tempo and length ---
_BIG: Final = ("much", "a lot", "lots", "way", "far", "a good bit")
_SMALL: Final = (
    "a bit", "a little", "a little bit", "a tad", "a touch", "slightly", "somewhat", "little",
    "bit", "tad", "just a bit", "just a little",
)  # fmt: skip
_SIZE: Final = rf"(?:(?:(?P<big>{alternatives(_BIG)})|(?P<small>{alternatives(_SMALL)}))\s+)?"
_SLOWER: Final = (
    "slower", "slow down", "slow it down", "slow things down", "less fast", "lower tempo",
    "lower bpm", "more slowly", "not so fast", "not as fast", "not too fast",
)  # fmt: skip
_FASTER: Final = (
    "faster", "quicker", "speed up", "speed it up", "speed things up", "less slow",
    "higher tempo", "higher bpm", "pick up the pace", "not so slow", "not as slow", "not too slow",
)  # fmt: skip
_LONGER: Final = ("longer", "lengthen", "lengthen it", "make it longer")
_SHORTER: Final = ("shorter", "shorten", "shorten it", "make it shorter")
TEMPO_FACTORS: Final = {
    "much slower": 0.7,
    "slower": 0.85,
    "slightly slower": 0.93,
    "slightly faster": 1.07,
    "faster": 1.15,
    "much faster": 1.3,
}
LENGTH_FACTORS: Final = {
    "much shorter": 1 / 2,
    "shorter": 1 / 1.5,
    "slightly shorter": 1 / 1.2,
    "slightly longer": 1.2,
    "longer": 1.5,
    "much longer": 2.0,
}


def _relative_pattern(down: Iterable[str], up: Iterable[str]) -> re.Pattern[str]:
    return re.compile(
        rf"{START}{_SIZE}(?:even\s+)?(?:(?P<down>{alternatives(down)})|(?P<up>{alternatives(up)}))"
        rf"{END}",
        _I,
    )


def _relative(slot: Slot, down: str, up: str) -> Callable[[re.Match[str]], Hit]:
    def read(match: re.Match[str]) -> Hit:
        size = "much " if match["big"] else "slightly " if match["small"] else ""
        direction = down if match["down"] else up
        return Hit(slot, f"{size}{direction}", " ".join(match[0].split()))

    return read


def _drop_vocals(match: re.Match[str]) -> Hit:
    return Hit(Slot.VOCALS, False, " ".join(match[0].split()))


# --- caption cues ---
ADD_CUES: Final = frozenset(
    {"more", "add", "with", "plus", "extra", "bring in", "bring back", "emphasise", "emphasize",
     "feature", "featuring", "include", "louder", "stronger"}
)  # fmt: skip
REMOVE_CUES: Final = frozenset(
    {"no", "no more", "without", "less", "fewer", "remove", "drop", "lose", "minus", "cut",
     "cut out", "take out", "get rid of", "ditch", "mute", "avoid", "not", "never"}
)  # fmt: skip
CUE_RE: Final = re.compile(rf"{START}({alternatives(ADD_CUES | REMOVE_CUES)}){END}", _I)
_DROP_VOCALS_RE: Final = re.compile(
    rf"{START}(?:{alternatives(REMOVE_CUES - {'no', 'without'})})\s+(?:(?:the|any)\s+)?"
    rf"(?:vocals?|singing|voices?){END}",
    _I,
)

# --- filler and chat ---
REFINE_FILLER: Final = EDGE_FILLER | frozenset(
    "it its it's this that these those one ones version versions can could would you we i i'd "
    "let's lets let try just now maybe but also then too so very bit little lot much slightly "
    "way even kind sort bunch like do is be same".split()
)
REFINE_GENERIC: Final = (
    GENERIC_WORDS
    | REFINE_FILLER
    | frozenset(
        "sound sounds feel feeling vibe vibes key scale tempo speed pace length minute minutes "
        "mins second seconds secs".split()
    )
)
CHAT_WORDS: Final = frozenset(
    "thanks thank thx ty nice great good cool love lovely awesome perfect amazing beautiful "
    "excellent wow lol haha ok okay yes yeah yep yay gorgeous brilliant superb fantastic really "
    "hmm hi hello hey sweet".split()
)

_SETTING_NAMES: Final = frozenset({"key setting", "setting"})
RELATIVE_TEMPO: Final = Recogniser(
    "relative tempo", _relative_pattern(_SLOWER, _FASTER), _relative(Slot.TEMPO, "slower", "faster")
)
RELATIVE_LENGTH: Final = Recogniser(
    "relative length",
    _relative_pattern(_SHORTER, _LONGER),
    _relative(Slot.DURATION, "shorter", "longer"),
)
DROP_VOCALS: Final = Recogniser("drop vocals", _DROP_VOCALS_RE, _drop_vocals)
# `name=value` settings first (as in `/music`), then the refinement words, then every other token.
REFINE_RECOGNISERS: Final = (
    *(r for r in RECOGNISERS if r.name in _SETTING_NAMES),
    RELATIVE_TEMPO,
    RELATIVE_LENGTH,
    DROP_VOCALS,
    *(r for r in RECOGNISERS if r.name not in _SETTING_NAMES),
)
