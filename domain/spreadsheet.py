"""Cells safe for spreadsheets: text a spreadsheet would run as a formula is neutralised.

report.csv files (a batch's, a listening session's) are opened in spreadsheets, and captions,
tags, file names, zone and rater names come from people: a cell that starts with `=`, `+`, `-`,
`@`, a tab or a carriage return gets a leading single quote, as OWASP's CSV-injection advice says.
Numbers, and text that is only a number (`-5`, `+3`, `1e5`), are left alone: a spreadsheet reads
them as numbers, not formulas.
"""

import re
from typing import Any, Final

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
_NUMBER: Final = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def neutralise_cell(value: Any) -> Any:
    """`value` safe for a spreadsheet cell: text that would start a formula gets a leading `'`."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    return value if _NUMBER.fullmatch(value) else "'" + value
