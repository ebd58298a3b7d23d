"""The interface in the reader's language: gettext catalogues kept with Babel, numbers and dates for the language.

Every user-visible string of the app is a gettext message: ``_("Lessons")``, ``ngettext("{n} lesson", "{n} lessons",
n).format(n=number(n))``, and ``N_("…")`` for a module-level constant that is translated where it is shown
(``_(CONSTANT)``). Placeholders are named, in braces, and filled with ``str.format`` after translation, so a
translator may move them. The catalogues are plain ``.po`` files under ``lessons/locale/<language>/LC_MESSAGES/``, one
per area of the code (``lessons/locale/areas.json`` says which files each area holds); they are read with Babel and
merged per language on first use, so there is no compiled ``.mo`` file to keep in step. ``python -m lessons messages``
extracts the messages of every area and updates each language's catalogue (see ``lessons/cli/messages.py``).

Which language a message is shown in: the language set by :func:`using` (a brief or an export made in a language),
else the one the app's resolver names for the current reader (``components/language.py`` registers it: the ``?lang=``
of the link, the picker, the browser's cookie or language), else English. Outside the app (the command line, the
background workers) that is English.

Examples
--------
>>> with using("fi"):
...     _("Lessons")
'Opit'
>>> _("Lessons")
'Lessons'
>>> with using("it"):
...     number(12345.5, 1)
'12.345,5'
"""

from __future__ import annotations

import contextvars
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

__all__ = [
    "DEFAULT",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "Labels",
    "_",
    "areas",
    "as_date",
    "best_match",
    "catalogue",
    "country",
    "current",
    "day",
    "language_name",
    "moment",
    "ngettext",
    "number",
    "percent",
    "pgettext",
    "placeholders",
    "set_resolver",
    "using",
]

#: The interface languages, by ISO 639-1 code, each named in itself (a picker lists them so).
LANGUAGES: dict[str, str] = {
    "en": "English",
    "fi": "Suomi",
    "it": "Italiano",
    "es": "Español",
    "lv": "Latviešu",
    "el": "Ελληνικά",
}
DEFAULT = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_chosen: contextvars.ContextVar[str | None] = contextvars.ContextVar("language", default=None)
_resolver: Callable[[], str | None] | None = None
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)?(?:[:!][^{}]*)?\}")


def set_resolver(resolver: Callable[[], str | None] | None) -> None:
    """Name the function that tells the current reader's language (the app registers one; None removes it)."""
    global _resolver
    _resolver = resolver


@contextmanager
def using(language: str | None) -> Iterator[str]:
    """Show messages in ``language`` inside the block (an unknown or empty one means the reader's own)."""
    token = _chosen.set(language if language in LANGUAGES else None)
    try:
        yield current()
    finally:
        _chosen.reset(token)


def current() -> str:
    """Return the language messages are shown in now (a code of :data:`LANGUAGES`)."""
    chosen = _chosen.get()
    if chosen:
        return chosen
    if _resolver is not None:
        wanted = _resolver()
        if wanted in LANGUAGES:
            return wanted
    return DEFAULT


def best_match(wanted: str | None) -> str | None:
    """Return the interface language for a browser's or a link's language tag, or None when none fits.

    >>> best_match("fi-FI"), best_match("EL"), best_match("de-DE"), best_match("es_419")
    ('fi', 'el', None, 'es')
    """
    if not wanted:
        return None
    primary = re.split(r"[-_;,]", wanted.strip(), maxsplit=1)[0].lower()
    return primary if primary in LANGUAGES else None


def language_name(code: str) -> str:
    """Return a language's name in itself: the picker's labels, and a lesson's language in any interface.

    >>> language_name("lv"), language_name("de")
    ('Latviešu', 'Deutsch')
    """
    if code in LANGUAGES:
        return LANGUAGES[code]
    try:
        return Locale.parse(code).get_display_name(code).capitalize()
    except (ValueError, TypeError, LookupError):
        return code


def country(code: str, english: str | None = None) -> str:
    """Return a country's name in the current language from its ISO 3166 alpha-2 code (``english`` in English).

    >>> with using("fi"):
    ...     country("GR")
    'Kreikka'
    >>> country("GR", "Greece"), country("XX")
    ('Greece', 'XX')
    """
    language = current()
    if language == DEFAULT and english:
        return english
    return Locale.parse(language).territories.get((code or "").upper()) or english or code


def areas() -> dict[str, list[str]]:
    """Return the catalogue areas: each area's name with the files (globs from the checkout's root) it holds."""
    return json.loads((LOCALE_DIR / "areas.json").read_text(encoding="utf-8"))


@cache
def catalogue(language: str) -> Translations | None:
    """Return the merged translations of ``language`` (every area's ``.po``), or None for English."""
    if language == DEFAULT or language not in LANGUAGES:
        return None
    merged: Translations | None = None
    for po in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as handle:
            parsed = read_po(handle, locale=language)
        for message in list(parsed):
            if message.fuzzy and message.id:
                parsed.delete(message.id, message.context)
        buffer = BytesIO()
        write_mo(buffer, parsed)
        buffer.seek(0)
        translations = Translations(buffer, domain=po.stem)
        if merged is None:
            merged = translations
        else:
            merged.merge(translations)
    return merged


def _(message: str) -> str:
    """Translate ``message`` into the current language (itself when untranslated)."""
    translations = catalogue(current())
    return translations.gettext(message) if translations is not None else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with a count: the language's own plural form for ``n``."""
    translations = catalogue(current())
    if translations is None:
        return singular if n == 1 else plural
    return translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """Translate ``message`` in a context that tells two same-looking English words apart ("Open" a door, "open" now)."""
    translations = catalogue(current())
    return translations.pgettext(context, message) if translations is not None else message


def N_(message: str) -> str:
    """Mark a constant for translation without translating it now (translate it where it is shown: ``_(CONST)``)."""
    return message


class Labels(dict):
    """A dict of labels marked with :func:`N_` whose values are translated when they are read.

    ``KIND_LABELS[kind]``, ``.get``, ``.values()``, ``.items()`` and ``series.map(KIND_LABELS)`` all give the
    current language's label; a key it lacks gives None (as pandas' ``map`` gives NaN), never an error from ``map``.

    >>> labels = Labels({"draft": N_("Draft")})
    >>> with using("fi"):
    ...     labels["draft"], labels.get("other", "?"), list(labels.values())
    ('Luonnos', '?', ['Luonnos'])
    """

    def __getitem__(self, key):
        """Return the key's label in the current language."""
        if key in self:
            return _(dict.__getitem__(self, key))
        return self.__missing__(key)

    def __missing__(self, key):
        """Return None for a key without a label (pandas' ``map`` then leaves a gap, as with a plain dict)."""
        return None

    def get(self, key, default=None):
        """Return the key's label in the current language, or ``default``."""
        return _(dict.__getitem__(self, key)) if key in self else default

    def values(self):
        """Return the labels in the current language."""
        return [_(value) for value in dict.values(self)]

    def items(self):
        """Return (key, label) pairs, the labels in the current language."""
        return [(key, _(value)) for key, value in dict.items(self)]

    def english(self, key, default=None):
        """Return the key's label as written (English), whatever the current language."""
        return dict.get(self, key, default)


def placeholders(message: str) -> list[str]:
    """Return the names of a message's ``{placeholders}`` in order (translations must keep the same set).

    >>> placeholders("{n} of {total} answered · {{literal}}")
    ['n', 'total']
    """
    text = message.replace("{{", "").replace("}}", "")
    return [match.group(1) or "" for match in _PLACEHOLDER.finditer(text)]


def _locale() -> str:
    return current()


def number(value: float | int, digits: int | None = None) -> str:
    """Format a number for the current language (grouping and decimal marks); ``digits`` fixes the decimals.

    >>> number(1234567)
    '1,234,567'
    >>> with using("fi"):
    ...     number(0.5, 2)
    '0,50'
    """
    if digits is None:
        return numbers.format_decimal(value, locale=_locale())
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return numbers.format_decimal(value, format=pattern, locale=_locale(), decimal_quantization=True)


def percent(share: float, digits: int = 0) -> str:
    r"""Format a share (0.42) as a percentage for the current language.

    >>> percent(0.425)
    '42%'
    >>> with using("fi"):
    ...     percent(0.425, 1)
    '42,5\xa0%'
    """
    pattern = Locale.parse(_locale()).percent_formats[None].pattern.split(";")[0]
    if digits:
        last = pattern.rfind("0") + 1
        pattern = pattern[:last] + "." + "0" * digits + pattern[last:]
    return numbers.format_percent(share, format=pattern, locale=_locale(), decimal_quantization=True)


def as_date(value: date | str | None) -> date | str:
    """Return a date read from an ISO text (its first ten characters), or the value itself when it is not one.

    >>> as_date("2026-03-04T10:20:00"), as_date("soon"), as_date(None)
    (datetime.date(2026, 3, 4), 'soon', '')
    """
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value


def day(value: date | str | None, length: str = "medium") -> str:
    """Format a date for the current language (an ISO text is read first; None and "" give "")."""
    value = as_date(value)
    if isinstance(value, str):
        return value
    return dates.format_date(value, format=length, locale=_locale())


def moment(value: datetime | str | None, length: str = "medium") -> str:
    """Format a date and time for the current language (an ISO text is read first; None and "" give "")."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    return dates.format_datetime(value, format=length, locale=_locale())
