"""Folding text for comparison: case, accents, punctuation and spacing no longer count.

Also how a value is quoted in a message (:func:`_shown`) and whether a cell is empty (:func:`_blank`), shared by the
other modules of this package.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata

_SPECIAL_LETTERS = {"ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ð": "d", "þ": "th", "ħ": "h", "ı": "i", "ĸ": "k"}  # fmt: skip
_ASCII_TABLE = {cp: " " for cp in range(128) if unicodedata.category(chr(cp))[0] in "PZC"}  # as _fold_table()
_LATIN_WITH_ACCENTS = re.compile("[\x00-\x7f\u0300-\u036f]*")


@functools.cache
def _fold_table() -> dict[int, str | None]:
    """Build what :func:`fold` does to each character after decomposition: delete it, make it a space, or respell it.

    Deleted: accents and other non-spacing marks, and invisible format characters (soft hyphen, zero-width
    joiner, byte order mark). Spaces: punctuation (dashes included), separators, underscore and control
    characters. Built once, from the Unicode database (about 30 ms).
    """
    table: dict[int, str | None] = {ord(letter): plain for letter, plain in _SPECIAL_LETTERS.items()}
    for cp in [*range(0x20000), *range(0xE0000, 0xE0200)]:
        category = unicodedata.category(chr(cp))
        if category in ("Mn", "Me", "Cf"):
            table[cp] = None
        elif category[0] in "PZ" or category in ("Cc", "Cs", "Co") or cp == ord("_"):
            table[cp] = " "
    return table


def fold(text) -> str:
    """Fold ``text`` for comparison: case, accents, punctuation and spacing no longer count.

    Case is folded, accents are stripped (also from ł, ø, æ, œ, ß, đ, ð, þ, which Unicode does not decompose),
    punctuation, underscores, dashes and control characters become single spaces, and the ends are trimmed.
    Symbols such as ✓ or emoji are kept. ``None`` folds to an empty string; other non-strings are converted with
    :func:`str`.

    Parameters
    ----------
    text : object
        The text to fold.

    Returns
    -------
    str
        The folded text.

    Examples
    --------
    >>> fold("  Co-Design ")
    'co design'
    >>> fold("Łódź"), fold("Straße"), fold("Ελλάδα"), fold("applied_elsewhere")
    ('lodz', 'strasse', 'ελλαδα', 'applied elsewhere')
    >>> fold(None)
    ''
    """
    if text is None:
        return ""
    text = str(text)
    if text.isascii():  # the common case, about 30 times faster
        return " ".join(text.lower().translate(_ASCII_TABLE).split())
    text = unicodedata.normalize("NFKD", text.casefold()).casefold()
    if _LATIN_WITH_ACCENTS.fullmatch(text):  # accented Latin text: drop the accents wholesale, fast
        return " ".join(text.encode("ascii", "ignore").decode().translate(_ASCII_TABLE).split())
    return " ".join(text.translate(_fold_table()).split())


def _shown(value, limit: int = 60) -> str:
    """``value`` as quoted in a message: trimmed, control characters made visible, long text cut short."""
    text = re.sub(r"[\x00-\x1f\x7f-\x9f]", "\N{REPLACEMENT CHARACTER}", str(value).strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _blank(value) -> bool:
    """Return True for None, NaN (and NaT) and text that is only whitespace."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    return value != value  # pandas.NaT and other not-a-values
