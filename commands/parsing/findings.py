"""Collecting hits into one value per slot, refusing contradictions ("3min ... 5min").

The same value said twice ("3min ... 180s") is fine; two different values for one slot is a
`UsageError` naming both, as typed. Typed getters turn the stored values back into ints, strings...
"""

from collections.abc import Iterable

from commands.errors import UsageError
from commands.parsing import messages as msg
from commands.parsing.hits import Hit, Slot, TempoWord
from domain import constants as c


class Findings:
    """At most one hit per slot."""

    def __init__(self, hits: Iterable[Hit] = ()) -> None:
        self._hits: dict[Slot, Hit] = {}
        for hit in hits:
            self.add(hit)

    def add(self, hit: Hit) -> None:
        """Record a hit; raises UsageError if its slot already holds a different value."""
        seen = self._hits.get(hit.slot)
        if seen is None:
            self._hits[hit.slot] = hit
        elif _key(seen.value) != _key(hit.value):
            raise UsageError(
                msg.contradiction(hit.slot.value, seen.words, hit.words),
                msg.SLOT_EXAMPLES[hit.slot.value],
            )

    def hit(self, slot: Slot) -> Hit | None:
        """The hit for a slot, if any."""
        return self._hits.get(slot)

    def integer(self, slot: Slot) -> int | None:
        """An int-valued slot (duration, variants, seed, steps)."""
        value = self._value(slot)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def text(self, slot: Slot) -> str | None:
        """A text-valued slot (key, model, language, time signature, format)."""
        value = self._value(slot)
        return value if isinstance(value, str) else None

    def number(self, slot: Slot) -> float | None:
        """A float-valued slot (guidance)."""
        value = self._value(slot)
        return (
            float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        )

    def switch(self, slot: Slot) -> bool | None:
        """A yes/no slot (enhance, vocals)."""
        value = self._value(slot)
        return value if isinstance(value, bool) else None

    def tempo(self) -> int | TempoWord | None:
        """The tempo: a BPM, a tempo word, or None."""
        value = self._value(Slot.TEMPO)
        if isinstance(value, TempoWord):
            return value
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def time_signature(self) -> c.TimeSignature | None:
        """The time signature in the server's form."""
        value = self._value(Slot.TIME_SIGNATURE)
        return next((ts for ts in c.TIME_SIGNATURES.values() if ts == value), None)

    def audio_format(self) -> c.AudioFormat | None:
        """The audio format."""
        value = self._value(Slot.FORMAT)
        return next((f for f in c.AUDIO_FORMATS if f == value), None)

    def caption_tags(self) -> list[str]:
        """Mood tags the recognised words add to the caption ("upbeat")."""
        return [hit.caption_tag for hit in self._hits.values() if hit.caption_tag]

    def _value(self, slot: Slot) -> object:
        hit = self._hits.get(slot)
        return None if hit is None else hit.value


def _key(value: object) -> tuple[type, object]:
    """Compare values with their type, so True is not 1 and a TempoWord is not a plain word."""
    return (type(value), value)
