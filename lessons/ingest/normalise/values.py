"""Yes or no, numbers (decimal point or comma, thousands separators) and cells holding several values."""

from __future__ import annotations

import functools
import math
import numbers
import re

from lessons.i18n import _
from lessons.i18n import number as figure
from lessons.ingest.normalise.folding import _blank, _shown, fold
from lessons.ingest.normalise.vocabulary import MAX_MATCH_LENGTH

MAX_NUMBER_LENGTH = 100

_TRUE = set("yes y true 1 x ja oui si sim da tak kylla jah jaa ano igen taip ναι да".split()) | {"✓", "✔", "☑"}
_FALSE = set("no n false 0 nein non nee nej nei nao ei nie ne nem nu ne οχι не".split())
_UNKNOWN = {"-", "–", "—", "n/a", "n.a.", "na"}


def parse_bool(value) -> bool | None:
    """Read yes or no, in English or another European language.

    Yes: yes, y, true, 1, x, ✓, ja, oui, sí, sim, sì, da, tak, kyllä, jah, ano, igen, taip, ναι, да. No: no, n,
    false, 0, nein, non, nee, nej, nei, não, ei, nie, ne, nem, nu, όχι, не. Empty values, a dash and "n/a" give
    ``None`` (not stated).

    Parameters
    ----------
    value : str, bool, int or float
        What the file says.

    Returns
    -------
    bool or None

    Raises
    ------
    ValueError
        When the value is neither yes nor no.

    Examples
    --------
    >>> parse_bool("Kyllä"), parse_bool("nein"), parse_bool(1), parse_bool(" "), parse_bool("n/a")
    (True, False, True, None, None)
    >>> parse_bool("maybe")
    Traceback (most recent call last):
    ...
    ValueError: 'maybe' is neither yes nor no. Write yes or no (or leave the cell empty if it is not known).
    """
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Real) and value in (0, 1):
        return bool(value)
    text = str(value).strip()
    if text.casefold() in _UNKNOWN:
        return None
    numeric = isinstance(value, numbers.Real) or any(c.isdigit() for c in text[:MAX_MATCH_LENGTH])
    key = fold(text) if len(text) <= MAX_MATCH_LENGTH and (not numeric or text in ("0", "1")) else None
    if key in _TRUE or text in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(
        _("'{value}' is neither yes nor no. Write yes or no (or leave the cell empty if it is not known).").format(
            value=_shown(text)
        )
    )


def _not_a_number() -> str:
    return _("'{value}' is not a number. Write numbers like 2, 1.5 or 1,5.")


_SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")
_SIGN = re.compile(r"([+-]?)\s*(.*)", re.DOTALL)
_PLAIN = re.compile(r"[0-9]+|[0-9]*[.,][0-9]+|[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]+")
_AMBIGUOUS = re.compile(r"[1-9][0-9]{0,2}([.,])[0-9]{3}")
_GROUPED = {
    (thousands, decimal): re.compile(
        rf"[1-9][0-9]{{0,2}}(?:{re.escape(thousands)}[0-9]{{3}})+(?:{re.escape(decimal)}[0-9]+)?"
    )
    for thousands, decimal in ((",", "."), (".", ","), (" ", "."), (" ", ","), ("'", "."), ("'", ","))
}


def parse_number(value) -> float | None:
    """Read a number written with a decimal point or comma, and perhaps thousands separators.

    "1.5" and "1,5" are both 1.5; "1 000", "1,000,000" and "1.000,5" use thousands separators. A single
    separator followed by exactly three digits ("1,000" or "1.000") could be either, so it is refused with a
    message rather than guessed.

    Parameters
    ----------
    value : str, int or float
        What the file says.

    Returns
    -------
    float or None
        ``None`` for an empty value, a dash or "n/a".

    Raises
    ------
    ValueError
        When the value is not a number, or is ambiguous.

    Examples
    --------
    >>> parse_number("1,5"), parse_number(" 2 "), parse_number(3), parse_number("1 000"), parse_number("1,000.5")
    (1.5, 2.0, 3.0, 1000.0, 1000.5)
    >>> parse_number("") is None
    True
    >>> parse_number("1,000")
    Traceback (most recent call last):
    ...
    ValueError: '1,000' could mean 1000 or 1. Write 1000 or 1 so it cannot be misread.
    """
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(_not_a_number().format(value=value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(
                _("'{value}' is not a finite number. Write numbers like 2, 1.5 or 1,5.").format(value=_shown(value))
            )
        return number
    text = str(value).strip()
    if text.casefold() in _UNKNOWN:
        return None
    shown = _shown(text)
    if len(text) > MAX_NUMBER_LENGTH:
        raise ValueError(_("The value has {n} characters, far too long to be a number.").format(n=figure(len(text))))
    if text.startswith("#"):
        raise ValueError(
            _("'{value}' is a spreadsheet error, not a number. Fix the formula or type the number.").format(value=shown)
        )
    sign_text, body = _SIGN.fullmatch(_SPACES.sub(" ", text.replace("\u2212", "-"))).groups()
    sign = -1.0 if sign_text == "-" else 1.0
    number: float | None = None
    if m := _AMBIGUOUS.fullmatch(body):
        whole = int(body.replace(m.group(1), ""))
        decimal = float(body.replace(",", "."))
        raise ValueError(
            _("'{value}' could mean {whole} or {decimal}. Write {whole} or {decimal} so it cannot be misread.").format(
                value=shown, whole=whole, decimal=f"{decimal:g}"
            )
        )
    if _PLAIN.fullmatch(body):
        number = float(body.replace(",", "."))
    else:
        for (thousands, decimal), pattern in _GROUPED.items():
            if pattern.fullmatch(body):
                number = float(body.replace(thousands, "").replace(decimal, "."))
                break
    if number is None or not math.isfinite(number):
        raise ValueError(_not_a_number().format(value=shown))
    return sign * number


def split_multi(value, separator: str = ";") -> list[str]:
    """Split a cell holding several values: on ``separator`` and on line breaks.

    Parts are trimmed; empty parts and repeats (equal after :func:`fold`) are dropped; the order is kept. A list
    or tuple (as JSON gives) is split item by item.

    Parameters
    ----------
    value : str, list or None
        What the file says.
    separator : str
        The separator the upload states, e.g. ``";"`` or ``","``.

    Returns
    -------
    list of str

    Examples
    --------
    >>> split_multi(" trust ;Digital;; TRUST ;digital tools")
    ['trust', 'Digital', 'digital tools']
    >>> split_multi("a, b", ",")
    ['a', 'b']
    >>> split_multi(None)
    []
    """
    if not separator:
        raise ValueError(_("The separator between values cannot be empty; use ; or , for example."))
    if _blank(value):
        return []
    if isinstance(value, str):
        return list(_split_text(value, separator))
    return list(_split(value if isinstance(value, list | tuple) else [value], separator))


@functools.lru_cache(maxsize=4096)
def _split_text(value: str, separator: str) -> tuple[str, ...]:
    """Split one cell's text (see :func:`split_multi`); a file repeats the same few cells, each is split once."""
    return tuple(_split([value], separator))


def _split(items, separator: str) -> list[str]:
    seen: set[str] = set()
    parts: list[str] = []
    for item in items:
        if _blank(item):
            continue
        for line in str(item).splitlines():
            for part in line.split(separator):
                part = part.strip()
                key = fold(part) or part
                if part and key not in seen:
                    seen.add(key)
                    parts.append(part)
    return parts
