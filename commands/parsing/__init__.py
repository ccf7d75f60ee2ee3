"""Pure parsing of free text into typed requests (no I/O): `/music hotel lobby jazz 3min x2`.

`parse_generation` is the entry point for generation requests. The pieces are reusable on their own
(thread refinements use them for "slower", "5min", "in D minor", "x3"): `scan` and the recognisers
in `tokens`, the value readers in `values`, tempo words in `tempo`. `parse_refinement` reads a reply
in a track's thread as changes to that track's request (`refine`). Every sentence shown to people
lives in `messages`.
"""

from commands.parsing.findings import Findings
from commands.parsing.generation import GenerationDefaults, ParsedGeneration, parse_generation
from commands.parsing.hits import Hit, Slot, TempoWord
from commands.parsing.refine import ParsedRefinement, parse_refinement
from commands.parsing.tempo import tempo_for
from commands.parsing.tokens import RECOGNISERS, Recogniser, Scan, scan

__all__ = [
    "RECOGNISERS",
    "Findings",
    "GenerationDefaults",
    "Hit",
    "ParsedGeneration",
    "ParsedRefinement",
    "Recogniser",
    "Scan",
    "Slot",
    "TempoWord",
    "parse_generation",
    "parse_refinement",
    "scan",
    "tempo_for",
]
