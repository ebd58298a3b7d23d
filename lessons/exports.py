"""Files people open in spreadsheets: cells that a spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix text that a spreadsheet would read as a formula with an apostrophe (OWASP CSV injection advice).

    >>> neutralise("=HYPERLINK(\\"http://e.vil\\")"), neutralise("-2+3"), neutralise("plain"), neutralise(-2)
    ('\\'=HYPERLINK("http://e.vil")', "'-2+3", 'plain', -2)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell neutralised."""
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    return out


def to_csv(frame: pd.DataFrame) -> str:
    """CSV text (UTF-8, header row) with formulas neutralised.

    >>> to_csv(pd.DataFrame({"actor": ["=cmd()"], "rows": [1]}))
    "actor,rows\\n'=cmd(),1\\n"
    """
    return neutralised(frame).to_csv(index=False, lineterminator="\n")
