"""Reading a thread reply into what it asks for, before anything is applied to the parent track.

Steps, each blanking the words it used so later steps do not see them again:

1. leading bot mentions (`<@U123ABC>`) and a leading `/music` are dropped; other Slack mentions,
   channel links, URLs and `:emoji:` codes are removed and `&amp;`/`&lt;`/`&gt;` unescaped;
2. `lyrics:` and everything after it are new lyrics (as in `/music`);
3. a preset named by venue words or `preset=` ("for the spa", "hotel lobby version");
4. "3 more (takes)", "again" words, then mood words ("calmer", "more energetic");
5. tokens: `/music`'s recognisers plus relative tempo/length ("slower", "longer") and dropped
   vocals ("remove the vocals");
6. the words left are caption edits ("more piano", "no drums", free words).
"""

import re
from dataclasses import dataclass
from typing import Final

from commands.parsing.findings import Findings
from commands.parsing.hits import Slot
from commands.parsing.refine_edits import Edit, EditKind, read_edits, read_moods
from commands.parsing.refine_vocab import AGAIN_RE, MORE_TAKES, REFINE_RECOGNISERS
from commands.parsing.text import split_lyrics, strip_command
from commands.parsing.tokens import blank_out, scan
from commands.parsing.venues import choose_preset
from presets.library import PresetLibrary
from presets.schema import Preset

# A colon after a mention ("<@bot>: slower") goes with it, unless it opens an emoji code (":fire:").
_LEADING_MENTIONS_RE: Final = re.compile(
    r"^\s*(?:<@[A-Z0-9]+(?:\|[^>]*)?>[\s,]*(?::(?![a-z0-9_+'-]+:)[\s,]*)?)+"
)
_SLACK_ENTITY_RE: Final = re.compile(r"<(?:[@#!]|https?:|mailto:)[^>]*>", re.IGNORECASE)
_EMOJI_RE: Final = re.compile(r"(?<![\w:]):[a-z0-9_+'-]*[a-z+][a-z0-9_+'-]*:(?![\w:])")
_ESCAPES: Final = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


@dataclass(frozen=True)
class Reading:
    """Everything a reply says, not yet applied to the parent."""

    findings: Findings  # settings: tempo, duration (absolute or relative), key, variants, ...
    edits: tuple[Edit, ...]  # caption edits, in text order (moods first)
    preset: Preset | None  # the preset the reply names, if any (maybe the parent's own)
    lyrics: str | None  # new lyrics, when the reply has `lyrics:`
    again: bool  # "again", "another", "re-roll", ...
    notes: tuple[str, ...]  # from choosing the preset
    chat: tuple[str, ...]  # comment words left out of the caption ("thanks")

    @property
    def says_something(self) -> bool:
        """Whether anything in the reply was understood as a request."""
        return bool(
            self.again
            or self.preset is not None
            or self.lyrics is not None
            or self.edits
            or any(self.findings.hit(slot) for slot in Slot)
        )


def read_reply(text: str, presets: PresetLibrary) -> Reading:
    """What a thread reply asks for; raises UsageError for a recognised but impossible value."""
    head, lyrics = split_lyrics(strip_reply(text))
    choice = choose_preset(_tidy_slack(head), presets)
    takes = scan(choice.rest, (MORE_TAKES,))
    again = list(AGAIN_RE.finditer(takes.rest))
    rest = blank_out(takes.rest, [match.span() for match in again])
    moods, rest = read_moods(rest)
    scanned = scan(rest, REFINE_RECOGNISERS)
    findings = Findings((*takes.hits, *scanned.hits))
    tempo_moods = [
        Edit(EditKind.MOOD, hit.caption_tag, hit.words) for hit in scanned.hits if hit.caption_tag
    ]
    words = read_edits(scanned.rest)
    return Reading(
        findings=findings,
        edits=(*moods, *tempo_moods, *words.edits),
        preset=choice.preset,
        lyrics=_unescape(lyrics) if lyrics is not None else None,
        again=bool(again or takes.hits),
        notes=choice.notes,
        chat=words.chat,
    )


def strip_reply(text: str) -> str:
    """The reply without leading bot mentions and a leading `/music`."""
    return strip_command(_LEADING_MENTIONS_RE.sub("", text, count=1))


def _tidy_slack(text: str) -> str:
    without = _EMOJI_RE.sub(" ", _SLACK_ENTITY_RE.sub(" ", text))
    return _unescape(without)


def _unescape(text: str) -> str:
    for escaped, plain in _ESCAPES:
        text = text.replace(escaped, plain)
    return text
