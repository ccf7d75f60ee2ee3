"""`eval …`: the blind listening test's commands (issue 8), one module per sub-verb.

`verb.py` reads the sub-verb and calls its handler; `sessions.py` holds what they share (the
session-name rule, finding a session, refusals). Nothing here names a pair's source, model, seed or
preset to raters before the session closes: replies about an open session speak of pairs, raters
and vote counts only.
"""
