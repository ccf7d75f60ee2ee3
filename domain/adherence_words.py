"""Asked against measured, in the words every surface shows (issue 13).

Slack track posts, `/music tracks`, `acemusic tracks` and the audio check's problems all say it
the same way: "asked 60 BPM, measured 61", "asked C major, measured A minor", and a miss marked
with ❌. A track without an analysis (recorded before issue 13, or where it could not run) gets
no words at all: every function returns "" or an empty tuple, never "None".
"""

from typing import Final

from domain.analysis import Adherence, TrackAnalysis

MISS: Final = "❌"


def tempo_words(analysis: TrackAnalysis | None, adherence: Adherence | None) -> str:
    """`asked 60 BPM, measured 61`, `❌ asked 60 BPM, measured 90 (tempo missed)`,
    `measured 72 BPM` (nothing asked), `asked 60 BPM, no clear beat to measure`, or ""."""
    if analysis is None:
        return ""
    asked = adherence.asked_bpm if adherence else None
    if adherence is not None and adherence.tempo_ok is not None and adherence.measured_bpm:
        text = f"asked {asked:g} BPM, measured {adherence.measured_bpm:.0f}"
        return text if adherence.tempo_ok else f"{MISS} {text} (tempo missed)"
    if asked:
        return f"asked {asked:g} BPM, no clear beat to measure"
    sure = analysis.sure_tempo
    return f"measured {sure:.0f} BPM" if sure is not None else ""


def key_words(analysis: TrackAnalysis | None, adherence: Adherence | None) -> str:
    """`asked C major, measured A minor`, `❌ asked C major, measured F# minor (key missed)`,
    `measured D minor` (nothing asked), `asked C major, key not clear enough to measure`, or ""."""
    if analysis is None:
        return ""
    asked = adherence.asked_key if adherence else None
    if adherence is not None and adherence.key_ok is not None and adherence.measured_key:
        text = f"asked {asked}, measured {adherence.measured_key}"
        return text if adherence.key_ok else f"{MISS} {text} (key missed)"
    if asked:
        return f"asked {asked}, key not clear enough to measure"
    sure = analysis.sure_key
    return f"measured {sure}" if sure is not None else ""


def adherence_words(analysis: TrackAnalysis | None, adherence: Adherence | None) -> str:
    """Tempo and key words joined with " · " ("" when there is nothing to say)."""
    parts = (tempo_words(analysis, adherence), key_words(analysis, adherence))
    return " · ".join(part for part in parts if part)


def misses(adherence: Adherence | None) -> tuple[str, ...]:
    """A sentence per tempo or key that came out other than asked (the audio check's problems).

    Length is left out: the audio check already words a length off the request."""
    if adherence is None:
        return ()
    found = []
    if adherence.tempo_ok is False and adherence.measured_bpm:
        found.append(
            f"tempo off the request: asked {adherence.asked_bpm:g} BPM, "
            f"measured {adherence.measured_bpm:.0f}"
        )
    if adherence.key_ok is False and adherence.measured_key:
        found.append(
            f"key off the request: asked {adherence.asked_key}, measured {adherence.measured_key}"
        )
    return tuple(found)
