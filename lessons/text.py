"""The one cleaning of text before it is stored, whatever the way in (uploads, edits, workshops, imports).

Stored text is shown on pages, in exports to XML, SVG and PDF, and in terminals. Characters that are invisible
there but change what is shown — control characters, bidirectional overrides that reverse a span of text, zero-width
spaces that hide a word from search — are removed; the rest is kept as the person wrote it, in Unicode's composed
form (NFC), so the same words are stored the same way. Emoji (with their zero-width joiner), every script and
right-to-left text with its ordinary marks are kept.
"""

from __future__ import annotations

import re
import unicodedata

#: Characters removed from every stored text:
#: C0 controls except tab and line feed (carriage returns become line feeds), DEL and the C1 controls;
#: the bidirectional embeddings and overrides U+202A–U+202E and isolates U+2066–U+2069;
#: the zero-width space U+200B, word joiner U+2060, invisible operators U+2061–U+2064, the byte order mark U+FEFF;
#: interlinear annotation marks U+FFF9–U+FFFB; and unpaired surrogates (not text; SQLite cannot store them).
#: Kept: the zero-width joiner U+200D and non-joiner U+200C (emoji, Persian, Indic scripts) and the
#: left-to-right / right-to-left marks U+200E, U+200F, U+061C, which change no order beyond a single character.
HIDDEN = re.compile(
    "[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb"
    "\ud800-\udfff]"
)
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85]")


def clean_text(value, *, multiline: bool = True) -> str:
    r"""``value`` as text fit to store: hidden characters removed, line breaks made ``\n``, NFC-normalised.

    Parameters
    ----------
    value : object
        The text; None becomes ``""`` and anything else its ``str``.
    multiline : bool, default True
        Whether the text may have several lines. When False (titles, names), tabs and line breaks become spaces.

    Returns
    -------
    str
        The cleaned text. Leading and trailing whitespace are kept: trimming and folding are the caller's rules.

    Examples
    --------
    >>> clean_text("Bus\x00 lanes\x07 \u202eslow\u202c")
    'Bus lanes slow'
    >>> clean_text("line one\r\nline\ttwo"), clean_text("line one\r\nline\ttwo", multiline=False)
    ('line one\nline\ttwo', 'line one line two')
    >>> clean_text("\x1b[31mred\x1b[0m")
    '[31mred[0m'
    >>> clean_text("Cafe\u0301 👩\u200d🔬 東京") == "Café 👩\u200d🔬 東京"
    True
    >>> clean_text(None), clean_text(42)
    ('', '42')
    """
    if value is None:
        return ""
    text = str(value)
    if text.isascii() and text.isprintable():  # the common case: nothing to remove, no line, already NFC
        return text
    text = _LINE_BREAKS.sub("\n", text)
    text = HIDDEN.sub("", text)
    if not multiline:
        text = re.sub("[\t\n]", " ", text)
    return unicodedata.normalize("NFC", text)


def has_hidden(value) -> bool:
    r"""Whether :func:`clean_text` would remove characters from ``value`` (not counting line-break or NFC changes).

    >>> has_hidden("fine"), has_hidden("soft\x0bbreak"), has_hidden("\u2066isolate\u2069")
    (False, True, True)
    """
    if value is None:
        return False
    text = str(value)
    return not (text.isascii() and text.isprintable()) and HIDDEN.search(text) is not None
